using System.Diagnostics;
using Scalpaiboard.Cli.Backtests;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Cli.Bench;

/// <param name="Rule">The preset backtested.</param>
/// <param name="Symbols">Synthetic symbols (ignored with <paramref name="Input"/>).</param>
/// <param name="Minutes">Candles per synthetic symbol.</param>
/// <param name="Workers">Symbols run at the same time (default: one per core).</param>
/// <param name="Input">Kline CSVs to read instead of the synthetic market: parsing included, as <c>scalp backtest</c> runs.</param>
public sealed record BacktestBenchOptions(PresetType Rule, int Symbols = 500, int Minutes = 1440, int? Workers = null, string? Input = null);

/// <param name="Candles">Candles run.</param>
/// <param name="Symbols">Symbols run.</param>
/// <param name="Workers">Workers used.</param>
/// <param name="WallSeconds">Wall-clock time of the run.</param>
/// <param name="CpuSeconds">CPU time of the whole process over the run (all workers, the GC and the JIT included).</param>
/// <param name="Trades">Trades of the run (a check that the rule fired).</param>
public sealed record BacktestBenchResult(long Candles, int Symbols, int Workers, double WallSeconds, double CpuSeconds, int Trades)
{
    /// <summary>500 symbols x 30 days of 1m candles.</summary>
    public const long TargetCandles = 500L * 30 * 1440;

    public double CandlesPerSecond => Candles / WallSeconds;

    public double CpuNsPerCandle => CpuSeconds * 1e9 / Candles;

    /// <summary><see cref="TargetCandles"/> at this run's wall-clock rate.</summary>
    public double TargetSeconds => TargetCandles / CandlesPerSecond;

    /// <summary><see cref="TargetCandles"/> at this run's CPU cost per candle, spread over all workers (no wait for a core).</summary>
    public double TargetCpuBoundSeconds => TargetCandles * CpuNsPerCandle / 1e9 / Workers;
}

/// <summary>
/// <c>scalp bench backtest</c>: a backtest of one rule over many symbols through <see cref="BacktestRunner"/> on all
/// cores, timed by the wall clock and by the process's CPU time (on a shared machine the wall clock also measures
/// the wait for a core). The synthetic market is generated before the clock starts, so only the runner (engine and
/// trade simulation) is timed; with an input folder the CSV parsing is timed too.
/// </summary>
public static class BacktestBench
{
    public static BacktestBenchResult Run(BacktestBenchOptions o, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        var parameters = new BacktestParameters { Rule = o.Rule };
        var workers = Math.Max(1, o.Workers ?? Environment.ProcessorCount);
        var runner = new BacktestRunner(parameters) { MaxDegreeOfParallelism = workers };
        var start = DateTimeOffset.Parse("2026-01-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

        // Half a second of a small market first, so the timed run starts with the final (tier-1) code.
        var warm = Synthetic(8, 2880, start);
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 500)
        {
            runner.Run(warm);
        }

        KlineBacktestInput? input = null;
        IReadOnlyList<BacktestSeries> series;
        if (o.Input is not null)
        {
            input = KlineBacktestInput.Open(o.Input);
            series = input.Series;
            log?.Invoke($"backtest {o.Rule.Key()}: {input.Files.Count} files of {series.Count} symbols from {o.Input}, {workers} workers");
        }
        else
        {
            log?.Invoke($"generating {o.Symbols} symbols x {o.Minutes} candles");
            series = Synthetic(o.Symbols, o.Minutes, start);
            log?.Invoke($"backtest {o.Rule.Key()}: {o.Symbols} symbols x {o.Minutes} candles, {workers} workers");
        }

        using (input)
        {
            GC.Collect();
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            watch.Restart();
            BacktestResult result;
            try
            {
                result = runner.Run(series, cancellationToken: input?.Failed ?? default);
            }
            catch (OperationCanceledException) when (input is { Errors.Count: > 0 })
            {
                throw new InvalidDataException(input.Errors.First().ToString());
            }
            watch.Stop();
            process.Refresh();
            var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            return new BacktestBenchResult(result.Candles, result.Symbols, workers, watch.Elapsed.TotalSeconds, cpuSeconds,
                result.Summary.Trades);
        }
    }

    private static BacktestSeries[] Synthetic(int symbols, int minutes, long start)
    {
        var market = new SyntheticMarket(symbols, start);
        var bySymbol = new Candle[symbols][];
        for (var s = 0; s < symbols; s++)
        {
            bySymbol[s] = new Candle[minutes];
        }
        var minute = new Candle[symbols];
        for (var m = 0; m < minutes; m++)
        {
            market.NextMinute(minute);
            for (var s = 0; s < symbols; s++)
            {
                bySymbol[s][m] = minute[s];
            }
        }
        var series = new BacktestSeries[symbols];
        for (var s = 0; s < symbols; s++)
        {
            series[s] = BacktestSeries.Of(market.Symbols[s], bySymbol[s]);
        }
        return series;
    }
}
