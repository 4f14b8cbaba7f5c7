using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;

namespace Scalpaiboard.Alerts.Services;

/// <summary>
/// Reads <c>market.metrics</c> through the consumer group <c>alerts</c>. Order of work: create the group (from 0,
/// MKSTREAM); take over entries left pending by dead consumers (a killed predecessor of this process) before
/// anything new, so the stream is still processed in order; re-read this consumer's own pending entries (id 0);
/// then new entries (&gt;) with BLOCK, and every few seconds XAUTOCLAIM entries idle longer than
/// <c>Alerts:Consumer:ClaimIdleSeconds</c>. Each entry is acknowledged only after its transaction committed.
/// </summary>
public sealed partial class MetricsConsumer(
    IEventStream stream,
    SignalProcessor processor,
    ConsumerState state,
    IOptions<AlertsOptions> options,
    TimeProvider time,
    ILogger<MetricsConsumer> logger) : BackgroundService
{
    private const string Stream = EventNames.MetricsStream;
    private const string Group = EventNames.AlertsGroup;
    private const int MaxPoisonAttempts = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.Consumer;
        var consumer = string.IsNullOrWhiteSpace(o.Name) ? $"{Environment.MachineName}-{Environment.ProcessId}" : o.Name;
        state.ConsumerName = consumer;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(consumer, o, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                state.Running = false;
                state.LastError = ex.Message;
                state.LastErrorAt = time.GetUtcNow();
                LogLoopFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        state.Running = false;
    }

    private async Task RunAsync(string consumer, ConsumerOptions o, CancellationToken ct)
    {
        await stream.EnsureGroupAsync(Stream, Group, "0", ct);
        await processor.InitializeAsync(ct);
        state.Running = true;
        LogStarted(consumer);
        var claimIdle = TimeSpan.FromSeconds(o.ClaimIdleSeconds);

        await TakeOverDeadConsumersAsync(consumer, claimIdle, o.BatchSize, ct);
        while (true)
        {
            var own = await stream.ReadGroupAsync(Stream, Group, consumer, "0", o.BatchSize, TimeSpan.Zero, ct);
            if (own.Count == 0)
            {
                break;
            }
            await HandleAsync(own, ct);
        }

        var nextClaim = time.GetUtcNow() + TimeSpan.FromSeconds(o.ClaimIntervalSeconds);
        while (!ct.IsCancellationRequested)
        {
            if (time.GetUtcNow() >= nextClaim)
            {
                nextClaim = time.GetUtcNow() + TimeSpan.FromSeconds(o.ClaimIntervalSeconds);
                var claimed = await stream.ClaimIdleAsync(Stream, Group, consumer, claimIdle, o.BatchSize, ct);
                if (claimed.Count > 0)
                {
                    LogClaimed(claimed.Count);
                    await HandleAsync(claimed, ct);
                    continue;
                }
            }
            var entries = await stream.ReadGroupAsync(Stream, Group, consumer, ">", o.BatchSize, TimeSpan.FromMilliseconds(o.BlockMilliseconds), ct);
            state.CaughtUp = entries.Count == 0;
            await HandleAsync(entries, ct);
        }
    }

    /// <summary>
    /// Entries pending on other consumers at start-up are usually a killed predecessor's: wait until they are idle
    /// long enough to be claimable (a live replica acknowledges its own well before that), and process them first.
    /// </summary>
    private async Task TakeOverDeadConsumersAsync(string consumer, TimeSpan claimIdle, int batchSize, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + claimIdle + claimIdle;
        // Only what was pending when we started: a live replica keeps having fresh in-flight entries.
        HashSet<string>? atStart = null;
        while (time.GetUtcNow() < deadline)
        {
            var pending = await stream.PendingAsync(Stream, Group, 1000, ct);
            atStart ??= pending.Where(p => p.Consumer != consumer).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var others = pending.Where(p => p.Consumer != consumer && atStart.Contains(p.Id)).ToList();
            if (others.Count == 0)
            {
                return;
            }
            if (others.Any(p => p.Idle >= claimIdle))
            {
                var claimed = await stream.ClaimIdleAsync(Stream, Group, consumer, claimIdle, batchSize, ct);
                if (claimed.Count > 0)
                {
                    LogClaimed(claimed.Count);
                    await HandleAsync(claimed, ct);
                    continue;
                }
            }
            var wait = claimIdle - others.Min(p => p.Idle);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : wait > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : wait,
                time, ct);
        }
    }

    /// <summary>
    /// Processes entries in stream order: consecutive readable entries share one transaction (fewer commits when
    /// behind), then are acknowledged together. If that keeps failing for a reason other than an outage, the entries
    /// are retried one by one so a single poison entry cannot hold back the others.
    /// </summary>
    private async Task HandleAsync(IReadOnlyList<StreamEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }
        var batches = new List<MetricsBatch>(entries.Count);
        foreach (var entry in entries)
        {
            var data = entry.GetBytes("data");
            try
            {
                if (data is { } bytes)
                {
                    batches.Add(MetricsBatchReader.ReadEntry(bytes.Span));
                }
                else
                {
                    LogMalformed(null, entry.Id);
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
                // MetricsFrameException is a FormatException: truncated, wrong magic or version, absurd counts.
                LogMalformed(ex, entry.Id);
            }
        }
        if (batches.Count == 0 || await TryProcessAsync(batches, ct) || batches.Count == 1)
        {
            await AcknowledgeAsync(entries, ct);
            return;
        }
        foreach (var entry in entries)
        {
            await HandleAsync([entry], ct);
        }
    }

    /// <summary>Retries through outages until committed; false after a few non-outage failures (a poison entry).</summary>
    private async Task<bool> TryProcessAsync(IReadOnlyList<MetricsBatch> batches, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (processor.NeedsReseed)
                {
                    await processor.InitializeAsync(ct);
                    processor.NeedsReseed = false;
                }
                var result = await processor.ProcessAsync(batches, ct);
                Interlocked.Add(ref state.Signals, result.Signals);
                Interlocked.Add(ref state.Triggers, result.Triggers);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                state.LastError = ex.Message;
                state.LastErrorAt = time.GetUtcNow();
                var transient = ex is Npgsql.NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException
                    or Npgsql.NpgsqlException { InnerException: System.Net.Sockets.SocketException or IOException or TimeoutException };
                if (!transient && attempt >= MaxPoisonAttempts)
                {
                    LogPoison(ex, batches[0].OpenTime, batches.Count, attempt);
                    return false;
                }
                await Task.Delay(delay, time, ct);
                delay = delay < TimeSpan.FromSeconds(5) ? delay * 2 : delay;
            }
        }
    }

    private async Task AcknowledgeAsync(IReadOnlyList<StreamEntry> entries, CancellationToken ct)
    {
        await stream.AcknowledgeAsync(Stream, Group, entries.Select(e => e.Id).ToArray(), ct);
        Interlocked.Add(ref state.Processed, entries.Count);
        var last = entries[^1];
        state.LastEntryId = last.Id;
        var now = time.GetUtcNow();
        state.LastProcessedAt = now;
        if (EntryTime(last.Id) is long ms)
        {
            state.LastLag = now - DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    private static long? EntryTime(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return long.TryParse(dash < 0 ? id : id[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming market.metrics as {Consumer} in group alerts")]
    private partial void LogStarted(string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} idle entries of other consumers")]
    private partial void LogClaimed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping malformed stream entry {Id}")]
    private partial void LogMalformed(Exception? ex, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} stream entries from candle {OpenTime} failed {Attempts} times (not an outage); a single one is skipped, several are retried one by one")]
    private partial void LogPoison(Exception ex, long openTime, int count, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consumer loop failed; restarting")]
    private partial void LogLoopFailed(Exception ex);
}
