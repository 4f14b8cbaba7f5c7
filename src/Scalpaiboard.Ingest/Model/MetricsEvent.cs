using System.Text.Json.Serialization;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Ingest.Model;

/// <summary>
/// One entry of the <c>market.metrics</c> Redis stream (field <c>data</c>): every symbol's metrics at the close
/// of the 1m candles that opened at <see cref="OpenTime"/>. The candles are in PostgreSQL before this is published.
/// </summary>
public sealed record MetricsBatchEvent(
    [property: JsonPropertyName("openTime")] long OpenTime,
    [property: JsonPropertyName("ts")] long Ts,
    [property: JsonPropertyName("items")] IReadOnlyList<SymbolMetrics> Items);

/// <summary>
/// Everything <see cref="MetricsSnapshot"/> holds for one symbol at one candle close, in JSON form.
/// Unavailable values (NaN in the engine) are <c>null</c>.
/// </summary>
public sealed record SymbolMetrics(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("openTime")] long OpenTime,
    [property: JsonPropertyName("price")] double? Price,
    [property: JsonPropertyName("previousPrice")] double? PreviousPrice,
    [property: JsonPropertyName("marketCap")] double? MarketCap,
    [property: JsonPropertyName("candle")] CandleDto Candle,
    [property: JsonPropertyName("windows")] IReadOnlyDictionary<string, WindowMetrics> Windows,
    [property: JsonPropertyName("indicators")] IReadOnlyDictionary<string, IndicatorBlock> Indicators,
    [property: JsonPropertyName("previousIndicators")] IReadOnlyDictionary<string, IndicatorBlock> PreviousIndicators,
    [property: JsonPropertyName("derivatives")] IReadOnlyDictionary<string, double> Derivatives,
    [property: JsonPropertyName("presets")] IReadOnlyList<string> Presets)
{
    public static SymbolMetrics From(MetricsSnapshot s, in Candle candle, IReadOnlyList<string> presets)
    {
        var windows = new Dictionary<string, WindowMetrics>(Market.Metrics.Windows.Count);
        for (var w = 0; w < Market.Metrics.Windows.Count; w++)
        {
            windows[Market.Metrics.Windows.Names[w]] = new WindowMetrics(
                N(s.Change[w]), N(s.QuoteVolume[w]), N(s.BaseVolume[w]), N(s.Open[w]), N(s.High[w]), N(s.Low[w]), N(s.Trades[w]));
        }
        var indicators = new Dictionary<string, IndicatorBlock>(Timeframes.Count);
        var previous = new Dictionary<string, IndicatorBlock>(Timeframes.Count);
        for (var t = 0; t < Timeframes.Count; t++)
        {
            indicators[Timeframes.Names[t]] = IndicatorBlock.From(s.Indicators[t]);
            previous[Timeframes.Names[t]] = IndicatorBlock.From(s.PreviousIndicators[t]);
        }
        // The derivatives fields by name (../docs/DERIVATIVES.md); unavailable ones are left out.
        var derivatives = new Dictionary<string, double>(Market.Derivatives.DerivativesValues.Count);
        var values = s.Derivatives.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]))
            {
                derivatives[Market.Derivatives.DerivativesValues.Names[i]] = values[i];
            }
        }
        return new SymbolMetrics(s.Symbol, s.OpenTime, N(s.Price), N(s.PreviousPrice), N(s.MarketCap), CandleDto.From(candle),
            windows, indicators, previous, derivatives, presets);
    }

    internal static double? N(double v) => double.IsFinite(v) ? v : null;
}

/// <summary>A rolling window (SIGNALS.md): change in percent, quote and base volume, and the rolling bar.</summary>
public sealed record WindowMetrics(
    [property: JsonPropertyName("change")] double? Change,
    [property: JsonPropertyName("quoteVolume")] double? QuoteVolume,
    [property: JsonPropertyName("baseVolume")] double? BaseVolume,
    [property: JsonPropertyName("open")] double? Open,
    [property: JsonPropertyName("high")] double? High,
    [property: JsonPropertyName("low")] double? Low,
    [property: JsonPropertyName("trades")] double? Trades);

/// <summary>The headline indicators of one timeframe (<see cref="IndicatorValues"/>), null when unavailable.</summary>
public sealed record IndicatorBlock(
    double? Sma20, double? Ema20, double? Ema50, double? Rsi14, double? Macd, double? MacdSignal, double? MacdHistogram,
    double? BbUpper, double? BbMiddle, double? BbLower, double? BbPercentB, double? BbWidth, double? Atr14,
    double? AtrPercent, double? StochK, double? StochD, double? Adx14, double? Cci20, double? WilliamsR14,
    double? Vwap, double? Vcp, double? PivotPp, double? PivotR1, double? PivotS1, double? Roc20,
    double? DonchianUpper20, double? DonchianLower20, double? KeltnerUpper, double? KeltnerLower, double? SuperTrend,
    double? SuperTrendDirection, double? Psar, double? Obv)
{
    public static IndicatorBlock From(in IndicatorValues v)
    {
        static double? N(double x) => SymbolMetrics.N(x);
        return new IndicatorBlock(N(v.Sma20), N(v.Ema20), N(v.Ema50), N(v.Rsi14), N(v.Macd), N(v.MacdSignal),
            N(v.MacdHistogram), N(v.BbUpper), N(v.BbMiddle), N(v.BbLower), N(v.BbPercentB), N(v.BbWidth), N(v.Atr14),
            N(v.AtrPercent), N(v.StochK), N(v.StochD), N(v.Adx14), N(v.Cci20), N(v.WilliamsR14), N(v.Vwap), N(v.Vcp),
            N(v.PivotPp), N(v.PivotR1), N(v.PivotS1), N(v.Roc20), N(v.DonchianUpper20), N(v.DonchianLower20),
            N(v.KeltnerUpper), N(v.KeltnerLower), N(v.SuperTrend), N(v.SuperTrendDirection), N(v.Psar), N(v.Obv));
    }
}

/// <summary>A candle (1m or aggregated) as the API and events show it; times are Unix ms.</summary>
public sealed record CandleDto(
    [property: JsonPropertyName("openTime")] long OpenTime,
    [property: JsonPropertyName("open")] double Open,
    [property: JsonPropertyName("high")] double High,
    [property: JsonPropertyName("low")] double Low,
    [property: JsonPropertyName("close")] double Close,
    [property: JsonPropertyName("volume")] double Volume,
    [property: JsonPropertyName("quoteVolume")] double QuoteVolume,
    [property: JsonPropertyName("trades")] long Trades)
{
    public static CandleDto From(in Candle c) => new(c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume, c.Trades);
}
