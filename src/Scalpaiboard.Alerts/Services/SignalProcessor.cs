using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;
using Scalpaiboard.Alerts.Services.Engine;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Alerts.Services;

/// <summary>
/// Turns one metrics batch into signals, alert triggers and outbox rows, all in one PostgreSQL transaction; after the
/// commit it publishes the new ones live and wakes the delivery worker. Only newly inserted rows (the identity
/// constraints decide) produce notifications, so processing a batch twice has the effect of processing it once.
/// Called from the consumer's single loop, in stream order.
/// </summary>
public sealed partial class SignalProcessor(
    NpgsqlDataSource dataSource,
    SignalStore signals,
    PresetRules presets,
    ConditionRules conditions,
    UserAlertCache alerts,
    LivePublisher live,
    OutboxWakeup wakeup,
    IOptions<AlertsOptions> options,
    IOptions<NotificationsOptions> notifications,
    AlertsTelemetry telemetry,
    ILogger<SignalProcessor> logger)
{
    private readonly List<PresetType> _fired = new(PresetTypes.Count);
    private readonly List<Decision> _decisions = [];

    /// <summary>Rebuilds the cooldown from the stored signals (start-up, and after a failed batch).</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var last = await signals.LastFiresAsync(long.MinValue, cancellationToken);
        presets.Reset(last);
        alerts.Invalidate();
        LogSeeded(last.Count);
    }

    public Task<BatchResult> ProcessAsync(MetricsBatch batch, CancellationToken cancellationToken) => ProcessAsync([batch], cancellationToken);

    /// <summary>
    /// Several consecutive stream entries in one transaction (fewer commits when the consumer is behind), evaluated
    /// strictly in the given order; all or nothing.
    /// </summary>
    public async Task<BatchResult> ProcessAsync(IReadOnlyList<MetricsBatch> batches, CancellationToken cancellationToken)
    {
        var first = batches[0];
        var started = Stopwatch.GetTimestamp();
        using var activity = AlertsTelemetry.Source.StartActivity("alerts.process_batch");
        activity?.SetTag("alerts.open_time", first.OpenTime);
        activity?.SetTag("alerts.entries", batches.Count);
        await alerts.RefreshIfNeededAsync(cancellationToken);
        var newSignals = new List<SignalDto>();
        var newTriggers = new List<(string UserId, TriggerEvent Trigger, CachedAlert Alert)>();
        var outboxRows = 0;
        long committed;
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await conn.BeginTransactionAsync(cancellationToken);
            foreach (var batch in batches)
            {
                outboxRows += await ProcessEntryAsync(conn, tx, batch, newSignals, newTriggers, cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            committed = Stopwatch.GetTimestamp();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The cooldown moved ahead for signals that were never stored: rebuild it from what was committed.
            LogBatchFailed(ex, first.OpenTime);
            await TryReseedAsync(cancellationToken);
            throw;
        }
        foreach (var (_, trigger, cached) in newTriggers)
        {
            cached.LastTriggeredOpenTime = Math.Max(cached.LastTriggeredOpenTime ?? long.MinValue, trigger.OpenTime);
            cached.Disabled = !cached.Alert.Recurring;
        }
        if (outboxRows > 0)
        {
            wakeup.Notify();
        }
        foreach (var s in newSignals)
        {
            await live.PublishSignalAsync(s, cancellationToken);
        }
        foreach (var (userId, trigger, _) in newTriggers)
        {
            await live.PublishTriggerAsync(userId, trigger, cancellationToken);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        alerts.RefreshInBackgroundIfStale();
        telemetry.BatchDuration.Record(elapsed.TotalMilliseconds);
        telemetry.Signals.Add(newSignals.Count);
        telemetry.Triggers.Add(newTriggers.Count);
        return new BatchResult(newSignals.Count, newTriggers.Count, outboxRows, elapsed, committed);
    }

    /// <summary>
    /// The pure, in-memory half of an entry: runs the ten presets (with the cooldown) and every enabled user alert of
    /// the entry's symbols, and lists, in evaluation order, what has to be written. No I/O and no per-alert allocation;
    /// the database half (<see cref="ProcessAsync(IReadOnlyList{MetricsBatch}, CancellationToken)"/>) then decides
    /// with the identity constraints and the alert's cooldown in SQL what is really new.
    /// </summary>
    public void Evaluate(MetricsBatch batch, List<Decision> decisions)
    {
        foreach (var s in batch.Items)
        {
            _fired.Clear();
            presets.Fire(s, _fired);
            foreach (var type in _fired)
            {
                decisions.Add(new Decision(s, type, null));
            }
            var list = alerts.For(s.Symbol);
            for (var i = 0; i < list.Length; i++)
            {
                var cached = list[i];
                if (cached.MayTrigger(s.OpenTime) && conditions.Matches(cached.Conditions, s))
                {
                    decisions.Add(new Decision(s, default, cached));
                }
            }
        }
    }

    /// <summary>One stream entry inside the caller's transaction; returns the outbox rows written.</summary>
    private async Task<int> ProcessEntryAsync(NpgsqlConnection conn, NpgsqlTransaction tx, MetricsBatch batch, List<SignalDto> newSignals,
        List<(string UserId, TriggerEvent Trigger, CachedAlert Alert)> newTriggers, CancellationToken cancellationToken)
    {
        var opts = options.Value;
        var outboxRows = 0;
        if (batch.Items.Count > 0)
        {
            // one row per symbol (ON CONFLICT cannot touch a row twice in one statement): the latest candle wins
            var latest = new Dictionary<string, (long OpenTime, double Price)>(batch.Items.Count, StringComparer.Ordinal);
            foreach (var item in batch.Items)
            {
                if (!latest.TryGetValue(item.Symbol, out var seen) || item.OpenTime >= seen.OpenTime)
                {
                    latest[item.Symbol] = (item.OpenTime, double.IsFinite(item.Price) ? item.Price : 0);
                }
            }
            await FeedStore.UpsertAsync(conn, tx, [.. latest.Keys], [.. latest.Values.Select(v => v.OpenTime)],
                [.. latest.Values.Select(v => v.Price)], cancellationToken);
        }
        _decisions.Clear();
        Evaluate(batch, _decisions);
        MetricsSnapshot? metricsOf = null;
        string? metrics = null;
        foreach (var (s, type, cached) in _decisions)
        {
            if (!ReferenceEquals(metricsOf, s))
            {
                metricsOf = s;
                metrics = MetricsJson.Write(s);
            }
            if (cached is null)
            {
                var key = type.Key();
                var id = await SignalStore.TryInsertAsync(conn, tx, s.Symbol, key, s.OpenTime, s.Price, metrics!, cancellationToken);
                if (id is not long signalId)
                {
                    continue;
                }
                var payload = NotificationPayloads.Signal(signalId, s.Symbol, key, s.OpenTime, s.Price, metrics!);
                var messageId = signalId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                outboxRows += await OutboxStore.EnqueueOperatorAsync(conn, tx, opts.Webhooks, "signal", messageId, signalId, payload, cancellationToken);
                outboxRows += await OutboxStore.EnqueueSubscribersAsync(conn, tx, key, s.Symbol, messageId, signalId, payload,
                    new FloodLimits(opts.MaxNotificationsPerHour, notifications.Value.Email.MaxPerMinute), cancellationToken);
                newSignals.Add(new SignalDto(signalId, s.Symbol, key, s.OpenTime, CandleTime.CloseOf(s.OpenTime), SignalDto.Finite(s.Price), Json.Parse(metrics!)));
                continue;
            }
            var a = cached.Alert;
            var triggerId = await UserAlertStore.TryTriggerAsync(conn, tx, a, s.OpenTime, s.Price, metrics!, cancellationToken);
            if (triggerId is not long tid)
            {
                continue;
            }
            var conditionsJson = Json.Serialize(a.Conditions);
            var conditionType = a.Conditions.Count > 0 ? a.Conditions[0].Type : "alert";
            var message = conditions.Describe(cached.Conditions, s);
            var alertPayload = NotificationPayloads.Alert(tid, a.Id, s.Symbol, conditionType, s.OpenTime, s.Price, metrics!, conditionsJson, a.Note, message);
            outboxRows += await OutboxStore.EnqueueUserAlertAsync(conn, tx, a.UserId, s.Symbol, NotificationPayloads.AlertMessageId(tid), tid,
                alertPayload, new FloodLimits(opts.MaxNotificationsPerHour, notifications.Value.Email.MaxPerMinute), cancellationToken);
            newTriggers.Add((a.UserId, new TriggerEvent(tid, a.Id, s.Symbol, conditionType, s.OpenTime, CandleTime.CloseOf(s.OpenTime), SignalDto.Finite(s.Price),
                Json.Parse(metrics!), a.Conditions, a.Note, a.Recurring, message), cached));
        }
        return outboxRows;
    }

    private async Task TryReseedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // PostgreSQL is down: the consumer retries the batch, and reseeds first (see MetricsConsumer).
            LogReseedFailed(ex);
            NeedsReseed = true;
        }
    }

    /// <summary>True when a failed batch left the cooldown unsynchronised and the reseed failed too.</summary>
    public bool NeedsReseed { get; set; }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cooldown seeded from {Count} stored (symbol, type) last fires")]
    private partial void LogSeeded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch of candle {OpenTime} failed; nothing was committed")]
    private partial void LogBatchFailed(Exception ex, long openTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reseed the cooldown; will retry before the next batch")]
    private partial void LogReseedFailed(Exception ex);
}

/// <summary>
/// What the evaluation decided for one symbol's snapshot: a preset signal to insert (<see cref="Alert"/> null), or a
/// user alert whose conditions hold (the database still checks its enabled flag and cooldown).
/// </summary>
public readonly record struct Decision(MetricsSnapshot Snapshot, PresetType Preset, CachedAlert? Alert);

/// <summary>What one processed batch stored; <paramref name="CommittedTimestamp"/> is the <see cref="Stopwatch"/> time of the commit.</summary>
public sealed record BatchResult(int Signals, int Triggers, int OutboxRows, TimeSpan Elapsed, long CommittedTimestamp);

/// <summary>A user alert trigger as the live channel and the API show it.</summary>
public sealed record TriggerEvent(
    long Id,
    long AlertId,
    string Symbol,
    string Type,
    long OpenTime,
    DateTimeOffset Time,
    double? Price,
    System.Text.Json.JsonElement Metrics,
    IReadOnlyList<AlertConditionDto> Conditions,
    string Note,
    bool Recurring,
    string Message);
