using System.Diagnostics;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market.Data;
using Xunit.Abstractions;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// The pipeline's per-candle bookkeeping beside the engine: the same candles through a fresh engine alone, then
/// through a fresh engine plus what IngestPipeline.Apply does with each accepted candle (the symbol's state under its
/// Gate: <see cref="SymbolState.ApplyClosed"/>). The difference is the bookkeeping. Best of a few rounds each.
/// </summary>
public sealed class PipelineApplyProfile(ITestOutputHelper output)
{
    [BenchmarkFact]
    public void Pipeline_apply()
    {
        var symbols = BenchmarkFactAttribute.Setting("BENCH_SYMBOLS", 100);
        var days = BenchmarkFactAttribute.Setting("BENCH_DAYS", 2);
        var candles = new KlineCsvReader(SyntheticKlines.Folder(symbols, days)).ReadAll().ToArray();

        var engineOnly = double.MaxValue;
        var withState = double.MaxValue;
        for (var round = 0; round < 4; round++)
        {
            var calculator = new MarketCalculator();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var t = Stopwatch.GetTimestamp();
            foreach (var (symbol, candle) in candles)
            {
                calculator.TryApply(symbol, candle, out _, out _, out _);
            }
            engineOnly = Math.Min(engineOnly, Stopwatch.GetElapsedTime(t).TotalMicroseconds / candles.Length);
            var engineCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / candles.Length;

            calculator = new MarketCalculator();
            var state = new MarketState();
            string[] presets = [];
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            t = Stopwatch.GetTimestamp();
            foreach (var (symbol, candle) in candles)
            {
                var s = state.GetOrAdd(symbol);
                lock (s.Gate)
                {
                    if (calculator.TryApply(symbol, candle, out var snapshot, out var bars, out var fired))
                    {
                        s.ApplyClosed(candle, snapshot, bars, presets, fired.Count);
                    }
                }
            }
            withState = Math.Min(withState, Stopwatch.GetElapsedTime(t).TotalMicroseconds / candles.Length);
            var stateCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / candles.Length;
            output.WriteLine($"round {round}: engine {engineCpu:F3} us CPU/candle, engine + state {stateCpu:F3} us CPU/candle");
        }
        output.WriteLine($"{candles.Length} candles, best: engine alone {engineOnly:F3} us/candle, engine + state {withState:F3} us/candle, "
            + $"bookkeeping {withState - engineOnly:F3} us/candle");
    }
}
