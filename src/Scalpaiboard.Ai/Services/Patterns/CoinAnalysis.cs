using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services.Patterns;

/// <summary>Trend, indicators, support/resistance and pivots for get_coin_analysis, from one bar series.</summary>
public sealed record CoinAnalysis(JsonObject Indicators, JsonObject Trend, JsonArray Support, JsonArray Resistance, JsonObject Pivots)
{
    public static CoinAnalysis Analyze(IReadOnlyList<Bar> bars)
    {
        if (bars.Count == 0)
        {
            return new CoinAnalysis(new JsonObject(), new JsonObject { ["direction"] = "unknown", ["reason"] = "no bars" },
                [], [], new JsonObject());
        }
        var close = bars[^1].Close;
        var ema20 = BarMath.Ema(bars, 20);
        var ema50 = BarMath.Ema(bars, 50);
        var rsi = BarMath.Rsi(bars);
        var atr = BarMath.Atr(bars);
        var indicators = new JsonObject
        {
            ["ema20"] = Num(ema20),
            ["ema50"] = Num(ema50),
            ["rsi14"] = rsi is { } r ? Math.Round(r, 2) : null,
            ["atr14"] = Num(atr),
            ["atrPercent"] = close > 0 ? Math.Round(atr / close * 100, 3) : null,
        };

        // Trend: price against EMA20/EMA50 and the slope of the last 20 closes, in ATRs.
        var recent = bars.Skip(Math.Max(0, bars.Count - 20)).Select((b, i) => ((double)i, b.Close)).ToList();
        var fit = BarMath.Fit(recent);
        var slopeAtr = atr > 0 ? fit.Slope * recent.Count / atr : 0;
        var score = 0;
        score += ema20 is { } e20 ? (close > e20 ? 1 : -1) : 0;
        score += ema20 is { } a && ema50 is { } b ? (a > b ? 1 : -1) : 0;
        score += slopeAtr > 1 ? 1 : slopeAtr < -1 ? -1 : 0;
        var direction = score >= 2 ? "up" : score <= -2 ? "down" : "sideways";
        var trend = new JsonObject
        {
            ["direction"] = direction,
            ["score"] = score,
            ["slopeAtr"] = Math.Round(slopeAtr, 2),
            ["reason"] = $"close {(ema20 is { } x ? (close > x ? "above" : "below") + " EMA20" : "(EMA20 n/a)")}, " +
                $"EMA20 {(ema20 is { } c && ema50 is { } d ? (c > d ? "above" : "below") + " EMA50" : "vs EMA50 n/a")}, " +
                $"20-bar slope {slopeAtr:0.##} ATR",
        };

        // Support/resistance: unbroken swing levels nearest to price, merged when within half an ATR.
        var swings = SwingPoints.Find(bars, SwingPoints.DefaultWidth(bars.Count));
        var support = Levels(swings.Where(s => !s.IsHigh && s.Price < close).Select(s => s.Price), atr, descending: true);
        var resistance = Levels(swings.Where(s => s.IsHigh && s.Price > close).Select(s => s.Price), atr, descending: false);

        // Classic floor pivots from the last completed bar.
        var prev = bars.Count >= 2 ? bars[^2] : bars[^1];
        var pp = (prev.High + prev.Low + prev.Close) / 3;
        var pivots = new JsonObject
        {
            ["pp"] = Num(pp),
            ["r1"] = Num(2 * pp - prev.Low),
            ["s1"] = Num(2 * pp - prev.High),
            ["r2"] = Num(pp + (prev.High - prev.Low)),
            ["s2"] = Num(pp - (prev.High - prev.Low)),
        };
        return new CoinAnalysis(indicators, trend, support, resistance, pivots);
    }

    private static JsonArray Levels(IEnumerable<double> prices, double atr, bool descending)
    {
        var sorted = descending ? prices.OrderDescending() : prices.Order();
        var merged = new List<double>();
        foreach (var p in sorted)
        {
            if (merged.Count == 0 || Math.Abs(merged[^1] - p) > atr / 2)
            {
                merged.Add(p);
            }
            if (merged.Count == 3)
            {
                break;
            }
        }
        return new JsonArray(merged.Select(p => (JsonNode?)ToolArguments.Round(p)).ToArray());
    }

    private static JsonNode? Num(double? v) => v is { } x ? ToolArguments.Round(x) : null;
}
