using System.Collections.Concurrent;
using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// Connections leased one command at a time for blocking commands (XREADGROUP ... BLOCK), so a consumer waiting
/// for entries never stalls the pipelined connection other callers share. Idle connections are kept for reuse
/// (up to <see cref="MaxIdle"/>); a connection whose command failed or was cancelled is closed, since its reply
/// may still be owed.
/// </summary>
internal sealed class BlockingConnectionPool(RedisConnectionSettings settings, Func<IReadOnlyList<RedisRequest>> handshake, RedisMetrics metrics) : IAsyncDisposable
{
    private const int MaxIdle = 8;

    private readonly ConcurrentBag<RespConnection> _idle = [];
    private volatile bool _disposed;
    private int _opened;

    /// <summary>Runs one request on a leased connection; <paramref name="cancellationToken"/> carries the caller's deadline.</summary>
    public async Task<RespValue> ExecuteAsync(RedisRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = await connection.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
            Return(connection);
            return reply;
        }
        catch (RedisServerException)
        {
            Return(connection);
            throw;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<RespConnection> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryTake(out var idle))
        {
            if (!idle.IsBroken)
            {
                return idle;
            }
            await idle.DisposeAsync().ConfigureAwait(false);
        }
        var attempt = 0;
        while (true)
        {
            try
            {
                var connection = await RespConnection.ConnectAsync(settings, handshake(), cancellationToken).ConfigureAwait(false);
                if (Interlocked.Increment(ref _opened) > 1 && attempt > 0)
                {
                    metrics.Reconnect("blocking");
                }
                return connection;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not RedisServerException)
            {
                // The server is away: retry until the caller's deadline, as commands on the shared connection do.
                attempt++;
                await Task.Delay(ReconnectingConnection.Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Return(RespConnection connection)
    {
        if (_disposed || connection.IsBroken || _idle.Count >= MaxIdle)
        {
            _ = connection.DisposeAsync().AsTask();
            return;
        }
        _idle.Add(connection);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
