using System.Collections.Concurrent;
using System.Diagnostics;
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
    private readonly RedisMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<RedisRequest> _queue = Channel.CreateUnbounded<RedisRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RedisRequest> _parked = []; // touched only by the supervisor and the connection it runs
    private readonly Task _supervisor;
    private readonly Task _heartbeat;
    private readonly Task _sweeper;
    private readonly ConcurrentQueue<RedisRequest> _deadlines = new(); // in deadline order: one timeout for all requests
    private readonly long _timeoutTicks;
    private volatile bool _connected;
    private volatile string? _lastError;

    public ReconnectingConnection(string role, RedisConnectionSettings settings, Func<IReadOnlyList<RedisRequest>> handshake,
        IPushReceiver? push, RedisMetrics metrics, ILogger logger)
    {
        _role = role;
        _settings = settings;
        _handshake = handshake;
        _push = push;
        _metrics = metrics;
        _logger = logger;
        _supervisor = Task.Run(() => SuperviseAsync(_stop.Token));
        _timeoutTicks = (long)(settings.CommandTimeout.TotalSeconds * Stopwatch.Frequency);
        _heartbeat = Task.Run(() => HeartbeatAsync(_stop.Token));
        _sweeper = Task.Run(() => SweepTimeoutsAsync(_stop.Token));
    }

    public bool IsConnected => _connected;

    /// <summary>Why the last connection ended or the last attempt failed; null while all is well.</summary>
    public string? LastError => _lastError;

    /// <summary>
    /// Queues a command; the task completes with its reply, a <see cref="RedisServerException"/>, a connection or
    /// protocol failure, a <see cref="TimeoutException"/> after the command timeout (including time spent waiting
    /// for a connection), or cancellation.
    /// </summary>
    public Task<RespValue> SendAsync(RedisRequest request, CancellationToken cancellationToken)
    {
        var task = request.Track(Stopwatch.GetTimestamp() + _timeoutTicks, _metrics, cancellationToken);
        if (!task.IsCompleted)
        {
            _deadlines.Enqueue(request);
            Enqueue(request);
        }
        return task;
    }

    /// <summary>
    /// Times out requests whose deadline passed. Every request of this connection has the same timeout, so the
    /// queue is in deadline order and each tick looks only at its head: no timer per command.
    /// </summary>
    private async Task SweepTimeoutsAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(_settings.CommandTimeout.TotalMilliseconds / 20, 5, 100));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                while (_deadlines.TryPeek(out var head))
                {
                    if (!head.Task.IsCompleted && head.Deadline > now)
                    {
                        break;
                    }
                    _deadlines.TryDequeue(out _);
                    if (!head.Task.IsCompleted)
                    {
                        head.TimeOut(new TimeoutException(TimeoutMessage(head.Name)));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private string TimeoutMessage(string command)
    {
        var state = _connected ? "connected" : "disconnected, last error: " + (_lastError ?? "none yet");
        return $"Redis {command} timed out after {_settings.CommandTimeout.TotalMilliseconds:0} ms ({state}).";
    }

    private void Enqueue(RedisRequest request)
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
                ParkQueued();
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
                var reason = await connection.RunAsync(_parked, _queue.Reader, _push, ReplyDeadline, cancellationToken).ConfigureAwait(false);
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
            ParkQueued();
            if (!await DelayAsync(Backoff(1), cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }
    }

    /// <summary>
    /// While disconnected, moves queued requests aside and drops those whose callers gave up, so a long outage
    /// holds only requests that can still be answered (order is kept: parked ones are written first).
    /// </summary>
    private void ParkQueued()
    {
        while (_queue.Reader.TryRead(out var request))
        {
            _parked.Add(request);
        }
        _parked.RemoveAll(static r => r.IsAbandoned);
    }

    /// <summary>
    /// How long the oldest unanswered command may wait before the connection counts as dead: twice the command
    /// timeout (callers have given up by then), at least a second.
    /// </summary>
    private TimeSpan ReplyDeadline => TimeSpan.FromMilliseconds(Math.Max(1000, 2 * _settings.CommandTimeout.TotalMilliseconds));

    /// <summary>
    /// PINGs an open connection now and then, so a connection that silently died (no FIN, no RST) is noticed by
    /// the watchdog even when nothing else is sent, e.g. on an idle subscriber connection.
    /// </summary>
    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!_connected)
                {
                    continue;
                }
                _ = SendAsync(new RedisRequest("PING", 0), CancellationToken.None).ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

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
            await Task.WhenAll(_supervisor, _heartbeat, _sweeper).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        var disposed = new ObjectDisposedException(nameof(RedisClient), "The Redis client was disposed.");
        foreach (var request in _parked)
        {
            request.Fail(disposed);
        }
        _parked.Clear();
        while (_queue.Reader.TryRead(out var request))
        {
            request.Fail(disposed);
        }
        _stop.Dispose();
    }
}
