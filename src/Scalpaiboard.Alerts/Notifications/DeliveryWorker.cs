using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// Sends outbox rows: claims due rows (SKIP LOCKED), sends each once, marks it delivered after a 2xx, or schedules a
/// retry with exponential backoff and jitter (honouring the target's Retry-After), or dead-letters it after the last
/// attempt. A crash between send and mark leaves the row 'sending' until its lease expires; it is then sent again
/// with the same Idempotency-Key, so receivers that dedupe by key see exactly one effect. A push subscription that
/// its push service calls gone (404/410) is removed with whatever still waits for it.
/// </summary>
public sealed partial class DeliveryWorker(
    OutboxStore outbox,
    SettingsStore settings,
    PushSubscriptionStore pushSubscriptions,
    WebhookSender sender,
    TelegramChatLimiter telegram,
    OutboxWakeup wakeup,
    IOptions<AlertsOptions> options,
    TimeProvider time,
    Services.AlertsTelemetry telemetry,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Keeps up to <c>Parallelism</c> sends in flight: whenever a slot is free it claims due rows for the free
    /// slots, so one slow target never holds back the others' first attempts.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallelism = options.Value.Delivery.Parallelism;
        using var slots = new SemaphoreSlim(parallelism, parallelism);
        var inFlight = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                IReadOnlyList<OutboxMessage> batch;
                try
                {
                    batch = await outbox.ClaimDueAsync(slots.CurrentCount + 1, Lease, stoppingToken);
                }
                catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    slots.Release();
                    LogLoopFailed(ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                    continue;
                }
                if (batch.Count == 0)
                {
                    slots.Release();
                    await wakeup.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }
                for (var i = 1; i < batch.Count; i++)
                {
                    await slots.WaitAsync(stoppingToken);
                }
                inFlight.RemoveAll(t => t.IsCompleted);
                foreach (var message in batch)
                {
                    inFlight.Add(SendOneAsync(message, slots, stoppingToken));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: in-flight sends put their rows back (see DeliverAsync)
        }
        await Task.WhenAll(inFlight);
    }

    private async Task SendOneAsync(OutboxMessage message, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await DeliverAsync(message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the row was put back to pending
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // marking failed: the lease expires and the sweep retries the row (same Idempotency-Key)
            LogLoopFailed(ex);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>One attempt for one row; the row ends delivered, pending (later) or dead.</summary>
    public async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var target = await ResolveAsync(message, cancellationToken);
        var now = time.GetUtcNow();
        if (target is null)
        {
            await outbox.MarkFailedAsync(message.Id, null, "target no longer configured or disabled", now, dead: true, CancellationToken.None);
            return;
        }
        if (!target.Confirmed && message.MessageKind != "confirmation")
        {
            // An address is only written to after confirmation; this row predates a change of address.
            await outbox.MarkFailedAsync(message.Id, null, "e-mail address not confirmed", now, dead: true, CancellationToken.None);
            return;
        }
        if (WebhookKinds.Normalize(target.Kind) == WebhookKinds.Telegram && !telegram.TryAcquire(target.ChatId ?? "", out var slot))
        {
            await outbox.PostponeAsync(message.Id, slot, CancellationToken.None);
            return;
        }
        if (message.Attempts == 0)
        {
            telemetry.FirstAttemptDelay.Record((time.GetUtcNow() - message.CreatedAt).TotalMilliseconds);
        }
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(target, message.MessageId, message.Payload, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await outbox.PostponeAsync(message.Id, now, CancellationToken.None);
            throw;
        }
        telemetry.Deliveries.Add(1, new KeyValuePair<string, object?>("kind", target.Kind),
            new KeyValuePair<string, object?>("outcome", outcome.Delivered ? "delivered" : "failed"));
        if (outcome.Delivered)
        {
            await outbox.MarkDeliveredAsync(message.Id, outcome.StatusCode ?? 200, CancellationToken.None);
            LogDelivered(message.Id, message.Target, message.MessageId, outcome.DurationMs);
            return;
        }
        if (outcome.Gone && message.WebhookId is long gone && WebhookKinds.Normalize(target.Kind) == WebhookKinds.Push)
        {
            await pushSubscriptions.RemoveExpiredAsync(gone, outcome.StatusCode ?? 410, CancellationToken.None);
            LogSubscriptionRemoved(gone, outcome.StatusCode ?? 410);
        }
        var attempt = message.Attempts + 1;
        var dead = outcome.Permanent || attempt >= options.Value.Delivery.MaxAttempts;
        var retryAt = time.GetUtcNow() + (outcome.RetryAfter ?? Backoff(attempt));
        await outbox.MarkFailedAsync(message.Id, outcome.StatusCode, outcome.Error ?? "failed", retryAt, dead, CancellationToken.None);
        if (dead)
        {
            LogDead(message.Id, message.Target, attempt, outcome.Error);
        }
        else
        {
            LogRetry(message.Id, message.Target, attempt, outcome.Error, retryAt);
            // A target asking for a short wait must be retried on time, not at the next sweep.
            _ = WakeAtAsync(retryAt);
        }
    }

    /// <summary>base * 2^(attempt-1), capped, times a random factor in [0.5, 1) (jitter spreads synchronized retries).</summary>
    public TimeSpan Backoff(int attempt)
    {
        var d = options.Value.Delivery;
        var ms = Math.Min(d.MaxDelaySeconds * 1000.0, d.BaseDelayMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    private async Task WakeAtAsync(DateTimeOffset at)
    {
        var wait = at - time.GetUtcNow();
        if (wait > TimeSpan.Zero && wait < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(wait, time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            wakeup.Notify();
        }
    }

    private async Task<WebhookTarget?> ResolveAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (message.Target.StartsWith("operator:", StringComparison.Ordinal)
            && int.TryParse(message.Target.AsSpan("operator:".Length), out var index))
        {
            var hooks = options.Value.Webhooks;
            return index < hooks.Count && !string.IsNullOrWhiteSpace(hooks[index].Url)
                ? new WebhookTarget(WebhookKinds.Normalize(hooks[index].Kind) ?? WebhookKinds.Generic, hooks[index].Url!, hooks[index].Secret,
                    hooks[index].ChatId, IsOperatorTarget: true)
                : null;
        }
        return message.WebhookId is long id ? await settings.GetWebhookAsync(null, id, cancellationToken) : null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered outbox {Id} to {Target} (message {MessageId}) in {Ms} ms")]
    private partial void LogDelivered(long id, string target, string messageId, long ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox {Id} to {Target}: attempt {Attempt} failed ({Error}); retry at {RetryAt:o}")]
    private partial void LogRetry(long id, string target, int attempt, string? error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Id} to {Target} is dead after attempt {Attempt}: {Error}")]
    private partial void LogDead(long id, string target, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push subscription {Id} removed: the push service answered {StatusCode}")]
    private partial void LogSubscriptionRemoved(long id, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery loop failed; retrying")]
    private partial void LogLoopFailed(Exception ex);
}
