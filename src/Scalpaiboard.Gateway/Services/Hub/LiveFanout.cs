using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Infrastructure.Events;
using StackExchange.Redis;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>
/// Subscribes to the live pub/sub channels WebSocket clients listen to, one channel at a time, through
/// StackExchange.Redis's subscriber (it resubscribes after a reconnect): a channel is subscribed when its first client
/// asks for it (<see cref="TryListen"/>) and unsubscribed once it has had no client for
/// <see cref="WebSocketOptions.UnsubscribeAfter"/>, so the Gateway never reads the frames of symbols nobody watches.
/// Each channel has its own <see cref="ChannelMessageQueue"/>: its messages are handled one at a time in the order Redis
/// sent them, and a burst on one channel does not hold back another. Each message's payload is already the complete
/// frame clients receive, and the same bytes are queued for every subscribed client. Any number of Gateway replicas
/// can run side by side: each subscribes for its own clients.
/// </summary>
public sealed partial class LiveFanout(IConnectionMultiplexer redis, SubscriptionRegistry registry, IOptions<GatewayOptions> options,
    TimeProvider time, ILogger<LiveFanout> logger, IMeterFactory meters)
    : BackgroundService, IHealthCheck
{
    private static readonly string TickersKey = EventNames.Live(EventNames.Tickers);

    /// <summary>How long <see cref="TryListen"/>'s task waits for Redis to confirm a subscription before answering the client.</summary>
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(2);

    private readonly Counter<long> _received = meters.Create("Scalpaiboard.Gateway").CreateCounter<long>("scalpaiboard.gateway.live.messages", description: "Pub/sub messages received for fan-out");
    private readonly Counter<long> _delivered = meters.Create("Scalpaiboard.Gateway").CreateCounter<long>("scalpaiboard.gateway.live.deliveries", description: "Frames queued for clients");
    private readonly Histogram<double> _fanoutDuration = meters.Create("Scalpaiboard.Gateway").CreateHistogram<double>("scalpaiboard.gateway.live.fanout_duration", "ms",
        "Time to hand one pub/sub message to every subscribed client (writes that complete at once included)");

    /// <summary>Every channel the Gateway subscribed to or is about to; guarded by its own lock.</summary>
    private readonly Dictionary<string, Listener> _listeners = new(StringComparer.Ordinal);
    private readonly TimeSpan _unsubscribeAfter = options.Value.WebSocket.UnsubscribeAfter;
    private readonly int _maxChannels = options.Value.WebSocket.MaxLiveChannels;

    public const string FanoutDurationInstrument = "scalpaiboard.gateway.live.fanout_duration";

    /// <summary>The Redis channels subscribed right now (confirmed by Redis).</summary>
    public int SubscribedChannels
    {
        get
        {
            lock (_listeners)
            {
                return _listeners.Values.Count(l => l.Queue is not null);
            }
        }
    }

    /// <summary>The subscriptions' connection is up and no channel a client asked for is waiting to be subscribed.</summary>
    public bool IsSubscribed
    {
        get
        {
            if (!redis.GetSubscriber().IsConnected(RedisChannel.Literal(TickersKey)))
            {
                return false;
            }
            lock (_listeners)
            {
                return _listeners.Values.All(l => l.Queue is not null);
            }
        }
    }

    /// <summary>
    /// Makes sure the Gateway is subscribed to a channel a client was just registered for (<see cref="SubscriptionRegistry.Subscribe"/>
    /// first, then this). <paramref name="confirmed"/> ends once Redis has confirmed the subscription, or after 2 s at
    /// most, so that the client's "subscribed" answer means frames flow; when Redis cannot be reached the subscription
    /// is retried in the background. False (nothing subscribed) when the Gateway already listens to
    /// <see cref="WebSocketOptions.MaxLiveChannels"/> channels: clients inventing symbol names must not grow Redis's
    /// subscriptions, and the list Ingest reads every second, without bound.
    /// </summary>
    public bool TryListen(string liveKey, out Task confirmed)
    {
        Listener? created = null;
        Listener? listener;
        lock (_listeners)
        {
            if (!_listeners.TryGetValue(liveKey, out listener))
            {
                if (_listeners.Count >= _maxChannels)
                {
                    confirmed = Task.CompletedTask;
                    return false;
                }
                listener = created = new Listener(liveKey) { Subscribing = true };
                _listeners.Add(liveKey, listener);
            }
            listener.IdleSince = 0;
        }
        if (created is not null)
        {
            _ = SubscribeAsync(created);
        }
        confirmed = WaitConfirmedAsync(listener);
        return true;
    }

    private async Task WaitConfirmedAsync(Listener listener)
    {
        try
        {
            await listener.Confirmed.WaitAsync(ConfirmTimeout, time);
        }
        catch (TimeoutException)
        {
            // Redis is slow or away: the client is registered, and frames flow once the subscription is made.
        }
    }

    /// <summary>Once a second: subscribes what failed to, unsubscribes channels that have had no client for a while.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await MaintainAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        Listener[] all;
        lock (_listeners)
        {
            all = [.. _listeners.Values];
            _listeners.Clear();
        }
        foreach (var listener in all)
        {
            listener.Queue?.Unsubscribe(CommandFlags.FireAndForget);
        }
    }

    /// <summary>One maintenance pass (the background loop's tick).</summary>
    private async Task MaintainAsync()
    {
        var now = time.GetTimestamp();
        List<Listener> retry = [];
        List<Listener> drop = [];
        lock (_listeners)
        {
            foreach (var listener in _listeners.Values)
            {
                if (registry.SubscriberCount(listener.Key) > 0)
                {
                    listener.IdleSince = 0;
                    if (listener.Queue is null && !listener.Subscribing && time.GetElapsedTime(listener.FailedAt, now) >= listener.RetryDelay)
                    {
                        listener.Subscribing = true;
                        retry.Add(listener);
                    }
                }
                else if (listener.IdleSince == 0)
                {
                    listener.IdleSince = now;
                }
                else if (time.GetElapsedTime(listener.IdleSince, now) >= _unsubscribeAfter && !listener.Subscribing)
                {
                    drop.Add(listener);
                }
            }
            foreach (var listener in drop)
            {
                _listeners.Remove(listener.Key);
            }
        }
        foreach (var listener in drop)
        {
            if (listener.Queue is { } queue)
            {
                try
                {
                    await queue.UnsubscribeAsync();
                    LogUnsubscribed(logger, listener.Key);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Redis is unreachable: the subscription is gone with the connection, and not renewed (SE.Redis
                    // forgets a queue that is unsubscribed).
                    LogUnsubscribeFailed(logger, ex, listener.Key);
                }
            }
        }
        foreach (var listener in retry)
        {
            await SubscribeAsync(listener);
        }
    }

    /// <summary>Subscribes one listener (marked <see cref="Listener.Subscribing"/> by the caller); never throws.</summary>
    private async Task SubscribeAsync(Listener listener)
    {
        var channel = RedisChannel.Literal(listener.Key);
        ChannelMessageQueue? queue = null;
        Exception? failure = null;
        try
        {
            queue = await redis.GetSubscriber().SubscribeAsync(channel);
            var key = listener.Key;
            var coalesce = key == TickersKey;
            queue.OnMessage(m => OnMessage(key, (byte[]?)m.Message ?? [], coalesce));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            failure = ex;
            // StackExchange.Redis registers the queue before it asks the server, and keeps it (to resubscribe after
            // a reconnect) when the call fails; a retry would add a second queue, so the channel's registration is
            // wiped first (this Gateway is its only subscriber).
            try
            {
                await redis.GetSubscriber().UnsubscribeAsync(channel, flags: CommandFlags.FireAndForget);
            }
            catch (Exception wipe) when (wipe is RedisException or TimeoutException)
            {
                // Nothing was sent; the registration is gone all the same.
            }
        }
        lock (_listeners)
        {
            listener.Subscribing = false;
            if (queue is not null)
            {
                listener.Queue = queue;
                listener.RetryDelay = Listener.FirstRetry;
            }
            else
            {
                listener.FailedAt = time.GetTimestamp();
                listener.RetryDelay = TimeSpan.FromTicks(Math.Min(listener.RetryDelay.Ticks * 2, Listener.LastRetry.Ticks));
            }
            listener.Attempted();
            if (queue is not null && !ReferenceEquals(_listeners.GetValueOrDefault(listener.Key), listener))
            {
                // Dropped while subscribing (the service is stopping).
                queue.Unsubscribe(CommandFlags.FireAndForget);
            }
        }
        if (failure is not null)
        {
            LogSubscribeFailed(logger, failure, listener.Key, listener.RetryDelay);
        }
        else
        {
            LogSubscribed(logger, listener.Key);
        }
    }

    /// <summary>Hands one pub/sub message (its own bytes) to the subscribers of its channel, never blocks.</summary>
    public void OnMessage(string liveKey, byte[] payload, bool coalesce)
    {
        _received.Add(1);
        var clients = registry.SubscribersOf(liveKey);
        if (clients.IsEmpty)
        {
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var client in clients)
        {
            client.Deliver(payload, coalesce);
        }
        _delivered.Add(clients.Length);
        _fanoutDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsSubscribed
            ? HealthCheckResult.Healthy($"{SubscribedChannels} live channels subscribed; {registry.ClientCount} WebSocket clients")
            : HealthCheckResult.Degraded("live pub/sub subscriptions down or pending (Redis unreachable?); WebSocket clients get no data"));

    /// <summary>One channel's subscription. Fields are guarded by the fan-out's lock.</summary>
    private sealed class Listener(string key)
    {
        /// <summary>Doubled at each failed attempt: the retries come 1 s, 2 s, 4 s ... 15 s after a failure.</summary>
        public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
        public static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(15);

        private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Key { get; } = key;
        public ChannelMessageQueue? Queue { get; set; }
        public bool Subscribing { get; set; }
        public long IdleSince { get; set; }
        public long FailedAt { get; set; }
        public TimeSpan RetryDelay { get; set; } = FirstRetry;

        /// <summary>Completes when the first subscription attempt has ended, made or not.</summary>
        public Task Confirmed => _firstAttempt.Task;

        public void Attempted() => _firstAttempt.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribed to {Channel} for WebSocket fan-out")]
    private static partial void LogSubscribed(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribed from {Channel}: no WebSocket client left")]
    private static partial void LogUnsubscribed(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to {Channel} failed; retrying in {Delay}")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception ex, string channel, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from {Channel} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception ex, string channel);
}
