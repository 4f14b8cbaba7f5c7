using Npgsql;

namespace Scalpaiboard.Alerts.Jobs;

/// <summary>
/// Elects one replica to run the scheduled jobs: the holder of a session-level PostgreSQL advisory lock, kept on a
/// dedicated connection. If the leader dies, PostgreSQL drops its session and its lock, and another replica takes
/// the lock within one check interval. Every replica runs the same Quartz schedule; jobs on non-leaders return at
/// once (see <see cref="LeaderOnlyJob"/>).
/// </summary>
public sealed partial class JobLeadership(NpgsqlDataSource dataSource, TimeProvider time, ILogger<JobLeadership> logger) : BackgroundService
{
    /// <summary>Advisory lock key: "alerts.jobs" hashed into a bigint once, written here so every replica agrees.</summary>
    public const long LockKey = 0x616C_6572_7473_6A6F; // "alertsjo"

    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);
    private volatile bool _isLeader;

    public bool IsLeader => _isLeader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            NpgsqlConnection? conn = null;
            try
            {
                conn = await dataSource.OpenConnectionAsync(stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await using (var cmd = new NpgsqlCommand(_isLeader ? "SELECT 1" : "SELECT pg_try_advisory_lock(@key)", conn))
                    {
                        cmd.Parameters.AddWithValue("key", LockKey);
                        var result = await cmd.ExecuteScalarAsync(stoppingToken);
                        if (!_isLeader && result is true)
                        {
                            _isLeader = true;
                            LogLeader();
                        }
                    }
                    await Task.Delay(CheckInterval, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                if (_isLeader)
                {
                    LogLost(ex);
                }
                _isLeader = false;
                await Task.Delay(CheckInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                if (conn is not null)
                {
                    await conn.DisposeAsync();
                }
            }
        }
        _isLeader = false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica now runs the scheduled jobs (advisory lock held)")]
    private partial void LogLeader();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the job leadership (connection failed)")]
    private partial void LogLost(Exception ex);
}
