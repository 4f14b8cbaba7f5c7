using System.Diagnostics;
using Scalpaiboard.Ingest.Services.Feeds.Simulated;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Derivatives;
using Xunit.Abstractions;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// What the simulated derivatives add to the simulated feed's work (50 symbols): per tick (the forming candles, then
/// their mark prices), per closed minute (the candles, then their samples), and a symbol's warm-up.
/// Run: <c>SCALPAIBOARD_BENCH=1 dotnet test tests/Scalpaiboard.Ingest.Tests -c Release --filter FullyQualifiedName~SimulatedFeedBenchmarks</c>.
/// </summary>
public sealed class SimulatedFeedBenchmarks(ITestOutputHelper output)
{
    [BenchmarkFact]
    public void Derivatives_per_tick_and_per_minute()
    {
        var minutes = BenchmarkFactAttribute.Setting("BENCH_MINUTES", 1440);
        var market = new SimulatedMarket(42);
        var model = new SimulatedDerivatives(market, 42);
        var n = market.Symbols.Count;
        var first = SimulatedDerivativesRun.Start;
        var updates = new List<DerivativesUpdate>(4096);
        var close = market.Symbols.Select(s => s.BasePrice).ToArray();

        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            model.Mark(i, first * Candle.MinuteMs, close[i]);
        }
        var warmUp = Stopwatch.GetElapsedTime(start);

        long candleTicks = 0, derivativesTicks = 0, formingTicks = 0, markTicks = 0, count = 0;
        for (var m = first; m < first + minutes; m++)
        {
            // one tick in every minute (the candles of the others are as dear)
            var t0 = Stopwatch.GetTimestamp();
            var forming = new Candle[n];
            for (var i = 0; i < n; i++)
            {
                forming[i] = market.Generate(i, m, close[i], 30);
            }
            var t1 = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
            {
                updates.Add(model.Mark(i, (m * Candle.MinuteMs) + 29_500, forming[i].Close));
            }
            var t2 = Stopwatch.GetTimestamp();
            updates.Clear();
            var candles = new Candle[n];
            for (var i = 0; i < n; i++)
            {
                candles[i] = market.Generate(i, m, close[i]);
                close[i] = candles[i].Close;
            }
            var t3 = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
            {
                model.OnClosed(i, candles[i], updates);
            }
            var t4 = Stopwatch.GetTimestamp();
            count += updates.Count;
            updates.Clear();
            formingTicks += t1 - t0;
            markTicks += t2 - t1;
            candleTicks += t3 - t2;
            derivativesTicks += t4 - t3;
        }
        static double Us(long ticks, long per) => ticks * 1e6 / Stopwatch.Frequency / per;
        output.WriteLine($"warm-up of {n} symbols: {warmUp.TotalMilliseconds:F0} ms");
        output.WriteLine($"per tick ({n} symbols): forming candles {Us(formingTicks, minutes):F1} us, mark prices {Us(markTicks, minutes):F1} us");
        output.WriteLine($"per closed minute ({n} symbols): candles {Us(candleTicks, minutes):F1} us, derivatives {Us(derivativesTicks, minutes):F1} us ({(double)count / minutes:F1} samples)");
        output.WriteLine($"load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }
}
