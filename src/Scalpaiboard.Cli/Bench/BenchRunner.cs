using System.Diagnostics;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Cli.Bench;

public sealed record BenchOptions(int Symbols = 500, int Warmup = 1440, int Minutes = 60, int BatchSymbols = 10, int BatchMinutes = 10);

public sealed record BenchResult(
    int Symbols,
    int Warmup,
    int Minutes,
    long Updates,
    double PipelineNsPerUpdate,
    double PipelineWallNsPerUpdate,
    double CandlesPerSecond,
    double AllocatedBytesPerUpdate,
    long BytesPerSymbol,
    long Signals,
    long BatchUpdates,
    double BatchNsPerUpdate,
    int BatchMismatches)
{
    public double BatchSpeedup => BatchNsPerUpdate / PipelineNsPerUpdate;
}

/// <summary>
/// <c>scalp bench</c>: a synthetic market through the full pipeline (windows + bars + indicators + presets +
/// cooldown) after a warm-up, timed on the calling thread, then the same updates for a sample of symbols
/// through <see cref="NaiveBatchPipeline"/>.
/// </summary>
public static class BenchRunner
{
    public static BenchResult Run(BenchOptions o, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        var start = DateTimeOffset.Parse("2026-01-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var market = new SyntheticMarket(o.Symbols, start);
        var symbols = market.Symbols;
        var batchSymbols = Math.Min(o.BatchSymbols, o.Symbols);

        // Everything the timed loop reads is generated up front, so only the engine is timed.
        var minute = new Candle[o.Symbols];
        var timed = new Candle[o.Minutes][];
        var histories = new List<Candle>[batchSymbols];
        for (var s = 0; s < batchSymbols; s++)
        {
            histories[s] = new List<Candle>(o.Warmup + o.Minutes);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var engine = new MarketEngine();
        log?.Invoke($"warm-up: {o.Symbols} symbols x {o.Warmup} candles");
        for (var m = 0; m < o.Warmup; m++)
        {
            market.NextMinute(minute);
            for (var s = 0; s < symbols.Length; s++)
            {
                engine.OnClosedCandle(symbols[s], minute[s]);
            }
            for (var s = 0; s < batchSymbols; s++)
            {
                histories[s].Add(minute[s]);
            }
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var bytesPerSymbol = (after - before) / o.Symbols;

        for (var m = 0; m < o.Minutes; m++)
        {
            timed[m] = new Candle[o.Symbols];
            market.NextMinute(timed[m]);
        }

        log?.Invoke($"timed: {o.Symbols} symbols x {o.Minutes} candles");
        long signals = 0;
        var cpu = ThreadCpuTime.NowNs();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var m = 0; m < o.Minutes; m++)
        {
            var candles = timed[m];
            for (var s = 0; s < symbols.Length; s++)
            {
                signals += engine.OnClosedCandle(symbols[s], candles[s]).Fired.Count;
            }
        }
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        cpu = ThreadCpuTime.NowNs() - cpu;
        var updates = (long)o.Minutes * o.Symbols;
        var pipelineNs = (double)cpu / updates;
        var wallNs = watch.Elapsed.TotalNanoseconds / updates;

        // Batch: replay the same timed candles for a sample of symbols, recomputing everything each time, and
        // check on the way that the streaming engine and the batch agree on the windows.
        var batch = new NaiveBatchPipeline(engine.Evaluator, MarketEngineOptions.DefaultIndicatorTimeframes);
        var check = new MarketEngine();
        var batchSnapshot = new MetricsSnapshot();
        var batchMinutes = Math.Min(o.BatchMinutes, o.Minutes);
        for (var s = 0; s < batchSymbols; s++)
        {
            foreach (var c in histories[s])
            {
                check.OnClosedCandle(symbols[s], c);
            }
        }
        log?.Invoke($"batch: {batchSymbols} symbols x {batchMinutes} candles, recomputed from {o.Warmup}+ candles each");
        var mismatches = 0;
        var batchNsTotal = 0L;
        for (var m = 0; m < batchMinutes; m++)
        {
            for (var s = 0; s < batchSymbols; s++)
            {
                histories[s].Add(timed[m][s]);
                var t0 = ThreadCpuTime.NowNs();
                batch.Recompute(histories[s], batchSnapshot);
                batchNsTotal += ThreadCpuTime.NowNs() - t0;
                var streamed = check.OnClosedCandle(symbols[s], timed[m][s]).Snapshot!;
                if (!Agree(streamed, batchSnapshot))
                {
                    mismatches++;
                }
            }
        }
        var batchUpdates = (long)batchMinutes * batchSymbols;
        var batchNs = batchUpdates == 0 ? double.NaN : (double)batchNsTotal / batchUpdates;

        return new BenchResult(o.Symbols, o.Warmup, o.Minutes, updates, pipelineNs, wallNs, 1e9 / pipelineNs,
            (double)allocated / updates, bytesPerSymbol, signals, batchUpdates, batchNs, mismatches);
    }

    private static bool Agree(MetricsSnapshot a, MetricsSnapshot b)
    {
        for (var w = 0; w < Windows.Count; w++)
        {
            if (!Near(a.Change[w], b.Change[w]) || !Near(a.QuoteVolume[w], b.QuoteVolume[w]) || !Near(a.High[w], b.High[w])
                || !Near(a.Low[w], b.Low[w]) || !Near(a.Trades[w], b.Trades[w]))
            {
                return false;
            }
        }
        for (var tf = 0; tf < a.Indicators.Length; tf++)
        {
            if (!Near(a.Indicators[tf].Rsi14, b.Indicators[tf].Rsi14) || !Near(a.Indicators[tf].Macd, b.Indicators[tf].Macd)
                || !Near(a.Indicators[tf].BbUpper, b.Indicators[tf].BbUpper))
            {
                return false;
            }
        }
        return true;
    }

    private static bool Near(double x, double y) =>
        (double.IsNaN(x) && double.IsNaN(y)) || Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(y));
}
