using System.Globalization;
using System.Text;

namespace Scalpaiboard.Market.Data;

/// <summary>What one line of a Binance public-data kline CSV turned out to be.</summary>
public enum KlineLineKind
{
    Candle,
    Header,
    Blank,
    Malformed,
}

/// <summary>
/// Parses one line of a Binance public-data 1m kline CSV (12 columns:
/// <c>open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore</c>).
/// Pure and allocation-free on success. Open times of 1e15 and more are microseconds (Binance's newer archives)
/// and are converted to milliseconds.
/// </summary>
public static class KlineCsvParser
{
    public const int ColumnCount = 12;

    /// <summary>Times at or above this are microseconds since the epoch (ms would be the year 33658).</summary>
    public const long MicrosecondThreshold = 1_000_000_000_000_000;

    public static KlineLineKind Parse(ReadOnlySpan<char> line, out Candle candle, out string? error)
    {
        candle = default;
        error = null;
        line = line.Trim();
        if (line.IsEmpty)
        {
            return KlineLineKind.Blank;
        }

        Span<Range> ranges = stackalloc Range[ColumnCount + 1];
        var count = line.Split(ranges, ',');
        if (count >= 1 && line[ranges[0]].Trim().Equals("open_time", StringComparison.OrdinalIgnoreCase))
        {
            return KlineLineKind.Header;
        }
        if (count != ColumnCount)
        {
            error = count > ColumnCount
                ? $"expected {ColumnCount} columns, found more"
                : $"expected {ColumnCount} columns, found {count}";
            return KlineLineKind.Malformed;
        }

        if (!TryTime(line[ranges[0]], "open_time", out var openTime, ref error)
            || !TryPrice(line[ranges[1]], "open", out var open, ref error)
            || !TryPrice(line[ranges[2]], "high", out var high, ref error)
            || !TryPrice(line[ranges[3]], "low", out var low, ref error)
            || !TryPrice(line[ranges[4]], "close", out var close, ref error)
            || !TryAmount(line[ranges[5]], "volume", out var volume, ref error)
            || !TryTime(line[ranges[6]], "close_time", out var closeTime, ref error)
            || !TryAmount(line[ranges[7]], "quote_volume", out var quoteVolume, ref error)
            || !TryCount(line[ranges[8]], "count", out var trades, ref error)
            || !TryAmount(line[ranges[9]], "taker_buy_volume", out var takerBase, ref error)
            || !TryAmount(line[ranges[10]], "taker_buy_quote_volume", out var takerQuote, ref error))
        {
            return KlineLineKind.Malformed;
        }

        if (high < low)
        {
            error = $"high {Show(high)} is below low {Show(low)}";
            return KlineLineKind.Malformed;
        }
        if (closeTime < openTime)
        {
            error = $"close_time {closeTime} is before open_time {openTime}";
            return KlineLineKind.Malformed;
        }

        candle = new Candle(openTime, open, high, low, close, volume, quoteVolume, trades, takerBase, takerQuote);
        return KlineLineKind.Candle;
    }

    /// <summary>
    /// <see cref="Parse(ReadOnlySpan{char}, out Candle, out string?)"/> on the UTF-8 bytes of one line (without its
    /// line end): the same result, value for value and message for message, without decoding the line. An ASCII line
    /// (every real kline row) is parsed on its bytes; any other line is decoded and handed to the char parser.
    /// </summary>
    public static KlineLineKind ParseUtf8(ReadOnlySpan<byte> line, out Candle candle, out string? error) =>
        ParseUtf8(line, out candle, out error, out _);

    /// <param name="chars">The line's length in UTF-16 characters (what StreamReader.ReadLine would have returned).</param>
    internal static KlineLineKind ParseUtf8(ReadOnlySpan<byte> line, out Candle candle, out string? error, out int chars)
    {
        if (!Ascii.IsValid(line))
        {
            var decoded = Encoding.UTF8.GetString(line);
            chars = decoded.Length;
            return Parse(decoded, out candle, out error);
        }
        chars = line.Length;
        candle = default;
        error = null;
        line = Trim(line);
        if (line.IsEmpty)
        {
            return KlineLineKind.Blank;
        }

        // What ReadOnlySpan<char>.Split(ranges, ',') does with 13 slots: the 13th takes the rest of the line.
        Span<Range> ranges = stackalloc Range[ColumnCount + 1];
        var count = 0;
        var start = 0;
        while (true)
        {
            var comma = count == ColumnCount ? -1 : line[start..].IndexOf((byte)',');
            if (comma < 0)
            {
                ranges[count++] = start..line.Length;
                break;
            }
            ranges[count++] = start..(start + comma);
            start += comma + 1;
        }
        if (Ascii.EqualsIgnoreCase(Trim(line[ranges[0]]), "open_time"u8))
        {
            return KlineLineKind.Header;
        }
        if (count != ColumnCount)
        {
            error = count > ColumnCount
                ? $"expected {ColumnCount} columns, found more"
                : $"expected {ColumnCount} columns, found {count}";
            return KlineLineKind.Malformed;
        }

        if (!TryTime(line[ranges[0]], "open_time", out var openTime, ref error)
            || !TryPrice(line[ranges[1]], "open", out var open, ref error)
            || !TryPrice(line[ranges[2]], "high", out var high, ref error)
            || !TryPrice(line[ranges[3]], "low", out var low, ref error)
            || !TryPrice(line[ranges[4]], "close", out var close, ref error)
            || !TryAmount(line[ranges[5]], "volume", out var volume, ref error)
            || !TryTime(line[ranges[6]], "close_time", out var closeTime, ref error)
            || !TryAmount(line[ranges[7]], "quote_volume", out var quoteVolume, ref error)
            || !TryCount(line[ranges[8]], "count", out var trades, ref error)
            || !TryAmount(line[ranges[9]], "taker_buy_volume", out var takerBase, ref error)
            || !TryAmount(line[ranges[10]], "taker_buy_quote_volume", out var takerQuote, ref error))
        {
            return KlineLineKind.Malformed;
        }

        if (high < low)
        {
            error = $"high {Show(high)} is below low {Show(low)}";
            return KlineLineKind.Malformed;
        }
        if (closeTime < openTime)
        {
            error = $"close_time {closeTime} is before open_time {openTime}";
            return KlineLineKind.Malformed;
        }

        candle = new Candle(openTime, open, high, low, close, volume, quoteVolume, trades, takerBase, takerQuote);
        return KlineLineKind.Candle;
    }

    /// <summary>Converts a Binance time (ms, or us when at least 1e15) to Unix milliseconds.</summary>
    public static long ToMilliseconds(long time) => time >= MicrosecondThreshold ? time / 1000 : time;

    private static bool TryTime(ReadOnlySpan<char> field, string name, out long value, ref string? error)
    {
        field = field.Trim();
        if (!long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = $"{name}: '{field}' is not a non-negative integer time";
            return false;
        }
        value = ToMilliseconds(value);
        return true;
    }

    private static bool TryCount(ReadOnlySpan<char> field, string name, out long value, ref string? error)
    {
        field = field.Trim();
        if (!long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = $"{name}: '{field}' is not a non-negative integer";
            return false;
        }
        return true;
    }

    private static bool TryPrice(ReadOnlySpan<char> field, string name, out double value, ref string? error)
    {
        if (!TryNumber(field, name, out value, ref error))
        {
            return false;
        }
        if (value <= 0)
        {
            error = $"{name}: {Show(value)} is not a positive price";
            return false;
        }
        return true;
    }

    private static bool TryAmount(ReadOnlySpan<char> field, string name, out double value, ref string? error)
    {
        if (!TryNumber(field, name, out value, ref error))
        {
            return false;
        }
        if (value < 0)
        {
            error = $"{name}: {Show(value)} is negative";
            return false;
        }
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<char> field, string name, out double value, ref string? error)
    {
        field = field.Trim();
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            error = $"{name}: '{field}' is not a number";
            return false;
        }
        return true;
    }

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// The common case without double.TryParse: unsigned digits with at most one '.', whose digits as an integer m
    /// are at most 2^53 and with at most 22 of them after the point. Then m and 10^k are exact doubles and one IEEE
    /// division rounds the exact quotient correctly: the same double as the full parser's. Anything else: false.
    /// </summary>
    private static bool TryPlainDecimal(ReadOnlySpan<byte> field, out double value)
    {
        value = 0;
        ulong m = 0;
        var digits = 0;
        var point = -1;
        for (var i = 0; i < field.Length; i++)
        {
            var d = (uint)(field[i] - '0');
            if (d <= 9)
            {
                if (++digits > 19)
                {
                    return false;
                }
                m = (m * 10) + d;
            }
            else if (field[i] == '.' && point < 0)
            {
                point = digits;
            }
            else
            {
                return false;
            }
        }
        var fraction = point < 0 ? 0 : digits - point;
        if (digits == 0 || m > (1UL << 53) || fraction > 22)
        {
            return false;
        }
        value = fraction == 0 ? m : m / PowersOfTen[fraction];
        return true;
    }

    /// <summary>1 to 18 ASCII digits (no overflow possible) without long.TryParse; anything else: false.</summary>
    private static bool TryDigits(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if (field.IsEmpty || field.Length > 18)
        {
            return false;
        }
        foreach (var b in field)
        {
            var d = (uint)(b - '0');
            if (d > 9)
            {
                value = 0;
                return false;
            }
            value = (value * 10) + d;
        }
        return true;
    }

    /// <summary>ReadOnlySpan&lt;char&gt;.Trim() on ASCII bytes: the same white space (char.IsWhiteSpace).</summary>
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var start = 0;
        while (start < s.Length && char.IsWhiteSpace((char)s[start]))
        {
            start++;
        }
        var end = s.Length;
        while (end > start && char.IsWhiteSpace((char)s[end - 1]))
        {
            end--;
        }
        return s[start..end];
    }

    private static bool TryTime(ReadOnlySpan<byte> field, string name, out long value, ref string? error)
    {
        field = Trim(field);
        if (!TryDigits(field, out value) && !long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = $"{name}: '{Encoding.ASCII.GetString(field)}' is not a non-negative integer time";
            return false;
        }
        value = ToMilliseconds(value);
        return true;
    }

    private static bool TryCount(ReadOnlySpan<byte> field, string name, out long value, ref string? error)
    {
        field = Trim(field);
        if (!TryDigits(field, out value) && !long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = $"{name}: '{Encoding.ASCII.GetString(field)}' is not a non-negative integer";
            return false;
        }
        return true;
    }

    private static bool TryPrice(ReadOnlySpan<byte> field, string name, out double value, ref string? error)
    {
        if (!TryNumber(field, name, out value, ref error))
        {
            return false;
        }
        if (value <= 0)
        {
            error = $"{name}: {Show(value)} is not a positive price";
            return false;
        }
        return true;
    }

    private static bool TryAmount(ReadOnlySpan<byte> field, string name, out double value, ref string? error)
    {
        if (!TryNumber(field, name, out value, ref error))
        {
            return false;
        }
        if (value < 0)
        {
            error = $"{name}: {Show(value)} is negative";
            return false;
        }
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<byte> field, string name, out double value, ref string? error)
    {
        field = Trim(field);
        if (TryPlainDecimal(field, out value))
        {
            return true;
        }
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            error = $"{name}: '{Encoding.ASCII.GetString(field)}' is not a number";
            return false;
        }
        return true;
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
