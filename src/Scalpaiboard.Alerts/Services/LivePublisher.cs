using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;

namespace Scalpaiboard.Alerts.Services;

/// <summary>
/// Publishes new signals on <c>live:signals</c> and a user's triggers on <c>live:alerts:{userId}</c> as complete
/// WebSocket frames (<c>{"type","channel","ts","data"}</c>, ts = publish time in Unix ms). Fire-and-forget: a
/// Redis hiccup loses a live frame, never a signal (those are in PostgreSQL and the outbox).
/// </summary>
public sealed partial class LivePublisher(ILiveChannel channel, TimeProvider time, ILogger<LivePublisher> logger)
{
    public Task PublishSignalAsync(SignalDto signal, CancellationToken cancellationToken) =>
        PublishAsync(EventNames.Live(EventNames.Signals),
            new LiveFrame<SignalDto>(EventNames.Signals, EventNames.Signals, time.GetUtcNow().ToUnixTimeMilliseconds(), signal), cancellationToken);

    public Task PublishTriggerAsync(string userId, TriggerEvent trigger, CancellationToken cancellationToken) =>
        PublishAsync(EventNames.UserAlerts(userId),
            new LiveFrame<TriggerEvent>(EventNames.Alerts, EventNames.Alerts, time.GetUtcNow().ToUnixTimeMilliseconds(), trigger), cancellationToken);

    private async Task PublishAsync<T>(string channelName, LiveFrame<T> frame, CancellationToken cancellationToken)
    {
        try
        {
            await channel.PublishAsync(channelName, Json.SerializeToUtf8Bytes(frame), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(ex, channelName);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live publish to {Channel} failed")]
    private partial void LogPublishFailed(Exception ex, string channel);
}
