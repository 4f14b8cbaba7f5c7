namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// The last <c>Length</c> values in a ring with their running sum. Push and PeekSum are O(1); the sum is
/// re-anchored from the ring once per <c>Length</c> pushes (amortised O(1)) so rounding cannot drift on an
/// endless stream.
/// </summary>
internal sealed class RollingSum
{
    private readonly double[] _values;
    private int _next;
    private int _count;
    private int _sinceAnchor;
    private double _sum;

    public RollingSum(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _values = new double[length];
    }

    public int Length => _values.Length;

    public int Count => _count;

    public bool IsFull => _count == _values.Length;

    public double Sum => _sum;

    /// <summary>The sum of the window as it would be after pushing <paramref name="value"/>.</summary>
    public double PeekSum(double value) => RingSum.Base(_sum, IsFull, _values[_next]) + value;

    /// <summary>The ring in storage order and the slot the next push writes (for walks such as CCI's).</summary>
    public ReadOnlySpan<double> Values => _values;

    public int Next => _next;

    /// <summary>The value pushed <paramref name="ago"/> pushes ago (0 = the latest).</summary>
    public double Ago(int ago) => _values[RingSum.Ago(_next, ago, _values.Length)];

    public void Push(double value) => RingSum.Push(_values, ref _next, ref _count, ref _sinceAnchor, ref _sum, value);

    public void Reset()
    {
        Array.Clear(_values);
        _next = 0;
        _count = 0;
        _sinceAnchor = 0;
        _sum = 0;
    }
}
