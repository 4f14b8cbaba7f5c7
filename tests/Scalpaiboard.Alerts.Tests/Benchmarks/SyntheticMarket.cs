using System.Text.Json;
using System.Text.Json.Serialization;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;

using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Tests.Benchmarks;

/// <summary>
/// A seeded market of many symbols run through the real market engine (windows, indicators on every timeframe),
/// whose per-minute snapshots are written as the ingest publishes them on <c>market.metrics</c>: the same records and
/// serializer options as <c>Scalpaiboard.Ingest.Model.MetricsBatchEvent</c> (mirrored here; the test project cannot
/// reference the ingest's web app), so the JSON has the real size and shape (about 10 KB per symbol).
/// Prices random-walk; now and then a symbol enters a pump or dump regime with heavier volume, so the presets fire
/// a handful of times per minute across 500 symbols.
/// </summary>
public sealed class SyntheticMarket
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly MarketEngine _engine = new();
    private readonly Random _random;
    private readonly string[] _symbols;
    private readonly double[] _price;
    private readonly double[] _volume;
    private readonly int[] _regimeLeft;
    private readonly double[] _drift;

    private readonly double _regimeRate;

    /// <param name="regimeRate">Chance per symbol and minute that a pump or dump regime starts (0.002: about one a minute over 500 symbols).</param>
    public SyntheticMarket(int symbols, int seed, long startOpenTime, double regimeRate = 0.002)
    {
        _regimeRate = regimeRate;
        _random = new Random(seed);
        _symbols = Enumerable.Range(0, symbols).Select(i => $"S{i:D3}USDT").ToArray();
        _price = _symbols.Select(_ => Math.Exp(_random.NextDouble() * 10 - 3)).ToArray();
        _volume = _symbols.Select(_ => 20_000 + _random.NextDouble() * 400_000).ToArray();
        _regimeLeft = new int[symbols];
        _drift = new double[symbols];
        OpenTime = startOpenTime;
    }

    public IReadOnlyList<string> Symbols => _symbols;

    /// <summary>Open time of the next candle <see cref="Step"/> produces.</summary>
    public long OpenTime { get; private set; }

    public double Price(int symbol) => _price[symbol];

    /// <summary>Closes one 1m candle for every symbol; returns the ingest's JSON of the batch when asked.</summary>
    public string? Step(bool json)
    {
        var items = json ? new List<SymbolMetrics>(_symbols.Length) : null;
        for (var i = 0; i < _symbols.Length; i++)
        {
            if (_regimeLeft[i] == 0 && _random.NextDouble() < _regimeRate)
            {
                _regimeLeft[i] = 5 + _random.Next(15);
                _drift[i] = (_random.NextDouble() < 0.5 ? -1 : 1) * (0.3 + _random.NextDouble() * 0.6) / 100;
            }
            var drift = _regimeLeft[i] > 0 ? _drift[i] : 0;
            var burst = _regimeLeft[i] > 0 ? 5 + _random.NextDouble() * 10 : 1;
            if (_regimeLeft[i] > 0)
            {
                _regimeLeft[i]--;
            }
            var open = _price[i];
            var close = open * (1 + drift + (_random.NextDouble() - 0.5) * 0.004);
            var high = Math.Max(open, close) * (1 + _random.NextDouble() * 0.001);
            var low = Math.Min(open, close) * (1 - _random.NextDouble() * 0.001);
            var quote = _volume[i] * burst * (0.5 + _random.NextDouble());
            var candle = new Candle(OpenTime, open, high, low, close, quote / close, quote, 100 + _random.Next(1000), quote / close / 2, quote / 2);
            _price[i] = close;
            var update = _engine.OnClosedCandle(_symbols[i], candle);
            if (items is not null && update.Snapshot is { } s)
            {
                items.Add(SymbolMetrics.From(s, candle));
            }
        }
        var openTime = OpenTime;
        OpenTime += 60_000;
        return items is null ? null : JsonSerializer.Serialize(new MetricsBatchEvent(openTime, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), items), Options);
    }

    // --- the ingest's event records (Scalpaiboard.Ingest/Model/MetricsEvent.cs), mirrored field for field ---

    private sealed record MetricsBatchEvent(
        [property: JsonPropertyName("openTime")] long OpenTime,
        [property: JsonPropertyName("ts")] long Ts,
        [property: JsonPropertyName("items")] IReadOnlyList<SymbolMetrics> Items);

    private sealed record SymbolMetrics(
        [property: JsonPropertyName("symbol")] string Symbol,
        [property: JsonPropertyName("openTime")] long OpenTime,
        [property: JsonPropertyName("price")] double? Price,
        [property: JsonPropertyName("previousPrice")] double? PreviousPrice,
        [property: JsonPropertyName("marketCap")] double? MarketCap,
        [property: JsonPropertyName("candle")] CandleDto Candle,
        [property: JsonPropertyName("windows")] IReadOnlyDictionary<string, WindowMetrics> Windows,
        [property: JsonPropertyName("indicators")] IReadOnlyDictionary<string, IndicatorBlock> Indicators,
        [property: JsonPropertyName("previousIndicators")] IReadOnlyDictionary<string, IndicatorBlock> PreviousIndicators,
        [property: JsonPropertyName("presets")] IReadOnlyList<string> Presets)
    {
        public static SymbolMetrics From(MetricsSnapshot s, in Candle candle)
        {
            var windows = new Dictionary<string, WindowMetrics>(MarketWindows.Count);
            for (var w = 0; w < MarketWindows.Count; w++)
            {
                windows[MarketWindows.Names[w]] = new WindowMetrics(
                    N(s.Change[w]), N(s.QuoteVolume[w]), N(s.BaseVolume[w]), N(s.Open[w]), N(s.High[w]), N(s.Low[w]), N(s.Trades[w]));
            }
            var indicators = new Dictionary<string, IndicatorBlock>(Timeframes.Count);
            var previous = new Dictionary<string, IndicatorBlock>(Timeframes.Count);
            for (var t = 0; t < Timeframes.Count; t++)
            {
                indicators[Timeframes.Names[t]] = IndicatorBlock.From(s.Indicators[t]);
                previous[Timeframes.Names[t]] = IndicatorBlock.From(s.PreviousIndicators[t]);
            }
            return new SymbolMetrics(s.Symbol, s.OpenTime, N(s.Price), N(s.PreviousPrice), N(s.MarketCap),
                new CandleDto(candle.OpenTime, candle.Open, candle.High, candle.Low, candle.Close, candle.Volume, candle.QuoteVolume, candle.Trades),
                windows, indicators, previous, []);
        }

        internal static double? N(double v) => double.IsFinite(v) ? v : null;
    }

    private sealed record WindowMetrics(
        [property: JsonPropertyName("change")] double? Change,
        [property: JsonPropertyName("quoteVolume")] double? QuoteVolume,
        [property: JsonPropertyName("baseVolume")] double? BaseVolume,
        [property: JsonPropertyName("open")] double? Open,
        [property: JsonPropertyName("high")] double? High,
        [property: JsonPropertyName("low")] double? Low,
        [property: JsonPropertyName("trades")] double? Trades);

    private sealed record IndicatorBlock(
        double? Sma20, double? Ema20, double? Ema50, double? Rsi14, double? Macd, double? MacdSignal, double? MacdHistogram,
        double? BbUpper, double? BbMiddle, double? BbLower, double? BbPercentB, double? BbWidth, double? Atr14,
        double? AtrPercent, double? StochK, double? StochD, double? Adx14, double? Cci20, double? WilliamsR14,
        double? Vwap, double? Vcp, double? PivotPp, double? PivotR1, double? PivotS1)
    {
        public static IndicatorBlock From(in IndicatorValues v)
        {
            static double? N(double x) => SymbolMetrics.N(x);
            return new IndicatorBlock(N(v.Sma20), N(v.Ema20), N(v.Ema50), N(v.Rsi14), N(v.Macd), N(v.MacdSignal),
                N(v.MacdHistogram), N(v.BbUpper), N(v.BbMiddle), N(v.BbLower), N(v.BbPercentB), N(v.BbWidth), N(v.Atr14),
                N(v.AtrPercent), N(v.StochK), N(v.StochD), N(v.Adx14), N(v.Cci20), N(v.WilliamsR14), N(v.Vwap), N(v.Vcp),
                N(v.PivotPp), N(v.PivotR1), N(v.PivotS1));
        }
    }

    private sealed record CandleDto(
        [property: JsonPropertyName("openTime")] long OpenTime,
        [property: JsonPropertyName("open")] double Open,
        [property: JsonPropertyName("high")] double High,
        [property: JsonPropertyName("low")] double Low,
        [property: JsonPropertyName("close")] double Close,
        [property: JsonPropertyName("volume")] double Volume,
        [property: JsonPropertyName("quoteVolume")] double QuoteVolume,
        [property: JsonPropertyName("trades")] long Trades);
}
