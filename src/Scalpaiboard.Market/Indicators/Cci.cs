using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct CciResult(double? Cci);

/// <summary>
/// Commodity channel index of the typical price tp = (H + L + C) / 3:
/// (tp - SMA(tp)) / (0.015 * mean absolute deviation of tp around that SMA); null when the deviation is 0.
/// Warm-up: the first <c>period - 1</c> bars are null. The mean deviation is measured around the current window
/// mean, so it walks the <c>period</c>-bar ring on every bar: O(period), never the history.
/// </summary>
public sealed class Cci
{
    private readonly RollingSum _typical;

    public Cci(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _typical = new RollingSum(period);
    }

    public int Period { get; }

    public CciResult Peek(in Quote quote)
    {
        if (_typical.Count + 1 < Period)
        {
            return default;
        }

        var tp = quote.TypicalPrice;
        var mean = _typical.PeekSum(tp) / Period;
        var deviation = Math.Abs(mean - tp);
        for (var ago = 0; ago < Period - 1; ago++)
        {
            deviation += Math.Abs(mean - _typical.Ago(ago));
        }

        deviation /= Period;
        return new CciResult(deviation == 0 ? null : (tp - mean) / (0.015 * deviation));
    }

    public CciResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _typical.Push(quote.TypicalPrice);
        return result;
    }

    public void Reset() => _typical.Reset();

    public static CciResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20)
    {
        var results = new CciResult[quotes.Count];
        for (var i = period - 1; i < quotes.Count; i++)
        {
            var mean = 0d;
            for (var j = i - period + 1; j <= i; j++)
            {
                mean += quotes[j].TypicalPrice;
            }

            mean /= period;
            var deviation = 0d;
            for (var j = i - period + 1; j <= i; j++)
            {
                deviation += Math.Abs(mean - quotes[j].TypicalPrice);
            }

            deviation /= period;
            results[i] = new CciResult(deviation == 0 ? null : (quotes[i].TypicalPrice - mean) / (0.015 * deviation));
        }

        return results;
    }
}
