using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// A logical connection that stays up: requests go into an unbounded queue; a supervisor opens a
/// <see cref="RespConnection"/> (with its handshake), lets it pipeline the queue until it breaks, then reconnects
/// with exponential backoff and full jitter. Requests queued while disconnected wait for the next connection (their
/// callers' timeouts bound the wait); requests in flight when a connection breaks fail with the reason.
/// </summary>
internal sealed class ReconnectingConnection : IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly string _role;
    private readonly RedisConnectionSettings _settings;
    private readonly Func<IReadOnlyList<RedisRequest>> _handshake;
    private readonly IPushReceiver? _push;
    private readonly Action? _onConnected;
    private readonly RedisMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<RedisRequest> _queue = Channel.CreateUnbounded<RedisRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _supervisor;
    private volatile bool _connected;
    private volatile string? _lastError;

    public ReconnectingConnection(string role, RedisConnectionSettings settings, Func<IReadOnlyList<RedisRequest>> handshake,
        IPushReceiver? push, Action? onConnected, RedisMetrics metrics, ILogger logger)
    {
        _role = role;
        _settings = settings;
        _handshake = handshake;
        _push = push;
        _onConnected = onConnected;
        _metrics = metrics;
        _logger = logger;
        _supervisor = Task.Run(() => SuperviseAsync(_stop.Token));
    }

    public bool IsConnected => _connected;

    /// <summary>Why the last connection ended or the last attempt failed; null while all is well.</summary>
    public string? LastError => _lastError;

    public void Enqueue(RedisRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            request.Fail(new ObjectDisposedException(nameof(RedisClient), "The Redis client was disposed."));
        }
    }

    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        var endpoint = _settings.ToString();
        var attempt = 0;
        var everConnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            RespConnection connection;
            try
            {
                connection = await RespConnection.ConnectAsync(_settings, _handshake(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                attempt++;
                _lastError = ex.Message;
                var delay = Backoff(attempt);
                RedisLog.ConnectFailed(_logger, _role, endpoint, attempt, (long)delay.TotalMilliseconds, ex.Message);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
                continue;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await using (connection.ConfigureAwait(false))
            {
                if (everConnected)
                {
                    _metrics.Reconnect(_role);
                }
                everConnected = true;
                attempt = 0;
                _lastError = null;
                _connected = true;
                RedisLog.Connected(_logger, _role, endpoint);
                _onConnected?.Invoke();
                var reason = await connection.RunAsync(_queue.Reader, _push, cancellationToken).ConfigureAwait(false);
                _connected = false;
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                _lastError = reason.Message;
                RedisLog.ConnectionLost(_logger, _role, endpoint, reason.Message);
                if (reason is RedisProtocolException)
                {
                    _metrics.Error("protocol", "-");
                }
            }
            if (!await DelayAsync(Backoff(1), cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }
    }

    /// <summary>Exponential backoff with full jitter: uniform in [min, min(max, min * 2^attempt)].</summary>
    internal static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16)));
        return TimeSpan.FromMilliseconds(MinBackoff.TotalMilliseconds + (Random.Shared.NextDouble() * (ceiling - MinBackoff.TotalMilliseconds)));
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _supervisor.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        var disposed = new ObjectDisposedException(nameof(RedisClient), "The Redis client was disposed.");
        while (_queue.Reader.TryRead(out var request))
        {
            request.Fail(disposed);
        }
        _stop.Dispose();
    }
}
