using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Backtests;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Jobs;

/// <summary>
/// Puts the scheduled jobs into Hangfire's storage under stable ids at start-up (every replica does; AddOrUpdate of
/// the same id is idempotent), on the cron schedules of <c>Alerts:Jobs</c>, in UTC.
/// </summary>
/// <remarks>
/// AddOrUpdate takes the recurring job's distributed lock (waiting up to 15 s). A process killed while it held that
/// lock leaves it behind until <see cref="JobOptions.DistributedLockTimeout"/>; the service then starts anyway, and
/// the jobs not yet updated are retried in the background until the lock is taken over. A bad cron expression is
/// found before any lock is asked for and stops the service naming its key.
/// </remarks>
public sealed partial class RecurringJobsRegistration(
    IRecurringJobManager recurringJobs, IOptions<AlertsOptions> options, IOptions<BacktestOptions> backtests,
    ILogger<RecurringJobsRegistration> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private static readonly RecurringJobOptions Utc = new() { TimeZone = TimeZoneInfo.Utc };

    private List<Registration> _pending = [];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _pending = [.. Registrations().Where(r => !TryAddOrUpdate(r))];
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (_pending.Count > 0)
        {
            await Task.Delay(RetryDelay, stoppingToken);
            _pending.RemoveAll(TryAddOrUpdate);
        }
    }

    private IEnumerable<Registration> Registrations()
    {
        var jobs = options.Value.Jobs;
        yield return new(RetentionJob.Id, "Jobs:" + nameof(jobs.RetentionSchedule), jobs.RetentionSchedule,
            () => recurringJobs.AddOrUpdate<RetentionJob>(RetentionJob.Id, job => job.RunAsync(CancellationToken.None), jobs.RetentionSchedule, Utc));
        yield return new(OutboxSweepJob.Id, "Jobs:" + nameof(jobs.OutboxSweepSchedule), jobs.OutboxSweepSchedule,
            () => recurringJobs.AddOrUpdate<OutboxSweepJob>(OutboxSweepJob.Id, job => job.RunAsync(CancellationToken.None), jobs.OutboxSweepSchedule, Utc));
        yield return new(StaleDataWatchdogJob.Id, "Jobs:" + nameof(jobs.WatchdogSchedule), jobs.WatchdogSchedule,
            () => recurringJobs.AddOrUpdate<StaleDataWatchdogJob>(StaleDataWatchdogJob.Id, job => job.RunAsync(CancellationToken.None), jobs.WatchdogSchedule, Utc));
        var cleanup = backtests.Value.CleanupSchedule;
        yield return new(BacktestCleanupJob.Id, "Backtests:CleanupSchedule", cleanup,
            () => recurringJobs.AddOrUpdate<BacktestCleanupJob>(BacktestCleanupJob.Id, job => job.RunAsync(CancellationToken.None), cleanup, Utc));
    }

    /// <summary>True when the job is stored; false while its lock is held elsewhere. Hangfire parses the cron expression first: a bad one throws, naming its key.</summary>
    private bool TryAddOrUpdate(Registration registration)
    {
        try
        {
            registration.AddOrUpdate();
            if (registration.Attempts > 0)
            {
                LogRegistered(registration.Id, registration.Attempts + 1);
            }
            return true;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(
                $"{AlertsOptions.Section}:{registration.Key} = '{registration.Cron}' is not a cron expression (5 fields, or 6 with seconds first): {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch (DistributedLockTimeoutException)
        {
            if (registration.Attempts++ == 0)
            {
                LogLockHeld(registration.Id, options.Value.Jobs.DistributedLockTimeout);
            }
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recurring job {Id} not updated yet: its lock is held, by a process that died holding it or by another replica; retrying in the background (a dead holder's lock is taken over after {LockTimeout})")]
    private partial void LogLockHeld(string id, TimeSpan lockTimeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recurring job {Id} updated after {Attempts} attempts")]
    private partial void LogRegistered(string id, int attempts);

    private sealed record Registration(string Id, string Key, string Cron, Action AddOrUpdate)
    {
        public int Attempts { get; set; }
    }
}
