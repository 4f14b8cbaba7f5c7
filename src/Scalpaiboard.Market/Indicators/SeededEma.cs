namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Exponential moving average seeded with the simple average of its first <c>period</c> inputs (the reference
/// library's definition): NaN before that, then <c>ema += k * (x - ema)</c> with <c>k = 2 / (period + 1)</c>.
/// A mutable struct held in a field of its owner: no allocation. The arithmetic is <see cref="EmaCore"/>'s, which
/// the market engine's packed state holds without the period and k (constants there).
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
internal struct SeededEma
{
    private readonly int _period;
    private readonly double _k;
    private EmaCore _core;

    public SeededEma(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _period = period;
        _k = EmaCore.Alpha(period);
    }

    public readonly double Value => _core.Value(_period);

    public readonly double Peek(double x) => _core.Peek(x, _period, _k);

    public void Push(double x) => _core.Push(x, _period, _k);

    public void Reset() => _core = default;
}

/// <summary>
/// The state and steps of a <see cref="SeededEma"/> without its parameters: how many inputs it has seen (up to the
/// period) and one accumulator, the sum of the inputs while seeding and the average from then on (the sum is never
/// needed again once the seed is taken, so the two share the slot).
/// </summary>
internal struct EmaCore
{
    public int Count;
    public double Acc;

    public static double Alpha(int period) => 2d / (period + 1);

    public readonly double Value(int period) => Count >= period ? Acc : double.NaN;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public readonly double Peek(double x, int period, double k)
    {
        if (Count + 1 < period)
        {
            return double.NaN;
        }

        return Count + 1 == period ? (Acc + x) / period : Acc + (k * (x - Acc));
    }

    public void Push(double x, int period, double k)
    {
        var next = Peek(x, period, k);
        if (Count < period)
        {
            Count++;
            Acc = Count == period ? next : Acc + x;
        }
        else
        {
            Acc = next;
        }
    }
}
