using System.Globalization;
using System.Text.Json;

namespace Scalpaiboard.Web.Services;

/// <summary>Number formatting shared by the server-rendered pages (the ES modules mirror it in format.js).</summary>
public static class Format
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Price(double? v) => v switch
    {
        null => "–",
        >= 1000 => v.Value.ToString("#,0.00", Inv),
        >= 1 => v.Value.ToString("0.00##", Inv),
        >= 0.01 => v.Value.ToString("0.00####", Inv),
        _ => v.Value.ToString("0.00######", Inv),
    };

    public static string Pct(double? v) => v is null ? "–" : (v > 0 ? "+" : "") + v.Value.ToString("0.00", Inv) + "%";

    public static string Num(double? v, int decimals = 2) => v is null ? "–" : v.Value.ToString("N" + decimals, Inv);

    /// <summary>
    /// <paramref name="digits"/> significant digits, never in exponent form, thousands grouped: 444.1, -0.0004213,
    /// 12,345 (format.js <c>significant</c> does the same).
    /// </summary>
    public static string Significant(double? v, int digits = 4)
    {
        if (v is not { } x || !double.IsFinite(x))
        {
            return "–";
        }
        if (x == 0)
        {
            return "0";
        }
        var magnitude = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        return x.ToString("N" + Math.Clamp(digits - 1 - magnitude, 0, 10), Inv);
    }

    public static string Volume(double? v) => v switch
    {
        null => "–",
        >= 1e9 => (v.Value / 1e9).ToString("0.00", Inv) + "B",
        >= 1e6 => (v.Value / 1e6).ToString("0.00", Inv) + "M",
        >= 1e3 => (v.Value / 1e3).ToString("0.0", Inv) + "K",
        _ => v.Value.ToString("0", Inv),
    };

    /// <summary>
    /// Amounts in USDT, short: 12.3M, 1.2B, 850.0K, 420 (open interest value, liquidations; format.js <c>compact</c>).
    /// </summary>
    public static string Compact(double? v)
    {
        if (v is not { } x || !double.IsFinite(x))
        {
            return "–";
        }
        var a = Math.Abs(x);
        return a >= 1e9 ? (x / 1e9).ToString("0.0", Inv) + "B"
            : a >= 1e6 ? (x / 1e6).ToString("0.0", Inv) + "M"
            : a >= 1e3 ? (x / 1e3).ToString("0.0", Inv) + "K"
            : x.ToString("0", Inv);
    }

    /// <summary>A funding rate (a fraction, 0.0001 per settlement) as a percentage: "0.0100 %", "-0.0250 %".</summary>
    public static string Funding(double? v) => v is { } x && double.IsFinite(x) ? (x * 100).ToString("0.0000", Inv) + " %" : "–";

    /// <summary>Time left until <paramref name="untilMs"/> (Unix ms) as h:mm:ss, "0:00:00" once it has passed.</summary>
    public static string Countdown(double? untilMs, long nowMs)
    {
        if (untilMs is not { } until || !double.IsFinite(until))
        {
            return "–";
        }
        var seconds = (long)Math.Max(0, Math.Floor((until - nowMs) / 1000));
        return $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}";
    }

    /// <summary>A trend direction (SuperTrend's): +1 as "▲ up", -1 as "▼ down" (format.js's <c>trend</c>).</summary>
    public static string Trend(double? v) => v switch { > 0 => "▲ up", < 0 => "▼ down", _ => "–" };

    public static string Tone(double? v) => v switch { > 0 => "up", < 0 => "down", _ => "flat" };

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv);

    public static string UnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv);

    public static string Raw(double? v) => v?.ToString("R", Inv) ?? "";

    public static double? Number(this Dictionary<string, JsonElement> row, string key) =>
        row.TryGetValue(key, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;

    public static string Text(this Dictionary<string, JsonElement> row, string key) =>
        row.TryGetValue(key, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : "";

    /// <summary>"futures_big_bull_60" -> "60 Big Bull" (SIGNALS.md display names), else the key itself.</summary>
    public static string PresetName(string key) => key switch
    {
        "futures_big_bull_60" => "60 Big Bull",
        "futures_big_bear_60" => "60 Big Bear",
        "futures_pioneer_bull" => "Pioneer Bull",
        "futures_pioneer_bear" => "Pioneer Bear",
        "futures_5_big_bull" => "5 Big Bull",
        "futures_5_big_bear" => "5 Big Bear",
        "futures_15_big_bull" => "15 Big Bull",
        "futures_15_big_bear" => "15 Big Bear",
        "futures_bottom_hunter" => "Bottom Hunter",
        "futures_top_hunter" => "Top Hunter",
        _ => key,
    };

    public static string PresetTone(string key) => key.Contains("bull", StringComparison.Ordinal) || key.Contains("bottom", StringComparison.Ordinal) ? "up"
        : key.Contains("bear", StringComparison.Ordinal) || key.Contains("top", StringComparison.Ordinal) ? "down" : "flat";
}
