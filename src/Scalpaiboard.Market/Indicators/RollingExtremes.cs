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
    public double PeekMax(double high)
    {
        var rest = _max.FirstAtOrAfter(_index - _length + 1, double.NegativeInfinity);
        return Math.Max(rest, high);
    }

    public double PeekMin(double low)
    {
        var rest = _min.FirstAtOrAfter(_index - _length + 1, double.PositiveInfinity);
        return Math.Min(rest, low);
    }

    public void Push(double high, double low)
    {
        var oldest = _index - _length + 1;
        _max.ExpireBefore(oldest);
        _min.ExpireBefore(oldest);
        while (_max.Count > 0 && _max.BackValue <= high)
        {
            _max.PopBack();
        }

        _max.PushBack(_index, high);
        while (_min.Count > 0 && _min.BackValue >= low)
        {
            _min.PopBack();
        }

        _min.PushBack(_index, low);
        _index++;
    }

    public void Reset()
    {
        _max.Clear();
        _min.Clear();
        _index = 0;
    }

    private sealed class Deque(int capacity)
    {
        private readonly long[] _indices = new long[capacity];
        private readonly double[] _values = new double[capacity];
        private int _head;

        public int Count { get; private set; }

        public double FrontValue => _values[_head];

        public double BackValue => _values[Slot(Count - 1)];

        /// <summary>Value of the first element whose index is at least <paramref name="oldest"/>.</summary>
        public double FirstAtOrAfter(long oldest, double none)
        {
            // Indices are consecutive pushes, so at most the front has fallen out of the window.
            for (var i = 0; i < Count && i < 2; i++)
            {
                var slot = Slot(i);
                if (_indices[slot] >= oldest)
                {
                    return _values[slot];
                }
            }

            return none;
        }

        public void ExpireBefore(long oldest)
        {
            while (Count > 0 && _indices[_head] < oldest)
            {
                _head = _head + 1 == _values.Length ? 0 : _head + 1;
                Count--;
            }
        }

        public void PopBack() => Count--;

        public void PushBack(long index, double value)
        {
            var slot = Slot(Count);
            _indices[slot] = index;
            _values[slot] = value;
            Count++;
        }

        public void Clear()
        {
            _head = 0;
            Count = 0;
        }

        private int Slot(int offset)
        {
            var slot = _head + offset;
            return slot >= _values.Length ? slot - _values.Length : slot;
        }
    }
}
