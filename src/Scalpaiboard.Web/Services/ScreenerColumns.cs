namespace Scalpaiboard.Web.Services;

/// <summary>How a screener cell is shown (format.js has the same kinds).</summary>
/// <see cref="Significant"/>: values in price units or small fractions (MACD, band width), shown to four significant
/// digits so a 0.25 USDT coin's MACD reads -0.0004213, not "-0.00". <see cref="Compact"/>: USDT amounts as 12.3M;
/// <see cref="Funding"/>: a funding-rate fraction as "0.0100 %"; <see cref="Countdown"/>: a Unix-ms time shown as the
/// h:mm:ss left until it (ticking in the browser); <see cref="Trend"/>: a direction, +1 as "▲ up" and -1 as "▼ down".
public enum ColumnKind { Price, Percent, Volume, Number, Count, Significant, Compact, Funding, Countdown, Trend }

public sealed record ScreenerColumn(string Key, string Label, string Group, ColumnKind Kind, bool Default, string Title);

/// <summary>The screener's columns: the numeric fields of <c>GET /api/coins</c> (every one sortable and filterable).</summary>
public static class ScreenerColumns
{
    private static readonly string[] Windows = ["5m", "15m", "1h", "4h", "8h", "1d"];

    public static readonly IReadOnlyList<ScreenerColumn> All = Build();

    public static ScreenerColumn? Find(string? key) => All.FirstOrDefault(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase));

    private static List<ScreenerColumn> Build()
    {
        var list = new List<ScreenerColumn> { new("price", "Price", "Price", ColumnKind.Price, true, "Last price (USDT)") };
        foreach (var w in Windows)
        {
            list.Add(new($"change_{w}", $"Chg {w}", "Change", ColumnKind.Percent, w is "5m" or "15m" or "1h" or "4h" or "1d", $"Price change over the last {w} (%)"));
        }
        foreach (var w in Windows)
        {
            list.Add(new($"quoteVolume_{w}", $"Vol {w}", "Volume", ColumnKind.Volume, w is "5m" or "1h" or "1d", $"Quote volume (USDT) over the last {w}"));
        }
        list.AddRange(
        [
            new("high_1d", "High 1d", "Range", ColumnKind.Price, false, "Highest price over 24 h"),
            new("low_1d", "Low 1d", "Range", ColumnKind.Price, false, "Lowest price over 24 h"),
            new("trades_1d", "Trades 1d", "Range", ColumnKind.Count, false, "Number of trades over 24 h"),
            new("rsi14_15m", "RSI 15m", "Momentum", ColumnKind.Number, false, "RSI(14) on 15m bars"),
            new("rsi14_1h", "RSI 1h", "Momentum", ColumnKind.Number, true, "RSI(14) on 1h bars"),
            new("rsi14_4h", "RSI 4h", "Momentum", ColumnKind.Number, false, "RSI(14) on 4h bars"),
            new("macd_1h", "MACD 1h", "Momentum", ColumnKind.Significant, false, "MACD(12,26,9) line on 1h bars"),
            new("macdSignal_1h", "MACD sig 1h", "Momentum", ColumnKind.Significant, false, "MACD signal line on 1h bars"),
            new("macdHistogram_1h", "MACD hist 1h", "Momentum", ColumnKind.Significant, true, "MACD histogram on 1h bars"),
            new("stochK_1h", "Stoch %K 1h", "Momentum", ColumnKind.Number, false, "Stochastic %K (14,3,3) on 1h bars"),
            new("williamsR14_1h", "W%R 1h", "Momentum", ColumnKind.Number, false, "Williams %R(14) on 1h bars"),
            new("cci20_1h", "CCI 1h", "Momentum", ColumnKind.Number, false, "CCI(20) on 1h bars"),
            new("adx14_1h", "ADX 1h", "Trend", ColumnKind.Number, false, "ADX(14) on 1h bars"),
            new("ema20_1h", "EMA20 1h", "Trend", ColumnKind.Price, false, "EMA(20) on 1h bars"),
            new("ema50_1h", "EMA50 1h", "Trend", ColumnKind.Price, false, "EMA(50) on 1h bars"),
            new("vwap_1h", "VWAP 1h", "Trend", ColumnKind.Price, false, "VWAP on 1h bars"),
            new("superTrendDirection_15m", "ST 15m", "Trend", ColumnKind.Trend, false, "SuperTrend(14,3) direction on 15m bars"),
            new("superTrendDirection_1h", "ST 1h", "Trend", ColumnKind.Trend, true, "SuperTrend(14,3) direction on 1h bars"),
            new("superTrendDirection_4h", "ST 4h", "Trend", ColumnKind.Trend, false, "SuperTrend(14,3) direction on 4h bars"),
            new("superTrend_1h", "SuperTrend 1h", "Trend", ColumnKind.Price, false, "SuperTrend(14,3) active band on 1h bars"),
            new("psar_1h", "PSAR 1h", "Trend", ColumnKind.Price, false, "Parabolic SAR(0.02, 0.2) on 1h bars"),
            new("donchianUpper20_1h", "Donchian hi 1h", "Trend", ColumnKind.Price, false, "Donchian(20): highest high of the 20 1h bars before this one"),
            new("donchianLower20_1h", "Donchian lo 1h", "Trend", ColumnKind.Price, false, "Donchian(20): lowest low of the 20 1h bars before this one"),
            new("roc20_1h", "ROC 1h", "Momentum", ColumnKind.Percent, false, "Rate of change(20) on 1h bars (%)"),
            new("obv_1h", "OBV 1h", "Volume", ColumnKind.Compact, false, "On-balance volume on 1h bars (base asset, since the engine started on the symbol)"),
            new("bbPercentB_1h", "BB %B 1h", "Volatility", ColumnKind.Number, true, "Bollinger %B (20,2) on 1h bars"),
            new("bbWidth_1h", "BB width 1h", "Volatility", ColumnKind.Significant, false, "Bollinger band width on 1h bars"),
            new("keltnerUpper_1h", "Keltner hi 1h", "Volatility", ColumnKind.Price, false, "Keltner channel: EMA(20) + 2 ATR(10) on 1h bars"),
            new("keltnerLower_1h", "Keltner lo 1h", "Volatility", ColumnKind.Price, false, "Keltner channel: EMA(20) - 2 ATR(10) on 1h bars"),
            new("atrPercent_1h", "ATR% 1h", "Volatility", ColumnKind.Number, true, "ATR(14) as % of price on 1h bars"),
            new("vcp_1h", "VCP 1h", "Volatility", ColumnKind.Number, true, "Volatility contraction pattern score on 1h bars"),
            new("pivotPpDistance_1h", "Δ Pivot", "Pivots", ColumnKind.Percent, true, "Distance of the price to the 1h pivot point (%)"),
            new("pivotR1Distance_1h", "Δ R1", "Pivots", ColumnKind.Percent, false, "Distance of the price to the 1h R1 level (%)"),
            new("pivotS1Distance_1h", "Δ S1", "Pivots", ColumnKind.Percent, false, "Distance of the price to the 1h S1 level (%)"),
            new("signals_1h", "Signals 1h", "Signals", ColumnKind.Count, true, "Preset signals in the last hour"),
        ]);
        list.AddRange(DerivativesColumns());
        return list;
    }

    /// <summary>Open interest, funding, ratios and liquidations (../docs/DERIVATIVES.md); null until the feed has them.</summary>
    private static IEnumerable<ScreenerColumn> DerivativesColumns()
    {
        const string group = "Derivatives";
        yield return new("openInterestValue", "OI", group, ColumnKind.Compact, true, "Open interest value (USDT)");
        yield return new("openInterest", "OI contracts", group, ColumnKind.Compact, false, "Open interest in contracts (base asset)");
        foreach (var w in (string[])["1h", "4h", "1d"])
        {
            yield return new($"oiChange_{w}", $"OI chg {w}", group, ColumnKind.Percent, w == "1h", $"Change of the open interest value over the last {w} (%)");
        }
        yield return new("fundingRate", "Funding", group, ColumnKind.Funding, true, "Funding rate per settlement (%); longs pay shorts when positive");
        yield return new("nextFundingTime", "Next funding", group, ColumnKind.Countdown, true, "Time left until the next funding settlement");
        yield return new("markPrice", "Mark", group, ColumnKind.Price, false, "Mark price (USDT)");
        yield return new("longShortRatio", "L/S", group, ColumnKind.Number, true, "Long/short account ratio (all accounts)");
        yield return new("topTraderLongShortRatio", "Top L/S", group, ColumnKind.Number, false, "Top traders' long/short position ratio");
        yield return new("takerBuySellRatio", "Taker B/S", group, ColumnKind.Number, false, "Taker buy/sell volume ratio");
        foreach (var w in (string[])["5m", "1h", "1d"])
        {
            foreach (var (side, closes) in new[] { ("Long", "long"), ("Short", "short") })
            {
                yield return new($"liquidations{side}_{w}", $"Liq {closes} {w}", group, ColumnKind.Compact, w == "1h",
                    $"Liquidated {closes} positions over the last {w} (USDT). " + LiquidationsNote);
            }
        }
    }

    /// <summary>Why liquidation totals are a floor (Binance's <c>!forceOrder</c> stream).</summary>
    public const string LiquidationsNote = "Binance sends at most one liquidation per symbol per second, so totals are a lower bound.";

    /// <summary>Cells coloured by the sign of their value.</summary>
    public static bool Toned(ScreenerColumn column) => column.Kind is ColumnKind.Percent or ColumnKind.Funding or ColumnKind.Trend;

    public static string Cell(ScreenerColumn column, double? value) => column.Kind switch
    {
        ColumnKind.Price => Format.Price(value),
        ColumnKind.Percent => Format.Pct(value),
        ColumnKind.Volume => Format.Volume(value),
        ColumnKind.Count => value is null ? "–" : Format.Num(value, 0),
        ColumnKind.Significant => Format.Significant(value),
        ColumnKind.Compact => Format.Compact(value),
        ColumnKind.Funding => Format.Funding(value),
        ColumnKind.Countdown => Format.Countdown(value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        ColumnKind.Trend => Format.Trend(value),
        _ => Format.Num(value),
    };
}
