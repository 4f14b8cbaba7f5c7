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
        return new CciResult(N(Value(tp, _typical.PeekSum(tp), _typical.Values, _typical.Next)));
    }

    /// <summary>
    /// CCI of <paramref name="tp"/> joining the ring of the other typical prices (<paramref name="ring"/>, whose
    /// slot <paramref name="next"/> is the one leaving), <paramref name="sum"/> being the window's sum with
    /// <paramref name="tp"/>: the mean deviation walks the most recent first. NaN when the deviation is 0.
    /// </summary>
    internal static double Value(double tp, double sum, ReadOnlySpan<double> ring, int next)
    {
        var period = ring.Length;
        var mean = sum / period;
        var deviation = Math.Abs(mean - tp);
        var index = next;
        for (var ago = 0; ago < period - 1; ago++)
        {
            index = index == 0 ? period - 1 : index - 1;
            deviation += Math.Abs(mean - ring[index]);
        }

        deviation /= period;
        return deviation == 0 ? double.NaN : (tp - mean) / (0.015 * deviation);
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
