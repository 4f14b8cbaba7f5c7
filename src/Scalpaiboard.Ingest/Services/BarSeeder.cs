using System.Runtime.InteropServices;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Seeds the market engine's 4h/8h/1d indicators with closed bars from before a symbol's 1m history
/// (<see cref="MarketEngine.SeedBars"/>): from <c>ingest.bars</c> at a restart, or from a feed's coarse history (4h
/// bars, with the 8h and 1d bars aggregated from them) on a first start. Call it only while no candle is being fed
/// (before the restore and before the feed delivers): the engine is not thread-safe.
/// </summary>
public sealed partial class BarSeeder(MarketEngine engine, BarStore store, BarRecorder recorder, ILogger<BarSeeder> logger)
{
    /// <summary>
    /// True when the symbol has no 1m candle in the engine yet and was not seeded (e.g. by an attempt of a feed that
    /// failed and is run again): seeding is still to do.
    /// </summary>
    public bool CanSeed(string symbol) => engine.GetState(symbol) is not { LatestOpenTime: not long.MinValue } && !engine.IsSeeded(symbol);

    /// <summary>
    /// Seeds every timeframe with the stored bars that end at or before the bar of <paramref name="firstCandleOpenTime"/>
    /// (the first 1m candle that will be fed). Returns the number of bars seeded.
    /// </summary>
    public async Task<int> SeedFromStoreAsync(string symbol, long firstCandleOpenTime, CancellationToken cancellationToken)
    {
        if (!CanSeed(symbol))
        {
            return 0;
        }
        // All read first, then seeded at once: a failed read leaves the symbol unseeded, to be tried again.
        var read = new List<Candle>[BarStore.Timeframes.Length];
        for (var i = 0; i < read.Length; i++)
        {
            var tf = BarStore.Timeframes[i];
            read[i] = await store.ReadBeforeAsync(symbol, tf, tf.AlignedOpen(firstCandleOpenTime), cancellationToken);
        }
        var seeded = 0;
        for (var i = 0; i < read.Length; i++)
        {
            engine.SeedBars(symbol, BarStore.Timeframes[i], CollectionsMarshal.AsSpan(read[i]), firstCandleOpenTime);
            seeded += read[i].Count;
        }
        return seeded;
    }

    /// <summary>
    /// Stores a coarse history of closed 4h bars (oldest first, ending at or before <paramref name="firstCandleOpenTime"/>)
    /// with the 8h and 1d bars aggregated from it (from its first whole UTC day), and seeds the engine with them.
    /// </summary>
    public async Task<int> StoreAndSeedAsync(string symbol, IReadOnlyList<Candle> h4, long firstCandleOpenTime, CancellationToken cancellationToken)
    {
        var dayStart = h4.Count == 0 ? 0 : Timeframe.D1.AlignedOpen(h4[0].OpenTime + Timeframe.D1.DurationMs() - 1);
        var whole = h4.Where(b => b.OpenTime >= dayStart).ToArray();
        var all = new List<SymbolBar>(h4.Count * 2);
        var byTimeframe = new Dictionary<Timeframe, List<Candle>> { [Timeframe.H4] = [.. h4] };
        foreach (var tf in new[] { Timeframe.H8, Timeframe.D1 })
        {
            var list = new List<Candle>();
            BarBuilder.Aggregate(whole, tf, list);
            byTimeframe[tf] = list;
        }
        foreach (var (tf, bars) in byTimeframe)
        {
            all.AddRange(bars.Select(b => new SymbolBar(symbol, tf, b)));
        }
        // Checked by the engine before anything is stored: a bad history fails the feed, not the table.
        foreach (var (tf, bars) in byTimeframe)
        {
            MarketEngine.CheckSeedBars(symbol, tf, CollectionsMarshal.AsSpan(bars), firstCandleOpenTime);
        }
        await store.UpsertAsync(all, cancellationToken);
        foreach (var (tf, bars) in byTimeframe)
        {
            if (bars.Count > 0)
            {
                await recorder.NoteAsync(symbol, tf, bars[^1].OpenTime, cancellationToken);
            }
        }
        if (CanSeed(symbol))
        {
            foreach (var (tf, bars) in byTimeframe)
            {
                engine.SeedBars(symbol, tf, CollectionsMarshal.AsSpan(bars), firstCandleOpenTime);
            }
        }
        LogSeeded(logger, symbol, h4.Count, firstCandleOpenTime);
        return all.Count;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Symbol}: stored and seeded {Bars} 4h bars (with 8h and 1d) before {FirstCandleOpenTime}")]
    private static partial void LogSeeded(ILogger logger, string symbol, int bars, long firstCandleOpenTime);
}
