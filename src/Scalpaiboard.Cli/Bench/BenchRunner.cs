using System.Diagnostics;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Cli.Bench;

/// <param name="Derivatives">Also feed each symbol derivatives as a live feed would (docs/derivatives.md): a mark-price
/// update every minute, an open-interest sample every 5 minutes, a funding settlement every 8 hours, a liquidation
/// every 7 minutes or so; timed with the candles.</param>
public sealed record BenchOptions(int Symbols = 500, int Warmup = 1440, int Minutes = 60, int? BatchSymbols = null, int BatchMinutes = 2, bool Indicators = true,
    bool Derivatives = true);

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
/// cooldown) after a warm-up, timed on the calling thread (CPU time of the thread, so waiting for a core on a
/// shared machine is not counted), and a few minutes of the same market through <see cref="NaiveBatchPipeline"/>,
/// checked against the engine's snapshots on the way.
/// </summary>
public static class BenchRunner
{
    public static BenchResult Run(BenchOptions o, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        var start = DateTimeOffset.Parse("2026-01-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var market = new SyntheticMarket(o.Symbols, start);
        var symbols = market.Symbols;
        var batchSymbols = Math.Min(o.BatchSymbols ?? o.Symbols, o.Symbols);
        var batchMinutes = o.BatchMinutes;

        WarmUpJit(start, o.Indicators);

        var minute = new Candle[o.Symbols];
        var histories = new List<Candle>[batchSymbols];
        for (var s = 0; s < batchSymbols; s++)
        {
            histories[s] = new List<Candle>(o.Warmup + batchMinutes);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var engineOptions = new MarketEngineOptions { ComputeIndicators = o.Indicators };
        var engine = new MarketEngine(engineOptions) { TracksLiquidations = o.Derivatives };
        log?.Invoke($"warm-up: {o.Symbols} symbols x {o.Warmup} candles{(o.Derivatives ? " with derivatives" : "")}");
        var samples = new List<DerivativesUpdate>(o.Symbols * 3);
        for (var m = 0; m < o.Warmup; m++)
        {
            market.NextMinute(minute);
            if (o.Derivatives)
            {
                Derivatives(symbols, minute, m, samples);
                foreach (var u in samples)
                {
                    engine.OnDerivatives(u);
                }
            }
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

        // Batch: the next minutes, for every symbol (or a sample) recomputed from the whole history, compared
        // with the streaming engine's snapshot of the same candle (which the engine computes untimed here).
        var batch = new NaiveBatchPipeline(engine.Evaluator, o.Indicators ? engineOptions.IndicatorTimeframes : []);
        var batchSnapshot = new MetricsSnapshot();
        log?.Invoke($"batch: {batchSymbols} symbols x {batchMinutes} candles, each recomputed from {o.Warmup}+ candles");
        if (batchSymbols > 0 && histories[0].Count > 0)
        {
            batch.Recompute(histories[0], batchSnapshot); // untimed: JIT-compiles the batch path first
        }
        var mismatches = 0;
        var batchNsTotal = 0L;
        for (var m = 0; m < batchMinutes; m++)
        {
            market.NextMinute(minute);
            for (var s = 0; s < symbols.Length; s++)
            {
                var streamed = engine.OnClosedCandle(symbols[s], minute[s]);
                if (s >= batchSymbols)
                {
                    continue;
                }
                histories[s].Add(minute[s]);
                var t0 = ThreadCpuTime.NowNs();
                var held = batch.Recompute(histories[s], batchSnapshot);
                batchNsTotal += ThreadCpuTime.NowNs() - t0;
                if (!Agree(streamed.Snapshot!, batchSnapshot) || held != streamed.Held)
                {
                    mismatches++;
                }
            }
        }
        var batchUpdates = (long)batchMinutes * batchSymbols;
        var batchNs = batchUpdates == 0 ? double.NaN : (double)batchNsTotal / batchUpdates;

        // Everything the timed loop reads is generated up front, so only the engine is timed.
        var timed = new Candle[o.Minutes][];
        var timedSamples = new DerivativesUpdate[o.Minutes][];
        for (var m = 0; m < o.Minutes; m++)
        {
            timed[m] = new Candle[o.Symbols];
            market.NextMinute(timed[m]);
            if (o.Derivatives)
            {
                Derivatives(symbols, timed[m], o.Warmup + batchMinutes + m, samples);
            }
            else
            {
                samples.Clear();
            }
            timedSamples[m] = [.. samples];
        }

        log?.Invoke($"timed: {o.Symbols} symbols x {o.Minutes} candles");
        long signals = 0;
        var cpu = ThreadCpuTime.NowNs();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var m = 0; m < o.Minutes; m++)
        {
            var candles = timed[m];
            var pending = timedSamples[m];
            for (var u = 0; u < pending.Length; u++)
            {
                engine.OnDerivatives(pending[u]);
            }
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

        return new BenchResult(o.Symbols, o.Warmup, o.Minutes, updates, pipelineNs, wallNs, 1e9 / pipelineNs,
            (double)allocated / updates, bytesPerSymbol, signals, batchUpdates, batchNs, mismatches);
    }

    /// <summary>
    /// The derivatives samples of minute <paramref name="m"/> (known before its candles close): every symbol's mark
    /// price, its open interest every 5 minutes, funding every 8 hours, and a liquidation for about one symbol in seven.
    /// </summary>
    private static void Derivatives(string[] symbols, Candle[] minute, int m, List<DerivativesUpdate> samples)
    {
        samples.Clear();
        for (var s = 0; s < symbols.Length; s++)
        {
            var c = minute[s];
            var close = c.OpenTime + Candle.MinuteMs;
            samples.Add(DerivativesUpdate.Of(symbols[s], new MarkPriceSample(close - 500, c.Close * 1.0001, 0.0001, close + 3_600_000)));
            if (m % 5 == 0)
            {
                var contracts = 1e6 + ((m * 37 + s * 11) % 1000);
                samples.Add(DerivativesUpdate.Of(symbols[s], new OpenInterestSample(c.OpenTime, contracts, contracts * c.Close, 1.2, 1.1, 0.95)));
            }
            if (m % 480 == 0)
            {
                samples.Add(DerivativesUpdate.Of(symbols[s], new FundingSample(c.OpenTime, 0.0001)));
            }
            if ((m + s) % 7 == 0)
            {
                samples.Add(DerivativesUpdate.Of(symbols[s], new Liquidation(c.OpenTime + 30_000, (m + s) % 2 == 0 ? LiquidationSide.Long : LiquidationSide.Short, c.Close, 10)));
            }
        }
    }

    /// <summary>
    /// Runs a throwaway engine for half a second so tiered compilation has produced the final code of the whole
    /// pipeline before anything is timed (a small market's warm-up can be over before that happens).
    /// </summary>
    private static void WarmUpJit(long start, bool indicators)
    {
        var market = new SyntheticMarket(8, start, seed: 1);
        var engine = new MarketEngine(new MarketEngineOptions { ComputeIndicators = indicators });
        var minute = new Candle[8];
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 500)
        {
            market.NextMinute(minute);
            for (var s = 0; s < minute.Length; s++)
            {
                engine.OnClosedCandle(market.Symbols[s], minute[s]);
            }
        }
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
