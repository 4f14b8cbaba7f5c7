using System.Globalization;

namespace Scalpaiboard.Market.Indicators;

public enum PivotPointType
{
    Standard,
    Camarilla,
    Demark,
    Fibonacci,
    Woodie,
}

public enum PivotWindow
{
    Month,
    Week,
    Day,
    Hour,
}

public readonly record struct PivotPointsResult(
    double? PP, double? R1, double? R2, double? R3, double? R4, double? S1, double? S2, double? S3, double? S4);

/// <summary>
/// Pivot points per calendar window (month, week, day, hour of the bar's date). Every bar of a window gets the
/// levels computed from the previous complete window's high, low and close (and open: Woodie uses the current
/// window's first open, Demark the previous window's open). Bars of the first window are null (warm-up).
/// Weeks are numbered like the reference library (Sunday-first weeks, a new week also at 1 January).
/// Levels a type does not define (R4/S4 except Camarilla, R2+/S2+ for Demark) are null.
/// </summary>
public sealed class PivotPoints
{
    private static readonly Calendar WeekCalendar = CultureInfo.InvariantCulture.Calendar;

    private bool _started;
    private bool _hasLevels;
    private int _window;
    private double _open;
    private double _high;
    private double _low;
    private double _close;
    private PivotPointsResult _levels;

    public PivotPoints(PivotWindow window = PivotWindow.Month, PivotPointType type = PivotPointType.Standard)
    {
        Window = window;
        Type = type;
    }

    public PivotWindow Window { get; }

    public PivotPointType Type { get; }

    public PivotPointsResult Peek(in Quote quote)
    {
        if (!_started)
        {
            return default;
        }

        return WindowOf(quote.Date, Window) != _window
            ? Levels(Type, quote.Open, _open, _high, _low, _close)
            : _hasLevels ? _levels : default;
    }

    public PivotPointsResult Add(in Quote quote)
    {
        var window = WindowOf(quote.Date, Window);
        if (!_started)
        {
            (_started, _window, _open, _high, _low) = (true, window, quote.Open, quote.High, quote.Low);
        }
        else if (window != _window)
        {
            _levels = Levels(Type, quote.Open, _open, _high, _low, _close);
            _hasLevels = true;
            (_window, _open, _high, _low) = (window, quote.Open, quote.High, quote.Low);
        }

        _high = Math.Max(_high, quote.High);
        _low = Math.Min(_low, quote.Low);
        _close = quote.Close;
        return _hasLevels ? _levels : default;
    }

    public void Reset()
    {
        _started = _hasLevels = false;
        _window = 0;
        _open = _high = _low = _close = 0;
        _levels = default;
    }

    internal static int WindowOf(DateTime date, PivotWindow window) => window switch
    {
        PivotWindow.Month => date.Month,
        PivotWindow.Week => WeekCalendar.GetWeekOfYear(date, CalendarWeekRule.FirstDay, DayOfWeek.Sunday),
        PivotWindow.Day => date.Day,
        PivotWindow.Hour => date.Hour,
        _ => throw new ArgumentOutOfRangeException(nameof(window)),
    };

    /// <summary>The standard pivot and its first resistance and support (shared with the market engine's pivots).</summary>
    internal static (double Pp, double R1, double S1) Standard(double high, double low, double close)
    {
        var pp = (high + low + close) / 3;
        return (pp, (2 * pp) - low, (2 * pp) - high);
    }

    /// <summary>Levels from a finished window's open/high/low/close; <paramref name="nextOpen"/> opens the new window.</summary>
    public static PivotPointsResult Levels(PivotPointType type, double nextOpen, double open, double high, double low, double close)
    {
        var range = high - low;
        switch (type)
        {
            case PivotPointType.Standard:
            {
                var (pp, r1, s1) = Standard(high, low, close);
                return new PivotPointsResult(pp, r1, pp + range, r1 + range, null, s1, pp - range, s1 - range, null);
            }

            case PivotPointType.Camarilla:
            {
                // The reference library's Camarilla pivot is the previous close itself.
                return new PivotPointsResult(
                    close, close + (range * 1.1 / 12), close + (range * 1.1 / 6), close + (range * 1.1 / 4), close + (range * 1.1 / 2),
                    close - (range * 1.1 / 12), close - (range * 1.1 / 6), close - (range * 1.1 / 4), close - (range * 1.1 / 2));
            }

            case PivotPointType.Fibonacci:
            {
                var pp = (high + low + close) / 3;
                return new PivotPointsResult(
                    pp, pp + (0.382 * range), pp + (0.618 * range), pp + range, null,
                    pp - (0.382 * range), pp - (0.618 * range), pp - range, null);
            }

            case PivotPointType.Woodie:
            {
                var pp = (high + low + (2 * nextOpen)) / 4;
                return new PivotPointsResult(
                    pp, (2 * pp) - low, pp + range, high + (2 * (pp - low)), null,
                    (2 * pp) - high, pp - range, low - (2 * (high - pp)), null);
            }

            case PivotPointType.Demark:
            {
                var x = close < open ? high + (2 * low) + close
                    : close > open ? (2 * high) + low + close
                    : high + low + (2 * close);
                return new PivotPointsResult(x / 4, (x / 2) - low, null, null, null, (x / 2) - high, null, null, null);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    public static PivotPointsResult[] Calculate(IReadOnlyList<Quote> quotes, PivotWindow window = PivotWindow.Month, PivotPointType type = PivotPointType.Standard)
    {
        // Batch form: find each window's bounds, then give every bar the levels of the window before its own.
        var results = new PivotPointsResult[quotes.Count];
        var start = 0;
        int previousStart = -1, previousEnd = -1;
        for (var i = 1; i <= quotes.Count; i++)
        {
            if (i < quotes.Count && WindowOf(quotes[i].Date, window) == WindowOf(quotes[i - 1].Date, window))
            {
                continue;
            }

            if (previousStart >= 0)
            {
                double high = double.MinValue, low = double.MaxValue;
                for (var j = previousStart; j <= previousEnd; j++)
                {
                    high = Math.Max(high, quotes[j].High);
                    low = Math.Min(low, quotes[j].Low);
                }

                var levels = Levels(type, quotes[start].Open, quotes[previousStart].Open, high, low, quotes[previousEnd].Close);
                for (var j = start; j < i; j++)
                {
                    results[j] = levels;
                }
            }

            (previousStart, previousEnd, start) = (start, i - 1, i);
        }

        return results;
    }
}
