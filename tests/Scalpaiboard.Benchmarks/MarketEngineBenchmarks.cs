using BenchmarkDotNet.Attributes;
using Scalpaiboard.Market;

namespace Scalpaiboard.Benchmarks;

/// <summary>
/// The full pipeline per closed candle (windows + bars + indicators + presets + cooldown), one minute of every
/// symbol per invocation, after a day of warm-up. The timed candles continue the warm-up series; once they run
/// out the engine is rebuilt in an iteration setup, so every measured call is a real append.
/// </summary>
[MemoryDiagnoser]
public class MarketEngineBenchmarks
{
    private const int Warmup = 1440;
    private const int TimedMinutes = 2000;

    private Candle[][] _feed = [];
    private string[] _names = [];
    private MarketEngine _engine = new();
    private int _minute;

    [Params(1, 500)]
    public int Symbols { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _feed = MarketFeed.Generate(Symbols, Warmup + TimedMinutes);
        _names = MarketFeed.Names(Symbols);
        Rebuild();
    }

    [IterationSetup]
    public void EnsureCandlesLeft()
    {
        if (_minute > Warmup + TimedMinutes / 2)
        {
            Rebuild();
        }
    }

    [Benchmark(Description = "OnClosedCandle, per symbol-candle")]
    public int OneMinuteOfEverySymbol()
    {
        var candles = _feed[_minute++];
        var fired = 0;
        for (var s = 0; s < candles.Length; s++)
        {
            fired += _engine.OnClosedCandle(_names[s], candles[s]).Fired.Count;
        }
        return fired;
    }

    private void Rebuild()
    {
        _engine = new MarketEngine();
        for (_minute = 0; _minute < Warmup; _minute++)
        {
            for (var s = 0; s < Symbols; s++)
            {
                _engine.OnClosedCandle(_names[s], _feed[_minute][s]);
            }
        }
    }
}
