using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct KeltnerResult(double? UpperBand, double? Centerline, double? LowerBand, double? Width);

/// <summary>
/// Keltner channel: centerline = EMA(close, emaPeriods) (SMA-seeded), bands = centerline +/- multiplier * ATR(atrPeriods)
/// (Wilder, see <see cref="Atr"/>), width = (upper - lower) / centerline. Warm-up: bars before
/// max(emaPeriods, atrPeriods) - 1 are null.
/// </summary>
public sealed class Keltner
{
    private readonly Atr _atr;
    private SeededEma _ema;

    public Keltner(int emaPeriods = 20, double multiplier = 2, int atrPeriods = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(emaPeriods, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(atrPeriods, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(multiplier, 0);
        (EmaPeriods, Multiplier, AtrPeriods) = (emaPeriods, multiplier, atrPeriods);
        _ema = new SeededEma(emaPeriods);
        _atr = new Atr(atrPeriods);
    }

    public int EmaPeriods { get; }

    public double Multiplier { get; }

    public int AtrPeriods { get; }

    public KeltnerResult Peek(in Quote quote) => Result(_ema.Peek(quote.Close), V(_atr.Peek(quote).Atr), Multiplier);

    public KeltnerResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _ema.Push(quote.Close);
        _atr.Add(quote);
        return result;
    }

    public void Reset()
    {
        _ema.Reset();
        _atr.Reset();
    }

    private static KeltnerResult Result(double center, double atr, double multiplier)
    {
        if (double.IsNaN(center) || double.IsNaN(atr))
        {
            return default;
        }

        var (upper, lower) = Bands(center, atr, multiplier);
        return new KeltnerResult(upper, center, lower, center == 0 ? null : (upper - lower) / center);
    }

    /// <summary>The bands (the step the engine's packed state shares; NaN when the centerline or the ATR is).</summary>
    internal static (double Upper, double Lower) Bands(double center, double atr, double multiplier) =>
        (center + (multiplier * atr), center - (multiplier * atr));

    public static KeltnerResult[] Calculate(IReadOnlyList<Quote> quotes, int emaPeriods = 20, double multiplier = 2, int atrPeriods = 10)
    {
        var ema = Ema.Calculate(quotes, emaPeriods);
        var atr = Atr.Calculate(quotes, atrPeriods);
        var results = new KeltnerResult[quotes.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Result(V(ema[i].Ema), V(atr[i].Atr), multiplier);
        }

        return results;
    }
}
