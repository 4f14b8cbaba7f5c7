using System.Globalization;
using System.Text.Json.Nodes;

namespace Scalpaiboard.Ai.Services.Patterns;

public readonly record struct Bar(long OpenTime, double Open, double High, double Low, double Close, double Volume)
{
    /// <summary>Reads the <c>candles</c> array of <c>/api/coins/{symbol}/candles</c>.</summary>
    public static List<Bar> ParseCandles(JsonNode? response)
    {
        var list = new List<Bar>();
        var array = response switch
        {
            JsonObject o => o["candles"] as JsonArray ?? o["data"] as JsonArray,
            JsonArray a => a,
            _ => null,
        };
        foreach (var item in array ?? [])
        {
            if (item is not JsonObject c)
            {
                continue;
            }
            var bar = new Bar((long)Number(c["openTime"]), Number(c["open"]), Number(c["high"]), Number(c["low"]),
                Number(c["close"]), Number(c["quoteVolume"] ?? c["volume"]));
            if (double.IsFinite(bar.High) && double.IsFinite(bar.Low) && double.IsFinite(bar.Close))
            {
                list.Add(bar);
            }
        }
        return list;
    }

    public static double Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s)
            && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
        _ => double.NaN,
    };
}

/// <summary>The few indicators the assistant computes itself from a bar series (batch; small inputs).</summary>
public static class BarMath
{
    public static double? Ema(IReadOnlyList<Bar> bars, int period)
    {
        if (bars.Count < period)
        {
            return null;
        }
        var ema = 0.0;
        for (var i = 0; i < period; i++)
        {
            ema += bars[i].Close / period;
        }
        var k = 2.0 / (period + 1);
        for (var i = period; i < bars.Count; i++)
        {
            ema += (bars[i].Close - ema) * k;
        }
        return ema;
    }

    /// <summary>Wilder's RSI.</summary>
    public static double? Rsi(IReadOnlyList<Bar> bars, int period = 14)
    {
        if (bars.Count <= period)
        {
            return null;
        }
        double gain = 0, loss = 0;
        for (var i = 1; i <= period; i++)
        {
            var d = bars[i].Close - bars[i - 1].Close;
            gain += Math.Max(d, 0);
            loss += Math.Max(-d, 0);
        }
        gain /= period;
        loss /= period;
        for (var i = period + 1; i < bars.Count; i++)
        {
            var d = bars[i].Close - bars[i - 1].Close;
            gain = (gain * (period - 1) + Math.Max(d, 0)) / period;
            loss = (loss * (period - 1) + Math.Max(-d, 0)) / period;
        }
        return loss == 0 ? 100 : 100 - 100 / (1 + gain / loss);
    }

    /// <summary>Wilder's ATR; with fewer bars than the period, the mean true range.</summary>
    public static double Atr(IReadOnlyList<Bar> bars, int period = 14)
    {
        if (bars.Count == 0)
        {
            return 0;
        }
        double atr = 0;
        for (var i = 0; i < bars.Count; i++)
        {
            var tr = i == 0 ? bars[0].High - bars[0].Low
                : Math.Max(bars[i].High, bars[i - 1].Close) - Math.Min(bars[i].Low, bars[i - 1].Close);
            atr = i < period ? (atr * i + tr) / (i + 1) : (atr * (period - 1) + tr) / period;
        }
        return atr;
    }

    /// <summary>Least-squares slope and R² of (x, y) points.</summary>
    public static (double Slope, double Intercept, double R2) Fit(IReadOnlyList<(double X, double Y)> points)
    {
        var n = points.Count;
        if (n < 2)
        {
            return (0, n == 1 ? points[0].Y : 0, 0);
        }
        double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
        foreach (var (x, y) in points)
        {
            sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y;
        }
        var den = n * sxx - sx * sx;
        if (den == 0)
        {
            return (0, sy / n, 0);
        }
        var slope = (n * sxy - sx * sy) / den;
        var intercept = (sy - slope * sx) / n;
        var ssTot = syy - sy * sy / n;
        double ssRes = 0;
        foreach (var (x, y) in points)
        {
            var e = y - (intercept + slope * x);
            ssRes += e * e;
        }
        return (slope, intercept, ssTot <= 0 ? 1 : Math.Clamp(1 - ssRes / ssTot, 0, 1));
    }
}
