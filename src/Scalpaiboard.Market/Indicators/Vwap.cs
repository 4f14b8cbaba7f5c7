namespace Scalpaiboard.Market.Indicators;

public readonly record struct VwapResult(double? Vwap);

/// <summary>
/// Volume-weighted average price of the typical price (H + L + C) / 3, anchored at the first bar:
/// sum(tp * volume) / sum(volume) since the anchor (null while the volume sum is 0). No warm-up.
/// </summary>
public sealed class Vwap
{
    private double _priceVolume;
    private double _volume;

    public VwapResult Peek(in Quote quote) => Result(_priceVolume + (quote.TypicalPrice * quote.Volume), _volume + quote.Volume);

    public VwapResult Add(in Quote quote)
    {
        _priceVolume += quote.TypicalPrice * quote.Volume;
        _volume += quote.Volume;
        return Result(_priceVolume, _volume);
    }

    public void Reset() => _priceVolume = _volume = 0;

    internal static VwapResult Result(double priceVolume, double volume) => new(Num.N(Value(priceVolume, volume)));

    /// <summary>sum(tp * volume) / sum(volume), NaN while the volume sum is 0.</summary>
    internal static double Value(double priceVolume, double volume) => volume == 0 ? double.NaN : priceVolume / volume;

    public static VwapResult[] Calculate(IReadOnlyList<Quote> quotes)
    {
        var results = new VwapResult[quotes.Count];
        for (var i = 0; i < quotes.Count; i++)
        {
            double pv = 0, v = 0;
            for (var j = 0; j <= i; j++)
            {
                pv += quotes[j].TypicalPrice * quotes[j].Volume;
                v += quotes[j].Volume;
            }

            results[i] = Result(pv, v);
        }

        return results;
    }
}

/// <summary>
/// VWAP over the last <c>period</c> bars (a sliding window, not anchored): sum(tp * volume) / sum(volume) of the
/// window. Warm-up: the first <c>period - 1</c> bars are null; null while the window's volume is 0.
/// </summary>
public sealed class RollingVwap
{
    private readonly RollingSum _priceVolume;
    private readonly RollingSum _volume;

    public RollingVwap(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _priceVolume = new RollingSum(period);
        _volume = new RollingSum(period);
    }

    public int Period { get; }

    public VwapResult Peek(in Quote quote) =>
        _volume.Count + 1 >= Period
            ? Vwap.Result(_priceVolume.PeekSum(quote.TypicalPrice * quote.Volume), _volume.PeekSum(quote.Volume))
            : default;

    public VwapResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _priceVolume.Push(quote.TypicalPrice * quote.Volume);
        _volume.Push(quote.Volume);
        return result;
    }

    public void Reset()
    {
        _priceVolume.Reset();
        _volume.Reset();
    }

    public static VwapResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20)
    {
        var results = new VwapResult[quotes.Count];
        for (var i = period - 1; i < quotes.Count; i++)
        {
            double pv = 0, v = 0;
            for (var j = i - period + 1; j <= i; j++)
            {
                pv += quotes[j].TypicalPrice * quotes[j].Volume;
                v += quotes[j].Volume;
            }

            results[i] = Vwap.Result(pv, v);
        }

        return results;
    }
}
