using BenchmarkDotNet.Attributes;
using Scalpaiboard.Market;

namespace Scalpaiboard.Benchmarks;

/// <summary>
/// The full pipeline per closed candle (windows + bars + indicators on 5m..1d + presets + cooldown) after a day of
/// warm-up, minute after minute for every symbol, as a live feed delivers them. Each invocation is 500
/// symbol-candles (500 minutes of one symbol, or one minute of 500 symbols); the feed repeats with its times
/// shifted forward, so every call is a real append.
/// </summary>
[MemoryDiagnoser]
public class MarketEngineBenchmarks
{
    private const int PerInvoke = 500;
    private const int FeedMinutes = 2880;

    private Candle[][] _feed = [];
    private string[] _names = [];
    private MarketEngine _engine = new();
    private long _minute;
    private int _symbol;

    [Params(1, 500)]
    public int Symbols { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _feed = MarketFeed.Generate(Symbols, FeedMinutes);
        _names = MarketFeed.Names(Symbols);
        _engine = new MarketEngine();
        for (_minute = 0; _minute < 1440; _minute++)
        {
            for (var s = 0; s < Symbols; s++)
            {
                _engine.OnClosedCandle(_names[s], _feed[_minute][s]);
            }
        }
        _symbol = 0;
    }

    [Benchmark(Description = "OnClosedCandle, per symbol-candle", OperationsPerInvoke = PerInvoke)]
    public int FiveHundredSymbolCandles()
    {
        var fired = 0;
        for (var k = 0; k < PerInvoke; k++)
        {
            var row = _feed[_minute % FeedMinutes];
            var candle = row[_symbol];
            if (_minute >= FeedMinutes)
            {
                candle = candle with { OpenTime = candle.OpenTime + _minute / FeedMinutes * FeedMinutes * Candle.MinuteMs };
            }
            fired += _engine.OnClosedCandle(_names[_symbol], candle).Fired.Count;
            if (++_symbol == Symbols)
            {
                _symbol = 0;
                _minute++;
            }
        }
        return fired;
    }
}
