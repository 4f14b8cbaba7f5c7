using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct EmaResult(double? Ema);

/// <summary>
/// Exponential moving average of the close, seeded with the SMA of the first <c>period</c> closes.
/// Warm-up: the first <c>period - 1</c> bars are null.
/// </summary>
public sealed class Ema
{
    private SeededEma _ema;

    public Ema(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _ema = new SeededEma(period);
    }

    public int Period { get; }

    public EmaResult Peek(in Quote quote) => new(N(_ema.Peek(quote.Close)));

    public EmaResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _ema.Push(quote.Close);
        return result;
    }

    public void Reset() => _ema.Reset();

    public static EmaResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20)
    {
        var closes = new double[quotes.Count];
        for (var i = 0; i < closes.Length; i++)
        {
            closes[i] = quotes[i].Close;
        }

        var values = Series(closes, period);
        var results = new EmaResult[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            results[i] = new EmaResult(N(values[i]));
        }

        return results;
    }

    /// <summary>Batch EMA of a series whose leading NaNs are skipped (the seed starts at the first number).</summary>
    internal static double[] Series(IReadOnlyList<double> values, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var k = 2d / (period + 1);
        var results = new double[values.Count];
        Array.Fill(results, double.NaN);
        var start = 0;
        while (start < values.Count && double.IsNaN(values[start]))
        {
            start++;
        }

        var seedEnd = start + period - 1;
        if (seedEnd >= values.Count)
        {
            return results;
        }

        var sum = 0d;
        for (var i = start; i <= seedEnd; i++)
        {
            sum += values[i];
        }

        var ema = sum / period;
        results[seedEnd] = ema;
        for (var i = seedEnd + 1; i < values.Count; i++)
        {
            ema += k * (values[i] - ema);
            results[i] = ema;
        }

        return results;
    }
}
