using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct DonchianResult(double? UpperBand, double? Centerline, double? LowerBand, double? Width);

/// <summary>
/// Donchian channel over the <c>period</c> bars BEFORE the current one (the reference library excludes the
/// current bar): upper = highest high, lower = lowest low, centerline = their mean,
/// width = (upper - lower) / centerline (null when the centerline is 0). Warm-up: the first <c>period</c> bars.
/// </summary>
public sealed class Donchian
{
    private readonly RollingExtremes _range;

    public Donchian(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _range = new RollingExtremes(period);
    }

    public int Period { get; }

    public DonchianResult Peek(in Quote quote) => _range.Count == Period ? Result(_range.Max, _range.Min) : default;

    public DonchianResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _range.Push(quote.High, quote.Low);
        return result;
    }

    public void Reset() => _range.Reset();

    private static DonchianResult Result(double upper, double lower)
    {
        var center = (upper + lower) / 2;
        return new DonchianResult(upper, center, lower, center == 0 ? null : (upper - lower) / center);
    }

    public static DonchianResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20)
    {
        var results = new DonchianResult[quotes.Count];
        for (var i = period; i < quotes.Count; i++)
        {
            double hh = double.MinValue, ll = double.MaxValue;
            for (var j = i - period; j < i; j++)
            {
                hh = Math.Max(hh, quotes[j].High);
                ll = Math.Min(ll, quotes[j].Low);
            }

            results[i] = Result(hh, ll);
        }

        return results;
    }
}
