namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Mean and population variance of the last <c>Length</c> values in O(1) per push. Sums are kept around a shift
/// (the window mean at the last re-anchor, recomputed once per <c>Length</c> pushes) so the variance does not
/// lose precision to cancellation at high prices or drift on an endless stream.
/// </summary>
internal sealed class RollingMoments
{
    private readonly double[] _values;
    private int _next;
    private int _count;
    private int _sinceAnchor;
    private double _shift;
    private double _sum;
    private double _sumSquares;

    public RollingMoments(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _values = new double[length];
    }

    public int Count => _count;

    /// <summary>Mean and population variance if <paramref name="x"/> were pushed now (window of at most Length).</summary>
    public (double Mean, double Variance) Peek(double x)
    {
        var shifted = x - (_count == 0 ? x : _shift);
        double sum = _sum + shifted, squares = _sumSquares + (shifted * shifted);
        var n = _count;
        if (_count == _values.Length)
        {
            var old = _values[_next] - _shift;
            sum -= old;
            squares -= old * old;
        }
        else
        {
            n++;
        }

        var shift = _count == 0 ? x : _shift;
        var meanShifted = sum / n;
        var variance = (squares / n) - (meanShifted * meanShifted);
        var mean = shift + meanShifted;
        // Cancellation can leave a tiny residue (even a negative one) for a flat window.
        if (variance <= 1e-13 * ((mean * mean) + 1e-300))
        {
            variance = 0;
        }

        return (mean, variance);
    }

    public void Push(double x)
    {
        if (_count == 0)
        {
            _shift = x;
        }

        var shifted = x - _shift;
        if (_count == _values.Length)
        {
            var old = _values[_next] - _shift;
            _sum -= old;
            _sumSquares -= old * old;
        }
        else
        {
            _count++;
        }

        _sum += shifted;
        _sumSquares += shifted * shifted;
        _values[_next] = x;
        _next = _next + 1 == _values.Length ? 0 : _next + 1;
        if (++_sinceAnchor >= _values.Length)
        {
            Reanchor();
        }
    }

    public void Reset()
    {
        Array.Clear(_values);
        _next = _count = _sinceAnchor = 0;
        _shift = _sum = _sumSquares = 0;
    }

    private void Reanchor()
    {
        _sinceAnchor = 0;
        var mean = 0d;
        for (var i = 0; i < _count; i++)
        {
            mean += _values[i];
        }

        _shift = mean / _count;
        _sum = _sumSquares = 0;
        for (var i = 0; i < _count; i++)
        {
            var d = _values[i] - _shift;
            _sum += d;
            _sumSquares += d * d;
        }
    }
}
