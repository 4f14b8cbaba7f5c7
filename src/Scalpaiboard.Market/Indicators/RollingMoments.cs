namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Mean and population variance of the last <c>Length</c> values in O(1) per push. Sums are kept around a shift
/// (the window mean at the last re-anchor, recomputed once per <c>Length</c> pushes) so the variance does not
/// lose precision to cancellation at high prices or drift on an endless stream. The arithmetic is
/// <see cref="MomentsState"/>'s (shared with the market engine's packed indicator state).
/// </summary>
internal sealed class RollingMoments
{
    private readonly double[] _values;
    private MomentsState _moments;
    private int _next;
    private int _count;
    private int _sinceAnchor;

    public RollingMoments(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _values = new double[length];
    }

    public int Count => _count;

    /// <summary>Mean and population variance if <paramref name="x"/> were pushed now (window of at most Length).</summary>
    public (double Mean, double Variance) Peek(double x)
    {
        var moments = _moments;
        if (_count == 0)
        {
            moments.Shift = x;
        }

        return moments.Peek(x, _count, _count == _values.Length, _values[_next] - moments.Shift);
    }

    public void Push(double x)
    {
        var full = _count == _values.Length;
        _moments.Push(x, _count, full, _values[_next]);
        if (!full)
        {
            _count++;
        }

        _values[_next] = x;
        _next = _next + 1 == _values.Length ? 0 : _next + 1;
        if (++_sinceAnchor >= _values.Length)
        {
            _sinceAnchor = 0;
            _moments.Reanchor(_values.AsSpan(0, _count));
        }
    }

    public void Reset()
    {
        Array.Clear(_values);
        _next = _count = _sinceAnchor = 0;
        _moments = default;
    }
}
