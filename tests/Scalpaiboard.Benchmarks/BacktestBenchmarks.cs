using BenchmarkDotNet.Attributes;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Benchmarks;

/// <summary>
/// A backtest of one rule through <see cref="BacktestRunner"/>, per candle: 16 symbols x 2 days held in memory (no
/// CSV parsing), each symbol through an engine of its own and the trade simulation, on one worker and on two.
/// </summary>
[MemoryDiagnoser]
public class BacktestBenchmarks
{
    private const int Symbols = 16;
    private const int Minutes = 2880;

    private BacktestSeries[] _series = [];
    private BacktestRunner _runner = null!;

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var feed = MarketFeed.Generate(Symbols, Minutes);
        var names = MarketFeed.Names(Symbols);
        _series = new BacktestSeries[Symbols];
        for (var s = 0; s < Symbols; s++)
        {
            var candles = new Candle[Minutes];
            for (var m = 0; m < Minutes; m++)
            {
                candles[m] = feed[m][s];
            }
            _series[s] = BacktestSeries.Of(names[s], candles);
        }
        _runner = new BacktestRunner(new BacktestParameters { Rule = PresetType.PioneerBull }) { MaxDegreeOfParallelism = Workers };
    }

    [Benchmark(Description = "BacktestRunner.Run, per candle", OperationsPerInvoke = Symbols * Minutes)]
    public int Run() => _runner.Run(_series).Summary.Trades;
}
