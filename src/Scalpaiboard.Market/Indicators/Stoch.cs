using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct StochResult(double? Oscillator, double? Signal, double? PercentJ)
{
    public double? K => Oscillator;

    public double? D => Signal;

    public double? J => PercentJ;
}

/// <summary>
/// Slow stochastic oscillator. Raw %K = 100 * (close - LL) / (HH - LL) over <c>lookback</c> bars (0 when HH == LL);
/// Oscillator (%K) = SMA of raw %K over <c>smooth</c>; Signal (%D) = SMA of %K over <c>signal</c>;
/// PercentJ = 3 %K - 2 %D. Warm-up (14,3,3): %K from bar 15, %D and %J from bar 17.
/// </summary>
public sealed class Stoch
{
    private readonly RollingExtremes _range;
    private readonly RollingSum _raw;
    private readonly RollingSum _k;

    public Stoch(int lookbackPeriods = 14, int signalPeriods = 3, int smoothPeriods = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookbackPeriods, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(signalPeriods, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(smoothPeriods, 1);
        (LookbackPeriods, SignalPeriods, SmoothPeriods) = (lookbackPeriods, signalPeriods, smoothPeriods);
        _range = new RollingExtremes(lookbackPeriods);
        _raw = new RollingSum(smoothPeriods);
        _k = new RollingSum(signalPeriods);
    }

    public int LookbackPeriods { get; }

    public int SignalPeriods { get; }

    public int SmoothPeriods { get; }

    public StochResult Peek(in Quote quote) => Step(quote, commit: false);

    public StochResult Add(in Quote quote) => Step(quote, commit: true);

    public void Reset()
    {
        _range.Reset();
        _raw.Reset();
        _k.Reset();
    }

    internal static double RawK(double close, double highest, double lowest) =>
        highest - lowest == 0 ? 0 : 100d * (close - lowest) / (highest - lowest);

    private StochResult Step(in Quote quote, bool commit)
    {
        var raw = _range.Count + 1 >= LookbackPeriods
            ? RawK(quote.Close, _range.PeekMax(quote.High), _range.PeekMin(quote.Low))
            : double.NaN;
        var k = !double.IsNaN(raw) && _raw.Count + 1 >= SmoothPeriods ? _raw.PeekSum(raw) / SmoothPeriods : double.NaN;
        var d = !double.IsNaN(k) && _k.Count + 1 >= SignalPeriods ? _k.PeekSum(k) / SignalPeriods : double.NaN;
        if (commit)
        {
            _range.Push(quote.High, quote.Low);
            if (!double.IsNaN(raw))
            {
                _raw.Push(raw);
            }

            if (!double.IsNaN(k))
            {
                _k.Push(k);
            }
        }

        return new StochResult(N(k), N(d), N((3 * k) - (2 * d)));
    }

    public static StochResult[] Calculate(IReadOnlyList<Quote> quotes, int lookbackPeriods = 14, int signalPeriods = 3, int smoothPeriods = 3)
    {
        var count = quotes.Count;
        var raw = new double[count];
        var k = new double[count];
        var results = new StochResult[count];
        Array.Fill(raw, double.NaN);
        Array.Fill(k, double.NaN);
        for (var i = lookbackPeriods - 1; i < count; i++)
        {
            double hh = double.MinValue, ll = double.MaxValue;
            for (var j = i - lookbackPeriods + 1; j <= i; j++)
            {
                hh = Math.Max(hh, quotes[j].High);
                ll = Math.Min(ll, quotes[j].Low);
            }

            raw[i] = RawK(quotes[i].Close, hh, ll);
        }

        for (var i = lookbackPeriods + smoothPeriods - 2; i < count; i++)
        {
            var sum = 0d;
            for (var j = i - smoothPeriods + 1; j <= i; j++)
            {
                sum += raw[j];
            }

            k[i] = sum / smoothPeriods;
        }

        for (var i = 0; i < count; i++)
        {
            var d = double.NaN;
            if (i >= lookbackPeriods + smoothPeriods + signalPeriods - 3)
            {
                var sum = 0d;
                for (var j = i - signalPeriods + 1; j <= i; j++)
                {
                    sum += k[j];
                }

                d = sum / signalPeriods;
            }

            results[i] = new StochResult(N(k[i]), N(d), N((3 * k[i]) - (2 * d)));
        }

        return results;
    }
}
