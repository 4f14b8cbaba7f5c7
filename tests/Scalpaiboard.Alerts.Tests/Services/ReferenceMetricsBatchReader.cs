using System.Text.Json;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;

using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Tests.Services;

/// <summary>
/// The JsonDocument-based reader the service used before the streaming one (kept verbatim as the reference): the
/// equivalence test checks that <see cref="MetricsBatchReader"/> reads every input exactly as this one did.
/// </summary>
public static class ReferenceMetricsBatchReader
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
