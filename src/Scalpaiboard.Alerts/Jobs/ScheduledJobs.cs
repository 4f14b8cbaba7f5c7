using Hangfire;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;
using Scalpaiboard.Alerts.Services;

namespace Scalpaiboard.Alerts.Jobs;

// Hangfire recurring jobs (registered in RecurringJobsRegistration). Each occurrence is enqueued once by whichever
// replica's scheduler holds Hangfire's distributed lock and runs on one worker; [DisableConcurrentExecution] makes an
// occurrence wait (up to the timeout) while the previous one still runs, on any replica. No automatic retries: the
// next occurrence is the retry, and a failed run stays visible in the dashboard.

/// <summary>Deletes signals older than <c>Alerts:RetentionHours</c> (by candle time), and old triggers and finished outbox rows.</summary>
[DisableConcurrentExecution(timeoutInSeconds: 600)]
[AutomaticRetry(Attempts = 0)]
public sealed partial class RetentionJob(
    SignalStore signals, UserAlertStore alerts, OutboxStore outbox, IOptions<AlertsOptions> options,
    TimeProvider time, ILogger<RetentionJob> logger)
{
    public const string Id = "retention";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromHours(options.Value.RetentionHours);
        var s = await signals.DeleteOlderThanAsync(cutoff.ToUnixTimeMilliseconds(), cancellationToken);
        var t = await alerts.DeleteTriggersOlderThanAsync(cutoff, cancellationToken);
        var o = await outbox.DeleteFinishedOlderThanAsync(cutoff, cancellationToken);
        if (s + t + o > 0)
        {
            LogDeleted(s, t, o);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Signals} signals, {Triggers} triggers, {Outbox} outbox rows")]
    private partial void LogDeleted(int signals, int triggers, int outbox);
}

/// <summary>
/// The outbox fallback: rows left 'sending' by a crashed worker go back to pending, held rows of finished periods
/// become digests (never two sweeps at once: a digest must be built once), and the delivery worker is woken when
/// anything is due (retries, other replicas' rows).
/// </summary>
[DisableConcurrentExecution(timeoutInSeconds: 60)]
[AutomaticRetry(Attempts = 0)]
public sealed class OutboxSweepJob(OutboxStore outbox, OutboxWakeup wakeup, IOptions<AlertsOptions> options)
{
    public const string Id = "outbox-sweep";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await outbox.ReleaseExpiredLeasesAsync(cancellationToken);
        await outbox.BuildDigestsAsync(options.Value.Delivery.DigestIntervalSeconds, cancellationToken);
        if (await outbox.AnyDueAsync(cancellationToken))
        {
            wakeup.Notify();
        }
    }
}

/// <summary>
/// A symbol silent for <c>Alerts:Jobs:StaleAfterMinutes</c> of feed time raises a <c>system_stale_data</c> signal
/// (once per silence: its identity is the symbol's last candle) and makes /health Degraded (see FeedHealthCheck).
/// </summary>
[DisableConcurrentExecution(timeoutInSeconds: 60)]
[AutomaticRetry(Attempts = 0)]
public sealed partial class StaleDataWatchdogJob(
    FeedStore feed, IOptions<AlertsOptions> options, Npgsql.NpgsqlDataSource dataSource,
    LivePublisher live, ILogger<StaleDataWatchdogJob> logger)
{
    public const string Id = "stale-data-watchdog";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var j = options.Value.Jobs;
        var (newest, stale) = await feed.StaleAsync(j.StaleAfterMinutes * 60_000L, j.ForgetAfterMinutes * 60_000L, cancellationToken);
        foreach (var s in stale)
        {
            var metrics = Json.Serialize(new { lastOpenTime = s.LastOpenTime, feedOpenTime = newest, silentMinutes = (newest - s.LastOpenTime) / 60_000 });
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await conn.BeginTransactionAsync(cancellationToken);
            var id = await SignalStore.TryInsertAsync(conn, tx, s.Symbol, SystemSignalTypes.StaleData, s.LastOpenTime, s.LastPrice, metrics, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            if (id is long signalId)
            {
                LogStale(s.Symbol, (newest - s.LastOpenTime) / 60_000);
                await live.PublishSignalAsync(new SignalDto(signalId, s.Symbol, SystemSignalTypes.StaleData, s.LastOpenTime,
                    CandleTime.CloseOf(s.LastOpenTime), SignalDto.Finite(s.LastPrice), Json.Parse(metrics)), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stale data: {Symbol} silent for {Minutes} minutes of feed time")]
    private partial void LogStale(string symbol, long minutes);
}
