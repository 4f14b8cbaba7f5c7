using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services.Feeds;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Start-up and life of the feed: rebuilds the rolling state from PostgreSQL (the last Ingest:RestoreMinutes per symbol),
/// re-publishes events for candles stored after the last published one (a crash between commit and XADD), then
/// runs the configured feed, which continues after the newest stored candle per symbol. Before the 1m restore, each
/// symbol's 4h/8h/1d indicators are seeded with the closed bars from before its restored range (<c>ingest.bars</c>,
/// completed from the stored 1m candles where a bar is missing), so they equal those of an engine that kept running.
/// </summary>
public sealed partial class FeedHostedService(
    IMarketFeed feed,
    IngestPipeline pipeline,
    CandleStore store,
    DerivativesStore derivativesStore,
    BarRecorder barRecorder,
    BarSeeder barSeeder,
    FeedStatus status,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<FeedHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        status.Feed = options.Value.Feed;
        status.State = FeedStates.Starting;
        await Task.Yield();
        var rebuilt = false;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                // The engine state is rebuilt once; a live feed that failed continues from what is stored now.
                var lastStored = rebuilt ? await store.LastOpenTimesAsync(stoppingToken) : await RebuildAsync(stoppingToken);
                rebuilt = true;
                barRecorder.MarkReady();
                await feed.RunAsync(pipeline, lastStored, stoppingToken);
                if (status.State != FeedStates.Completed)
                {
                    status.State = FeedStates.Completed;
                }
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                status.State = FeedStates.Failed;
                status.Error = ex.Message;
                LogFeedFailed(logger, feed.Name, ex);
                if (feed.Name == FeedKinds.Replay)
                {
                    return;
                }
                // Live feeds try again: the state is rebuilt from what was stored, and the gap is filled.
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, 2 * attempt)), time, stoppingToken);
            }
        }
    }

    private async Task<IReadOnlyDictionary<string, long>> RebuildAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var lastStored = await store.LastOpenTimesAsync(cancellationToken);
        var published = await store.PublishedOpenTimeAsync(cancellationToken) ?? long.MaxValue;
        long restored = 0, republished = 0, seeded = 0;
        foreach (var (symbol, last) in lastStored)
        {
            // The symbol's first restored candle (ReadRecentAsync starts at a UTC day start, or at the oldest stored
            // candle after it): every bar before its bar is closed, so it is recorded (if a crash kept it from the
            // table) and seeds the engine.
            var restoreFrom = Timeframe.D1.AlignedOpen(last - (options.Value.RestoreMinutes * Candle.MinuteMs));
            var first = await store.FirstOpenTimeAsync(symbol, restoreFrom, cancellationToken) ?? last;
            await barRecorder.CatchUpAsync(symbol, first, cancellationToken);
            seeded += await barSeeder.SeedFromStoreAsync(symbol, first, cancellationToken);
        }
        // The derivatives history first (each candle reads the samples known at its close): from a day before the
        // oldest restored candle, so the 1d open-interest change of the first one is there too.
        var derivatives = 0;
        if (lastStored.Count > 0)
        {
            var since = lastStored.Values.Min() - (options.Value.RestoreMinutes * Candle.MinuteMs) - Market.Derivatives.DerivativesHistory.KeepMs;
            var samples = await derivativesStore.ReadSinceAsync(since, cancellationToken);
            pipeline.RestoreDerivatives(samples);
            derivatives = samples.Count;
        }
        var group = new List<SymbolCandle>();
        long groupTime = long.MinValue;
        async Task FlushGroupAsync()
        {
            if (group.Count == 0)
            {
                return;
            }
            if (groupTime <= published)
            {
                pipeline.Restore(group);
                restored += group.Count;
            }
            else
            {
                await pipeline.RepublishAsync(groupTime, group.ToArray(), cancellationToken);
                republished += group.Count;
            }
            group.Clear();
        }
        await foreach (var sc in store.ReadRecentAsync(options.Value.RestoreMinutes, cancellationToken))
        {
            if (sc.Candle.OpenTime != groupTime)
            {
                await FlushGroupAsync();
                groupTime = sc.Candle.OpenTime;
            }
            group.Add(sc);
        }
        await FlushGroupAsync();
        await pipeline.FlushAsync(cancellationToken);
        if (lastStored.Count > 0)
        {
            status.AddIngested(0, lastStored.Values.Max());
        }
        LogRebuilt(logger, lastStored.Count, seeded, restored, republished, derivatives, (long)time.GetElapsedTime(started).TotalMilliseconds);
        return lastStored;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rolling state rebuilt from PostgreSQL: {Symbols} symbols, {Seeded} higher-timeframe bars seeded, {Restored} candles, {Republished} re-published, {Derivatives} derivatives samples in {ElapsedMs} ms")]
    private static partial void LogRebuilt(ILogger logger, int symbols, long seeded, long restored, long republished, int derivatives, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Feed {Feed} failed")]
    private static partial void LogFeedFailed(ILogger logger, string feed, Exception ex);
}
