using System.Runtime.CompilerServices;
namespace Scalpaiboard.Market.Indicators;

public readonly record struct ParabolicSarResult(double? Sar, bool? IsReversal);

/// <summary>
/// Wilder's parabolic SAR. The series starts on the second bar assuming a rising trend with SAR = first low and
/// extreme point = first high; SAR never goes above the last two lows (rising) or below the last two highs
/// (falling); a penetration reverses to the extreme point, resets the factor to <c>initialFactor</c> and flags
/// IsReversal. As in the reference library the initial trend is a guess, so everything before the first
/// reversal, and the first reversal itself, is null (warm-up); every bar after it has a value.
/// </summary>
public sealed class ParabolicSar
{
    private SarState _state;

    public ParabolicSar(double accelerationStep = 0.02, double maxAccelerationFactor = 0.2, double? initialFactor = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(accelerationStep, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAccelerationFactor, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(accelerationStep, maxAccelerationFactor);
        AccelerationStep = accelerationStep;
        MaxAccelerationFactor = maxAccelerationFactor;
        InitialFactor = initialFactor ?? accelerationStep;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InitialFactor, 0);
    }

    public double AccelerationStep { get; }

    public double MaxAccelerationFactor { get; }

    public double InitialFactor { get; }

    public ParabolicSarResult Peek(in Quote quote)
    {
        var copy = _state;
        return Next(ref copy, quote);
    }

    public ParabolicSarResult Add(in Quote quote) => Next(ref _state, quote);

    public void Reset() => _state = default;

    private ParabolicSarResult Next(ref SarState s, in Quote q)
    {
        var sar = SarState.Next(ref s, q.High, q.Low, InitialFactor, AccelerationStep, MaxAccelerationFactor, out var reversal);
        return double.IsNaN(sar) ? default : new ParabolicSarResult(sar, reversal);
    }

    public static ParabolicSarResult[] Calculate(IReadOnlyList<Quote> quotes, double accelerationStep = 0.02, double maxAccelerationFactor = 0.2, double? initialFactor = null)
    {
        // Batch form: the whole guessed series first, then the leading guess (before the first reversal) removed.
        var calculator = new ParabolicSar(accelerationStep, maxAccelerationFactor, initialFactor);
        var results = new ParabolicSarResult[quotes.Count];
        var sars = new double[quotes.Count];
        var reversals = new bool[quotes.Count];
        var s = default(SarState);
        for (var i = 0; i < quotes.Count; i++)
        {
            s.Reversed = true;
            var r = calculator.Next(ref s, quotes[i]);
            sars[i] = r.Sar ?? double.NaN;
            reversals[i] = r.IsReversal ?? false;
        }

        var first = Array.IndexOf(reversals, true);
        for (var i = first < 0 ? quotes.Count : first + 1; i < quotes.Count; i++)
        {
            results[i] = new ParabolicSarResult(sars[i], reversals[i]);
        }

        return results;
    }
}

/// <summary>
/// The parabolic SAR's step (see <see cref="ParabolicSar"/>), shared by the single indicator and the engine's
/// packed state (<see cref="IndicatorKernel"/>).
/// </summary>
internal struct SarState
{
    public int Count;
    public bool IsRising;
    public bool Reversed;
    public double Factor;
    public double ExtremePoint;
    public double PriorSar;
    public double High1;
    public double Low1;
    public double High2;
    public double Low2;

    /// <summary>
    /// The SAR of the next bar unless it reverses (then it is the extreme point): it does not depend on that bar,
    /// so the engine's lanes prepare it when a bar closes. Only after the first bar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Candidate()
    {
        if (IsRising)
        {
            var rising = PriorSar + (Factor * (ExtremePoint - PriorSar));
            return Count >= 2 ? Math.Min(rising, Math.Min(Low1, Low2)) : rising;
        }

        var falling = PriorSar - (Factor * (PriorSar - ExtremePoint));
        return Count >= 2 ? Math.Max(falling, Math.Max(High1, High2)) : falling;
    }

    /// <summary>The SAR of this bar, NaN on the first bar and up to and including the first reversal (warm-up).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Next(ref SarState s, double high, double low, double initialFactor, double accelerationStep, double maxFactor, out bool reversal)
    {
        if (s.Count == 0)
        {
            s.Count = 1;
            s.IsRising = true;
            s.Factor = initialFactor;
            s.ExtremePoint = high;
            s.PriorSar = low;
            (s.High1, s.Low1) = (high, low);
            reversal = false;
            return double.NaN;
        }

        var sar = s.Candidate();
        if (s.IsRising)
        {
            reversal = low < sar;
            if (reversal)
            {
                sar = s.ExtremePoint;
                s.IsRising = false;
                s.Factor = initialFactor;
                s.ExtremePoint = low;
            }
            else if (high > s.ExtremePoint)
            {
                s.ExtremePoint = high;
                s.Factor = Math.Min(s.Factor + accelerationStep, maxFactor);
            }
        }
        else
        {
            reversal = high > sar;
            if (reversal)
            {
                sar = s.ExtremePoint;
                s.IsRising = true;
                s.Factor = initialFactor;
                s.ExtremePoint = high;
            }
            else if (low < s.ExtremePoint)
            {
                s.ExtremePoint = low;
                s.Factor = Math.Min(s.Factor + accelerationStep, maxFactor);
            }
        }

        s.PriorSar = sar;
        (s.High2, s.Low2, s.High1, s.Low1) = (s.High1, s.Low1, high, low);
        if (s.Count < 2)
        {
            s.Count++;
        }

        var valid = s.Reversed;
        s.Reversed |= reversal;
        return valid ? sar : double.NaN;
    }
}
