using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct WilliamsRResult(double? WilliamsR);

/// <summary>
/// Williams %R = -100 * (HH - close) / (HH - LL) over <c>period</c> bars, i.e. the fast stochastic minus 100
/// (so HH == LL gives -100, as in the reference library). Warm-up: the first <c>period - 1</c> bars are null.
/// </summary>
public sealed class WilliamsR
{
    private readonly RollingExtremes _range;

    public WilliamsR(int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _range = new RollingExtremes(period);
    }

    public int Period { get; }

    public WilliamsRResult Peek(in Quote quote) =>
        _range.Count + 1 >= Period
            ? new WilliamsRResult(Stoch.RawK(quote.Close, _range.PeekMax(quote.High), _range.PeekMin(quote.Low)) - 100d)
            : default;

    public WilliamsRResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _range.Push(quote.High, quote.Low);
        return result;
    }

    public void Reset() => _range.Reset();

    public static WilliamsRResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 14)
    {
        var results = new WilliamsRResult[quotes.Count];
        for (var i = period - 1; i < quotes.Count; i++)
        {
            double hh = double.MinValue, ll = double.MaxValue;
            for (var j = i - period + 1; j <= i; j++)
            {
                hh = Math.Max(hh, quotes[j].High);
                ll = Math.Min(ll, quotes[j].Low);
            }

            results[i] = new WilliamsRResult(Stoch.RawK(quotes[i].Close, hh, ll) - 100d);
        }

        return results;
    }
}
