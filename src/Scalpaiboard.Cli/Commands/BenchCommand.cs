using System.CommandLine;
using System.Globalization;
using Scalpaiboard.Cli.Bench;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Cli.Commands;

/// <summary>
/// <c>scalp bench [--symbols 500] [--warmup 1440] [--minutes 60]</c>: the market engine's throughput, allocations
/// and memory on a synthetic market, against a naive batch recomputation. The last line is
/// <c>pipeline_ns_per_update=&lt;n&gt; batch_speedup=&lt;x&gt; allocated_bytes_per_update=&lt;n&gt; bytes_per_symbol=&lt;n&gt;</c>.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var symbols = new Option<int>("--symbols") { Description = "Synthetic symbols", DefaultValueFactory = _ => 500 };
        var warmup = new Option<int>("--warmup") { Description = "Warm-up candles per symbol (untimed)", DefaultValueFactory = _ => 1440 };
        var minutes = new Option<int>("--minutes") { Description = "Timed candles per symbol", DefaultValueFactory = _ => 60 };
        var batchSymbols = new Option<int?>("--batch-symbols") { Description = "Symbols recomputed by the naive batch (default: all)" };
        var batchMinutes = new Option<int>("--batch-minutes") { Description = "Minutes of the market recomputed by the naive batch", DefaultValueFactory = _ => 2 };
        var noIndicators = new Option<bool>("--without-indicators") { Description = "Diagnostics: windows and presets only (both pipelines)" };
        var noDerivatives = new Option<bool>("--without-derivatives") { Description = "Candles only: no open interest, funding, mark price or liquidations" };
        var command = new Command("bench", "Measure the market engine (windows + indicators + presets) against a naive batch recomputation")
        {
            symbols, warmup, minutes, batchSymbols, batchMinutes, noIndicators, noDerivatives, CreateBacktest(),
        };
        command.SetAction(parse =>
        {
            var o = new BenchOptions(parse.GetValue(symbols), parse.GetValue(warmup), parse.GetValue(minutes),
                parse.GetValue(batchSymbols), parse.GetValue(batchMinutes), !parse.GetValue(noIndicators), !parse.GetValue(noDerivatives));
            if (o.Symbols < 1 || o.Warmup < 0 || o.Minutes < 1 || o.BatchSymbols < 0 || o.BatchMinutes < 0)
            {
                Console.Error.WriteLine("scalp bench: --symbols and --minutes must be at least 1, the others 0 or more");
                return 2;
            }
            var r = BenchRunner.Run(o, line => Console.Error.WriteLine(line));
            var i = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(i, $"symbols={r.Symbols} warmup={r.Warmup} timed_minutes={r.Minutes} updates={r.Updates:N0} signals={r.Signals} indicators={(o.Indicators ? "5m,15m,1h,4h,8h,1d" : "off")} derivatives={(o.Derivatives ? "on" : "off")}"));
            Console.WriteLine(string.Create(i, $"pipeline: {r.PipelineNsPerUpdate:F1} ns per symbol-candle (thread CPU time; wall clock {r.PipelineWallNsPerUpdate:F1} ns), {r.CandlesPerSecond:N0} candles/s, {r.AllocatedBytesPerUpdate:F2} allocated bytes per update"));
            Console.WriteLine(string.Create(i, $"memory: {r.BytesPerSymbol:N0} bytes per symbol (managed heap growth over the warm-up / symbols)"));
            Console.WriteLine(string.Create(i, $"batch: {r.BatchNsPerUpdate:F0} ns (thread CPU time) per symbol-candle over {r.BatchUpdates} updates, speed-up {r.BatchSpeedup:F1}x, {r.BatchMismatches} disagreements with the streaming engine"));
            Console.WriteLine(string.Create(i,
                $"pipeline_ns_per_update={r.PipelineNsPerUpdate:F1} batch_speedup={r.BatchSpeedup:F1} allocated_bytes_per_update={r.AllocatedBytesPerUpdate:0.##} bytes_per_symbol={r.BytesPerSymbol}"));
            return r.BatchMismatches == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// <c>scalp bench backtest [--rule futures_pioneer_bull] [--symbols 500] [--minutes 1440] [--workers N] [--input dir]</c>:
    /// the backtest runner's throughput on all cores. The last line is
    /// <c>backtest_candles_per_second=&lt;n&gt; cpu_ns_per_candle=&lt;n&gt; seconds_for_500_symbols_x_30_days=&lt;n&gt;</c>.
    /// </summary>
    private static Command CreateBacktest()
    {
        var rule = new Option<string>("--rule") { Description = "The preset backtested", DefaultValueFactory = _ => "futures_pioneer_bull" };
        var symbols = new Option<int>("--symbols") { Description = "Synthetic symbols", DefaultValueFactory = _ => 500 };
        var minutes = new Option<int>("--minutes") { Description = "Candles per synthetic symbol", DefaultValueFactory = _ => 1440 };
        var workers = new Option<int?>("--workers") { Description = "Symbols run at the same time (default: one per core)" };
        var input = new Option<string?>("--input") { Description = "Kline CSVs instead of the synthetic market (CSV parsing timed too)" };
        var command = new Command("backtest", "Measure the backtest runner (engine + trade simulation per symbol, all cores) in candles per second")
        {
            rule, symbols, minutes, workers, input,
        };
        command.SetAction(parse =>
        {
            var ruleKey = parse.GetValue(rule);
            if (!PresetTypes.TryParse(ruleKey, out var type))
            {
                Console.Error.WriteLine($"scalp bench backtest: unknown rule '{ruleKey}'; one of {string.Join(", ", PresetTypes.Keys)}");
                return 2;
            }
            var o = new BacktestBenchOptions(type, parse.GetValue(symbols), parse.GetValue(minutes), parse.GetValue(workers), parse.GetValue(input));
            if (o.Symbols < 1 || o.Minutes < 1 || o.Workers < 1)
            {
                Console.Error.WriteLine("scalp bench backtest: --symbols, --minutes and --workers must be at least 1");
                return 2;
            }
            BacktestBenchResult r;
            try
            {
                r = BacktestBench.Run(o, line => Console.Error.WriteLine(line));
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine($"scalp bench backtest: {e.Message}");
                return 2;
            }
            var i = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(i, $"backtest {type.Key()}: {r.Candles:N0} candles of {r.Symbols} symbols, {r.Workers} workers, {r.Trades} trades"));
            Console.WriteLine(string.Create(i, $"wall clock: {r.WallSeconds:F2} s, {r.CandlesPerSecond:N0} candles/s; process CPU time: {r.CpuSeconds:F2} s, {r.CpuNsPerCandle:F0} ns per candle"));
            Console.WriteLine(string.Create(i, $"500 symbols x 30 days ({BacktestBenchResult.TargetCandles:N0} candles): {r.TargetSeconds:F1} s at this wall-clock rate, {r.TargetCpuBoundSeconds:F1} s on {r.Workers} free cores"));
            Console.WriteLine(string.Create(i, $"backtest_candles_per_second={r.CandlesPerSecond:F0} cpu_ns_per_candle={r.CpuNsPerCandle:F0} seconds_for_500_symbols_x_30_days={r.TargetSeconds:F1}"));
            return 0;
        });
        return command;
    }
}
