using BenchmarkDotNet.Attributes;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;
using Scalpaiboard.Market.Signals.Alerts;

namespace Scalpaiboard.Benchmarks;

/// <summary>The pieces of the pipeline on one symbol, each per candle (cache-resident: compute cost only).</summary>
[MemoryDiagnoser]
public class ComponentBenchmarks
{
    private const int Candles = 4096;

    private readonly MetricsSnapshot _snapshot = new();
    private readonly PresetEvaluator _presets = new();
    private readonly List<AlertCondition> _alert =
    [
        new(AlertConditionType.PriceAbove, 1), new(AlertConditionType.ChangeAbove, -50, Window.M15),
        new(AlertConditionType.VolumeAbove, 1, Window.H1), new(AlertConditionType.PriceCross, 100),
    ];
    private Candle[] _candles = [];
    private readonly SymbolState _state = new();
    private long _shift;
    private int _i;

    private const string Line =
        "1772409600000,142.1337,142.1519,141.8629,141.9863,88.067,1772409659999,12510.7315,15,49.340,7009.2075,0";

    [GlobalSetup]
    public void Setup()
    {
        var feed = MarketFeed.Generate(1, Candles);
        _candles = feed.Select(m => m[0]).ToArray();
        for (var i = 0; i < 1500; i++)
        {
            Next();
        }
        _state.Fill(_snapshot);
    }

    [Benchmark(Description = "SymbolState.Apply + Fill")]
    public double Windows()
    {
        var c = Next();
        _state.Fill(_snapshot);
        return _snapshot.QuoteVolume[0] + c.Close;
    }

    [Benchmark(Description = "PresetEvaluator.Evaluate")]
    public int Presets() => _presets.Evaluate(_snapshot).Bits;

    [Benchmark(Description = "AlertEvaluator.Matches (4 conditions)")]
    public bool Alert() => AlertEvaluator.Matches(_alert, _snapshot);

    [Benchmark(Description = "KlineCsvParser.Parse")]
    public long Parse()
    {
        KlineCsvParser.Parse(Line, out var candle, out _);
        return candle.OpenTime;
    }

    private static readonly byte[] LineUtf8 = System.Text.Encoding.ASCII.GetBytes(Line);

    [Benchmark(Description = "KlineCsvParser.ParseUtf8 (the replay's path)")]
    public long ParseUtf8()
    {
        KlineCsvParser.ParseUtf8(LineUtf8, out var candle, out _);
        return candle.OpenTime;
    }

    /// <summary>Feeds the next candle to the state, shifting times forward when the series repeats.</summary>
    private Candle Next()
    {
        if (_i == _candles.Length)
        {
            _i = 0;
            _shift += Candles * Candle.MinuteMs;
        }
        var c = _candles[_i++] with { OpenTime = _candles[_i - 1].OpenTime + _shift };
        _state.Apply(c);
        return c;
    }
}
