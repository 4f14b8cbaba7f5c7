using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalpaiboard.Infrastructure.Events;
using StackExchange.Redis;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>
/// One pattern subscription (<c>live:*</c>) per Gateway, through StackExchange.Redis's subscriber (it resubscribes
/// after a reconnect); messages are handled one at a time in the order Redis sent them (a <see cref="ChannelMessageQueue"/>).
/// Each message's payload is already the complete frame clients receive, and the same bytes are queued for every
/// subscribed client. Any number of Gateway replicas can run side by side: each receives every
/// message and serves its own clients.
/// </summary>
public sealed partial class LiveFanout(IConnectionMultiplexer redis, SubscriptionRegistry registry, ILogger<LiveFanout> logger, IMeterFactory meters)
    : BackgroundService, IHealthCheck
{
    private static readonly string TickersKey = EventNames.Live(EventNames.Tickers);
    private static readonly RedisChannel Pattern = RedisChannel.Pattern(EventNames.LivePrefix + "*");

    private readonly Counter<long> _received = meters.Create("Scalpaiboard.Gateway").CreateCounter<long>("scalpaiboard.gateway.live.messages", description: "Pub/sub messages received for fan-out");
    private readonly Counter<long> _delivered = meters.Create("Scalpaiboard.Gateway").CreateCounter<long>("scalpaiboard.gateway.live.deliveries", description: "Frames queued for clients");
    private readonly Histogram<double> _fanoutDuration = meters.Create("Scalpaiboard.Gateway").CreateHistogram<double>("scalpaiboard.gateway.live.fanout_duration", "ms",
        "Time to hand one pub/sub message to every subscribed client (writes that complete at once included)");
    private volatile bool _subscribed;

    public const string FanoutDurationInstrument = "scalpaiboard.gateway.live.fanout_duration";

    /// <summary>Subscribed, and the subscription's connection is up (false while Redis is unreachable).</summary>
    public bool IsSubscribed => _subscribed && redis.GetSubscriber().IsConnected(Pattern);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.GetSubscriber().SubscribeAsync(Pattern);
                queue.OnMessage(m => OnMessage(m.Channel.ToString(), (byte[]?)m.Message ?? []));
                _subscribed = true;
                LogSubscribed(logger);
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await queue.UnsubscribeAsync(CommandFlags.FireAndForget);
                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _subscribed = false;
                LogSubscribeFailed(logger, ex, delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
        _subscribed = false;
    }

    /// <summary>Hands one pub/sub message (its own bytes) to its subscribers, never blocks.</summary>
    public void OnMessage(string channel, byte[] payload)
    {
        _received.Add(1);
        var clients = registry.SubscribersOf(channel);
        if (clients.IsEmpty)
        {
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var coalesce = channel == TickersKey;
        foreach (var client in clients)
        {
            client.Deliver(payload, coalesce);
        }
        _delivered.Add(clients.Length);
        _fanoutDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsSubscribed
            ? HealthCheckResult.Healthy($"subscribed to {EventNames.LivePrefix}*; {registry.ClientCount} WebSocket clients")
            : HealthCheckResult.Degraded("not subscribed to live pub/sub (Redis unreachable?); WebSocket clients get no data"));

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to live:* for WebSocket fan-out")]
    private static partial void LogSubscribed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live pub/sub subscription failed; retrying in {Delay}")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception ex, TimeSpan delay);
}
