namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Highest high and lowest low of the last <c>Length</c> bars through two monotonic deques: O(1) amortised per
/// push, O(1) peek of the window that would include one more bar.
/// </summary>
internal sealed class RollingExtremes
{
    private readonly int _length;
    private readonly Deque _max;
    private readonly Deque _min;
    private long _index;

    public RollingExtremes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _length = length;
        _max = new Deque(length + 1);
        _min = new Deque(length + 1);
    }

    public int Length => _length;

    /// <summary>How many bars the window holds (up to Length).</summary>
    public int Count => (int)Math.Min(_index, _length);

    /// <summary>Highest high of the committed window.</summary>
    public double Max => _max.Count == 0 ? double.NaN : _max.FrontValue;

    /// <summary>Lowest low of the committed window.</summary>
    public double Min => _min.Count == 0 ? double.NaN : _min.FrontValue;

    /// <summary>Highest high of the window if a bar with <paramref name="high"/> were pushed now.</summary>
    public double PeekMax(double high) => Math.Max(_max.FirstAtOrAfter(_index - _length + 1, double.NegativeInfinity), high);

    public double PeekMin(double low) => Math.Min(_min.FirstAtOrAfter(_index - _length + 1, double.PositiveInfinity), low);

    public void Push(double high, double low)
    {
        _max.Push(_length, _index, high, maximum: true);
        _min.Push(_length, _index, low, maximum: false);
        _index++;
    }

    public void Reset()
    {
        _max.Clear();
        _min.Clear();
        _index = 0;
    }

    /// <summary>A <see cref="DequeCursor"/> over its own index and value rings.</summary>
    private sealed class Deque(int capacity)
    {
        private readonly long[] _indices = new long[capacity];
        private readonly double[] _values = new double[capacity];
        private DequeCursor _cursor;

        public int Count => _cursor.Count;

        public double FrontValue => _cursor.Front(_values);

        public double FirstAtOrAfter(long oldest, double none) => _cursor.FirstAtOrAfter(_indices, _values, oldest, none);

        public void Push(int length, long index, double value, bool maximum) =>
            _cursor.Push(_indices, _values, length, index, value, maximum);

        public void Clear() => _cursor = default;
    }
}
