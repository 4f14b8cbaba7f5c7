using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Infrastructure.Events;
using StackExchange.Redis;

namespace Scalpaiboard.Alerts.Services;

/// <summary>
/// Publishes new signals on <c>live:signals</c> and a user's triggers on <c>live:alerts:{userId}</c> as complete
/// WebSocket frames (<c>{"type","channel","ts","data"}</c>, ts = publish time in Unix ms). Fire and forget
/// (<see cref="CommandFlags.FireAndForget"/>: nothing waits for Redis's reply): a Redis hiccup loses a live frame,
/// never a signal (those are in PostgreSQL and the outbox).
/// </summary>
public sealed partial class LivePublisher(IConnectionMultiplexer redis, TimeProvider time, ILogger<LivePublisher> logger)
{
    public Task PublishSignalAsync(SignalDto signal, CancellationToken cancellationToken) =>
        PublishAsync(EventNames.Live(EventNames.Signals),
            new LiveFrame<SignalDto>(EventNames.Signals, EventNames.Signals, time.GetUtcNow().ToUnixTimeMilliseconds(), signal), cancellationToken);

    public Task PublishTriggerAsync(string userId, TriggerEvent trigger, CancellationToken cancellationToken) =>
        PublishAsync(EventNames.UserAlerts(userId),
            new LiveFrame<TriggerEvent>(EventNames.Alerts, EventNames.Alerts, time.GetUtcNow().ToUnixTimeMilliseconds(), trigger), cancellationToken);

    private Task PublishAsync<T>(string channelName, LiveFrame<T> frame, CancellationToken cancellationToken)
    {
        try
        {
            redis.GetSubscriber().Publish(RedisChannel.Literal(channelName), Json.SerializeToUtf8Bytes(frame), CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            // Disconnected: commands fail at once (RedisSetup.Configure), the frame is dropped.
            LogPublishFailed(ex, channelName);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live publish to {Channel} failed")]
    private partial void LogPublishFailed(Exception ex, string channel);
}
