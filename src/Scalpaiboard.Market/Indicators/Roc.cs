using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct RocResult(double? Momentum, double? Roc);

/// <summary>
/// Rate of change: Momentum = close - close n bars ago; Roc = 100 * Momentum / close n bars ago (null when that
/// close is 0). Warm-up: the first <c>period</c> bars are null.
/// </summary>
public sealed class Roc
{
    private readonly RollingSum _closes;

    public Roc(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _closes = new RollingSum(period);
    }

    public int Period { get; }

    public RocResult Peek(in Quote quote) =>
        _closes.IsFull ? Result(quote.Close, _closes.Ago(Period - 1)) : default;

    public RocResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _closes.Push(quote.Close);
        return result;
    }

    public void Reset() => _closes.Reset();

    private static RocResult Result(double close, double past) =>
        new(close - past, past == 0 ? null : Percent(close, past));

    /// <summary>100 * (close - past) / past (the step the engine's packed state shares; NaN when past is 0 or NaN).</summary>
    internal static double Percent(double close, double past) => past == 0 ? double.NaN : 100d * (close - past) / past;

    public static RocResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20)
    {
        var results = new RocResult[quotes.Count];
        for (var i = period; i < quotes.Count; i++)
        {
            results[i] = Result(quotes[i].Close, quotes[i - period].Close);
        }

        return results;
    }
}
