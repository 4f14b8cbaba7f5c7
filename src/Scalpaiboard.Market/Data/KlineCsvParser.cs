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
        line = line.Trim();
        if (line.IsEmpty)
        {
            candle = default;
            error = null;
            return KlineLineKind.Blank;
        }
        Span<Range> ranges = stackalloc Range[ColumnCount + 1];
        var count = line.Split(ranges, ',');
        return Row<char, Utf16Fields>(line, ranges[..count], out candle, out error);
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
        line = AsciiFields.Trim(line);
        if (line.IsEmpty)
        {
            candle = default;
            error = null;
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
        return Row<byte, AsciiFields>(line, ranges[..count], out candle, out error);
    }

    /// <summary>Converts a Binance time (ms, or us when at least 1e15) to Unix milliseconds.</summary>
    public static long ToMilliseconds(long time) => time >= MicrosecondThreshold ? time / 1000 : time;

    /// <summary>
    /// One trimmed, non-blank line split at its commas (<paramref name="columns"/>: up to 13, the last holding the rest
    /// of the line): the header, or the 12 checked columns as a candle, or what is wrong with them. Written once for
    /// both encodings; <typeparamref name="TFields"/> reads the numbers and the text of one encoding.
    /// </summary>
    private static KlineLineKind Row<TChar, TFields>(ReadOnlySpan<TChar> line, ReadOnlySpan<Range> columns, out Candle candle, out string? error)
        where TChar : unmanaged
        where TFields : IFields<TChar>
    {
        candle = default;
        error = null;
        if (TFields.IsHeaderName(TFields.Trim(line[columns[0]])))
        {
            return KlineLineKind.Header;
        }
        if (columns.Length != ColumnCount)
        {
            error = columns.Length > ColumnCount
                ? $"expected {ColumnCount} columns, found more"
                : $"expected {ColumnCount} columns, found {columns.Length}";
            return KlineLineKind.Malformed;
        }

        if (!TryTime<TChar, TFields>(line[columns[0]], "open_time", out var openTime, ref error)
            || !TryPrice<TChar, TFields>(line[columns[1]], "open", out var open, ref error)
            || !TryPrice<TChar, TFields>(line[columns[2]], "high", out var high, ref error)
            || !TryPrice<TChar, TFields>(line[columns[3]], "low", out var low, ref error)
            || !TryPrice<TChar, TFields>(line[columns[4]], "close", out var close, ref error)
            || !TryAmount<TChar, TFields>(line[columns[5]], "volume", out var volume, ref error)
            || !TryTime<TChar, TFields>(line[columns[6]], "close_time", out var closeTime, ref error)
            || !TryAmount<TChar, TFields>(line[columns[7]], "quote_volume", out var quoteVolume, ref error)
            || !TryCount<TChar, TFields>(line[columns[8]], "count", out var trades, ref error)
            || !TryAmount<TChar, TFields>(line[columns[9]], "taker_buy_volume", out var takerBase, ref error)
            || !TryAmount<TChar, TFields>(line[columns[10]], "taker_buy_quote_volume", out var takerQuote, ref error))
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

    private static bool TryTime<TChar, TFields>(ReadOnlySpan<TChar> field, string name, out long value, ref string? error)
        where TChar : unmanaged
        where TFields : IFields<TChar>
    {
        if (!TryInteger<TChar, TFields>(field, name, "a non-negative integer time", out value, ref error))
        {
            return false;
        }
        value = ToMilliseconds(value);
        return true;
    }

    private static bool TryCount<TChar, TFields>(ReadOnlySpan<TChar> field, string name, out long value, ref string? error)
        where TChar : unmanaged
        where TFields : IFields<TChar> =>
        TryInteger<TChar, TFields>(field, name, "a non-negative integer", out value, ref error);

    /// <param name="what">What the field must be, for the message (<c>'x' is not ...</c>).</param>
    private static bool TryInteger<TChar, TFields>(ReadOnlySpan<TChar> field, string name, string what, out long value, ref string? error)
        where TChar : unmanaged
        where TFields : IFields<TChar>
    {
        field = TFields.Trim(field);
        if (!TFields.TryInteger(field, out value))
        {
            error = $"{name}: '{TFields.Text(field)}' is not {what}";
            return false;
        }
        return true;
    }

    private static bool TryPrice<TChar, TFields>(ReadOnlySpan<TChar> field, string name, out double value, ref string? error)
        where TChar : unmanaged
        where TFields : IFields<TChar>
    {
        if (!TryNumber<TChar, TFields>(field, name, out value, ref error))
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

    private static bool TryAmount<TChar, TFields>(ReadOnlySpan<TChar> field, string name, out double value, ref string? error)
        where TChar : unmanaged
        where TFields : IFields<TChar>
    {
        if (!TryNumber<TChar, TFields>(field, name, out value, ref error))
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

    private static bool TryNumber<TChar, TFields>(ReadOnlySpan<TChar> field, string name, out double value, ref string? error)
        where TChar : unmanaged
        where TFields : IFields<TChar>
    {
        field = TFields.Trim(field);
        if (!TFields.TryDouble(field, out value) || !double.IsFinite(value))
        {
            error = $"{name}: '{TFields.Text(field)}' is not a number";
            return false;
        }
        return true;
    }

    /// <summary>How one text encoding trims a field, reads its numbers and shows it in a message.</summary>
    private interface IFields<TChar>
        where TChar : unmanaged
    {
        static abstract ReadOnlySpan<TChar> Trim(ReadOnlySpan<TChar> field);

        static abstract bool IsHeaderName(ReadOnlySpan<TChar> firstColumn);

        /// <summary>A non-negative integer (<see cref="NumberStyles.None"/>, invariant).</summary>
        static abstract bool TryInteger(ReadOnlySpan<TChar> field, out long value);

        /// <summary>A number (<see cref="NumberStyles.Float"/>, invariant); the caller rejects infinities and NaN.</summary>
        static abstract bool TryDouble(ReadOnlySpan<TChar> field, out double value);

        static abstract string Text(ReadOnlySpan<TChar> field);
    }

    /// <summary>UTF-16 text: the BCL's parsers.</summary>
    private readonly struct Utf16Fields : IFields<char>
    {
        public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> field) => field.Trim();

        public static bool IsHeaderName(ReadOnlySpan<char> firstColumn) => firstColumn.Equals("open_time", StringComparison.OrdinalIgnoreCase);

        public static bool TryInteger(ReadOnlySpan<char> field, out long value) =>
            long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        public static bool TryDouble(ReadOnlySpan<char> field, out double value) =>
            double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

        public static string Text(ReadOnlySpan<char> field) => new(field);
    }

    /// <summary>ASCII bytes: plain digits and plain decimals by the exact fast paths below, anything else by the BCL's UTF-8 parsers.</summary>
    private readonly struct AsciiFields : IFields<byte>
    {
        /// <summary>ReadOnlySpan&lt;char&gt;.Trim() on ASCII bytes: the same white space (char.IsWhiteSpace).</summary>
        public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> field)
        {
            var start = 0;
            while (start < field.Length && char.IsWhiteSpace((char)field[start]))
            {
                start++;
            }
            var end = field.Length;
            while (end > start && char.IsWhiteSpace((char)field[end - 1]))
            {
                end--;
            }
            return field[start..end];
        }

        public static bool IsHeaderName(ReadOnlySpan<byte> firstColumn) => Ascii.EqualsIgnoreCase(firstColumn, "open_time"u8);

        public static bool TryInteger(ReadOnlySpan<byte> field, out long value) =>
            TryDigits(field, out value) || long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        public static bool TryDouble(ReadOnlySpan<byte> field, out double value) =>
            TryPlainDecimal(field, out value) || double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

        public static string Text(ReadOnlySpan<byte> field) => Encoding.ASCII.GetString(field);
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

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
