using System.Text.Json;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;

using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Services;

/// <summary>One entry of <c>market.metrics</c>: the candle minute, the publish time and a snapshot per symbol.</summary>
public sealed record MetricsBatch(long OpenTime, long Ts, IReadOnlyList<MetricsSnapshot> Items);

/// <summary>
/// Reads the ingest's metrics batch JSON (<c>{"openTime","ts","items":[snapshot...]}</c>) into market-engine
/// snapshots. Tolerant by design: unknown fields are ignored, null means unavailable (NaN), and per-window values
/// may come flat (<c>change_5m</c>), nested by metric (<c>"change": {"5m": ..}</c>) or nested by window
/// (<c>"windows": {"5m": {"change": ..}}</c>); indicators per timeframe (<c>"indicators": {"1h": {"rsi14": ..}}</c>).
/// </summary>
public static class MetricsBatchReader
{
    public static MetricsBatch Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var items = new List<MetricsSnapshot>();
        if (root.TryGetProperty("items", out var arr) && arr.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in arr.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && ReadSnapshot(item) is { } s)
                {
                    items.Add(s);
                }
            }
        }
        var openTime = Long(root, "openTime") ?? (items.Count > 0 ? items[0].OpenTime : 0);
        return new MetricsBatch(openTime, Long(root, "ts") ?? 0, items);
    }

    public static MetricsSnapshot? ReadSnapshot(JsonElement e)
    {
        var symbol = e.TryGetProperty("symbol", out var sym) && sym.ValueKind == JsonValueKind.String ? sym.GetString() : null;
        var openTime = Long(e, "openTime");
        if (string.IsNullOrEmpty(symbol) || openTime is null)
        {
            return null;
        }
        var s = new MetricsSnapshot { Symbol = symbol.ToUpperInvariant(), OpenTime = openTime.Value };
        foreach (var p in e.EnumerateObject())
        {
            var name = p.Name;
            var v = p.Value;
            switch (name)
            {
                case "price" or "close":
                    s.Price = Num(v);
                    continue;
                case "previousPrice" or "previousClose":
                    s.PreviousPrice = Num(v);
                    continue;
                case "marketCap":
                    s.MarketCap = Num(v);
                    continue;
                case "indicators":
                    ReadIndicators(v, s.Indicators);
                    continue;
                case "previousIndicators":
                    ReadIndicators(v, s.PreviousIndicators);
                    continue;
                case "windows" when v.ValueKind == JsonValueKind.Object:
                    foreach (var w in v.EnumerateObject())
                    {
                        if (MarketWindows.TryParse(w.Name, out var window) && w.Value.ValueKind == JsonValueKind.Object)
                        {
                            foreach (var m in w.Value.EnumerateObject())
                            {
                                SetWindowMetric(s, m.Name, window, Num(m.Value));
                            }
                        }
                    }
                    continue;
            }
            var us = name.LastIndexOf('_');
            if (us > 0 && MarketWindows.TryParse(name[(us + 1)..], out var win))
            {
                SetWindowMetric(s, name[..us], win, Num(v));
            }
            else if (v.ValueKind == JsonValueKind.Object)
            {
                foreach (var w in v.EnumerateObject())
                {
                    if (MarketWindows.TryParse(w.Name, out var window))
                    {
                        SetWindowMetric(s, name, window, Num(w.Value));
                    }
                }
            }
        }
        return s;
    }

    private static void SetWindowMetric(MetricsSnapshot s, string metric, Window w, double value)
    {
        var i = (int)w;
        switch (metric)
        {
            case "change":
                s.Change[i] = value;
                break;
            case "quoteVolume" or "volume":
                s.QuoteVolume[i] = value;
                break;
            case "baseVolume":
                s.BaseVolume[i] = value;
                break;
            case "open":
                s.Open[i] = value;
                break;
            case "high":
                s.High[i] = value;
                break;
            case "low":
                s.Low[i] = value;
                break;
            case "trades":
                s.Trades[i] = value;
                break;
        }
    }

    private static void ReadIndicators(JsonElement e, IndicatorValues[] target)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var tf in e.EnumerateObject())
        {
            if (!Timeframes.TryParse(tf.Name, out var timeframe) || tf.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var values = IndicatorValues.Unavailable;
            foreach (var p in tf.Value.EnumerateObject())
            {
                IndicatorFields.Set(ref values, p.Name, Num(p.Value));
            }
            target[(int)timeframe] = values;
        }
    }

    private static double Num(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String when double.TryParse(v.GetString(), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => double.NaN,
    };

    private static long? Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;
}

/// <summary>The JSON names of <see cref="IndicatorValues"/> fields (camelCase of the field names).</summary>
public static class IndicatorFields
{
    public static readonly string[] Names =
    [
        "sma20", "ema20", "ema50", "rsi14", "macd", "macdSignal", "macdHistogram", "bbUpper", "bbMiddle", "bbLower",
        "bbPercentB", "bbWidth", "atr14", "atrPercent", "stochK", "stochD", "adx14", "cci20", "williamsR14", "vwap", "vcp",
        "pivotPp", "pivotR1", "pivotS1",
    ];

    public static void Set(ref IndicatorValues v, string name, double value)
    {
        switch (name)
        {
            case "sma20": v.Sma20 = value; break;
            case "ema20": v.Ema20 = value; break;
            case "ema50": v.Ema50 = value; break;
            case "rsi14" or "rsi": v.Rsi14 = value; break;
            case "macd": v.Macd = value; break;
            case "macdSignal": v.MacdSignal = value; break;
            case "macdHistogram": v.MacdHistogram = value; break;
            case "bbUpper": v.BbUpper = value; break;
            case "bbMiddle": v.BbMiddle = value; break;
            case "bbLower": v.BbLower = value; break;
            case "bbPercentB": v.BbPercentB = value; break;
            case "bbWidth": v.BbWidth = value; break;
            case "atr14": v.Atr14 = value; break;
            case "atrPercent": v.AtrPercent = value; break;
            case "stochK": v.StochK = value; break;
            case "stochD": v.StochD = value; break;
            case "adx14": v.Adx14 = value; break;
            case "cci20": v.Cci20 = value; break;
            case "williamsR14": v.WilliamsR14 = value; break;
            case "vwap": v.Vwap = value; break;
            case "vcp": v.Vcp = value; break;
            case "pivotPp": v.PivotPp = value; break;
            case "pivotR1": v.PivotR1 = value; break;
            case "pivotS1": v.PivotS1 = value; break;
        }
    }
}
