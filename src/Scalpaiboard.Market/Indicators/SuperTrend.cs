using System.Runtime.CompilerServices;
using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct SuperTrendResult(double? SuperTrend, double? UpperBand, double? LowerBand);

/// <summary>
/// SuperTrend on ATR(lookback) (Wilder, see <see cref="Atr"/>: first value at bar lookback). Basic bands mid +/- multiplier * ATR with
/// mid = (H + L) / 2, seeded on the first ATR bar (trend up when close >= mid). The upper band only tightens unless the
/// previous close broke above it; the lower band only rises unless the previous close broke below it.
/// The trend turns down when the close is at or below the active band (lower band in an up trend, upper band in a
/// down trend), else it is up. SuperTrend is the active band; only that band's field is set, the other is null.
/// Warm-up: the first <c>lookback</c> bars are null.
/// </summary>
public sealed class SuperTrend
{
    private readonly Atr _atr;
    private bool _started;
    private bool _isBullish;
    private double _upper;
    private double _lower;
    private double _prevClose;

    public SuperTrend(int lookbackPeriods = 14, double multiplier = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookbackPeriods, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(multiplier, 0);
        (LookbackPeriods, Multiplier) = (lookbackPeriods, multiplier);
        _atr = new Atr(lookbackPeriods);
    }

    public int LookbackPeriods { get; }

    public double Multiplier { get; }

    public SuperTrendResult Peek(in Quote quote) => Step(quote, commit: false);

    public SuperTrendResult Add(in Quote quote) => Step(quote, commit: true);

    public void Reset()
    {
        _atr.Reset();
        _started = _isBullish = false;
        _upper = _lower = _prevClose = 0;
    }

    private SuperTrendResult Step(in Quote quote, bool commit)
    {
        var atr = commit ? V(_atr.Add(quote).Atr) : V(_atr.Peek(quote).Atr);
        var result = default(SuperTrendResult);
        if (!double.IsNaN(atr))
        {
            var state = new SuperTrendState { Started = _started, IsBullish = _isBullish, Upper = _upper, Lower = _lower };
            result = Result(ref state, quote, _prevClose, atr, Multiplier);
            if (commit)
            {
                (_started, _isBullish, _upper, _lower) = (state.Started, state.IsBullish, state.Upper, state.Lower);
            }
        }

        if (commit)
        {
            _prevClose = quote.Close;
        }

        return result;
    }

    private static SuperTrendResult Result(ref SuperTrendState s, in Quote q, double prevClose, double atr, double multiplier)
    {
        var band = SuperTrendState.Next(ref s, q.High, q.Low, q.Close, prevClose, atr, multiplier);
        return s.IsBullish ? new SuperTrendResult(band, null, band) : new SuperTrendResult(band, band, null);
    }

    public static SuperTrendResult[] Calculate(IReadOnlyList<Quote> quotes, int lookbackPeriods = 14, double multiplier = 3)
    {
        var atr = Atr.Calculate(quotes, lookbackPeriods);
        var results = new SuperTrendResult[quotes.Count];
        var state = default(SuperTrendState);
        for (var i = 1; i < quotes.Count; i++)
        {
            if (atr[i].Atr is { } value)
            {
                results[i] = Result(ref state, quotes[i], quotes[i - 1].Close, value, multiplier);
            }
        }

        return results;
    }
}

/// <summary>
/// SuperTrend's step (see <see cref="SuperTrend"/>), shared by the single indicator and the engine's packed state
/// (<see cref="IndicatorKernel"/>).
/// </summary>
internal struct SuperTrendState
{
    public bool Started;
    public bool IsBullish;
    public double Upper;
    public double Lower;

    /// <summary>The active band after a bar with this ATR (not NaN); <see cref="IsBullish"/> is the trend after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Next(ref SuperTrendState s, double high, double low, double close, double prevClose, double atr, double multiplier)
    {
        var mid = (high + low) / 2;
        var upperEval = mid + (multiplier * atr);
        var lowerEval = mid - (multiplier * atr);
        if (!s.Started)
        {
            s.Started = true;
            s.IsBullish = close >= mid;
            s.Upper = upperEval;
            s.Lower = lowerEval;
        }

        if (upperEval < s.Upper || prevClose > s.Upper)
        {
            s.Upper = upperEval;
        }

        if (lowerEval > s.Lower || prevClose < s.Lower)
        {
            s.Lower = lowerEval;
        }

        if (close <= (s.IsBullish ? s.Lower : s.Upper))
        {
            s.IsBullish = false;
            return s.Upper;
        }

        s.IsBullish = true;
        return s.Lower;
    }
}
