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
    public double PeekSum(double value) => IsFull ? _sum - _values[_next] + value : _sum + value;

    /// <summary>The value pushed <paramref name="ago"/> pushes ago (0 = the latest).</summary>
    public double Ago(int ago)
    {
        var index = _next - 1 - ago;
        if (index < 0)
        {
            index += _values.Length;
        }

        return _values[index];
    }

    public void Push(double value)
    {
        if (IsFull)
        {
            _sum += value - _values[_next];
        }
        else
        {
            _sum += value;
            _count++;
        }

        _values[_next] = value;
        _next = _next + 1 == _values.Length ? 0 : _next + 1;
        if (++_sinceAnchor >= _values.Length)
        {
            _sinceAnchor = 0;
            var exact = 0d;
            for (var i = 0; i < _count; i++)
            {
                exact += _values[i];
            }

            _sum = exact;
        }
    }

    public void Reset()
    {
        Array.Clear(_values);
        _next = 0;
        _count = 0;
        _sinceAnchor = 0;
        _sum = 0;
    }
}
