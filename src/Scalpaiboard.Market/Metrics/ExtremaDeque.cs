using System.Runtime.CompilerServices;

namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// One monotonic deque of ring positions serving every window at once: the front-to-back elements are the
/// candles not dominated by a later one (for the maximum: a strictly higher value than everything after them),
/// oldest first. The extreme of the last N candles is the first element younger than N, and each window keeps
/// its own head into the deque, so one deque of 1440 positions replaces six. Each head also caches its ring
/// position and value, so reading the six extremes touches no deque or ring memory. O(1) amortized per candle.
/// </summary>
/// <remarks>
/// The values are read from an interleaved high/low ring: slot p's high at [2p], its low at [2p + 1]. A struct with
/// its deque and heads inline, held in a field of <see cref="SymbolState"/> (never copied): a push then reaches them
/// at fixed offsets from the symbol's state instead of through two more objects, one cache miss after the other.
/// </remarks>
internal struct ExtremaDeque(bool maximum)
{
    private const int Capacity = SymbolState.Capacity;

    private Slots _slots;
    private HeadBuffer _heads;
    private readonly bool _maximum = maximum;
    private readonly int _offset = maximum ? 0 : 1;
    private int _front;
    private int _count;

    /// <summary>
    /// Asks for the value each head moves to when the candle at ring position <paramref name="pos"/> is pushed and
    /// its window drops the head's candle: an old slot of the ring, out of every cache.
    /// </summary>
    public readonly void PrefetchAdvances(double[] values, int pos)
    {
        var minutes = Windows.Minutes;
        for (var w = 0; w < Windows.Count && w < minutes.Length; w++)
        {
            ref readonly var head = ref _heads[w];
            if (head.Offset + 1 < _count && Age(pos, head.Slot) >= minutes[w])
            {
                CacheHints.Prefetch(values, (2 * _slots[Index(head.Offset + 1)]) + _offset);
            }
        }
    }

    /// <summary>The extreme value of window <paramref name="w"/> (valid once the window is covered).</summary>
    public readonly double Value(int w) => _heads[w].Value;

    /// <summary>
    /// Drops the front element if it sits in <paramref name="slot"/>, the ring slot about to be overwritten
    /// (<paramref name="values"/> still holds the old candles).
    /// </summary>
    public void Expire(double[] values, int slot)
    {
        if (_count == 0 || _slots[_front] != slot)
        {
            return;
        }
        _front = _front + 1 == Capacity ? 0 : _front + 1;
        _count--;
        for (var w = 0; w < Windows.Count; w++)
        {
            ref var head = ref _heads[w];
            if (head.Offset > 0)
            {
                head.Offset--;
            }
            else if (_count > 0)
            {
                head.Slot = _slots[_front];
                head.Value = values[(2 * head.Slot) + _offset];
            }
        }
    }

    /// <summary>Adds the newest candle, at ring position <paramref name="pos"/>.</summary>
    public void Push(double[] values, int pos)
    {
        var v = values[(2 * pos) + _offset];
        var count = _count;
        if (_maximum)
        {
            while (count > 0 && values[(2 * _slots[Index(count - 1)]) + _offset] <= v)
            {
                count--;
            }
        }
        else
        {
            while (count > 0 && values[(2 * _slots[Index(count - 1)]) + _offset] >= v)
            {
                count--;
            }
        }
        var newest = count;
        _slots[Index(newest)] = (ushort)pos;
        _count = count + 1;

        var minutes = Windows.Minutes;
        for (var w = 0; w < Windows.Count && w < minutes.Length; w++)
        {
            ref var head = ref _heads[w];
            if (head.Offset >= newest)
            {
                // The head was popped: the new candle dominates it and is in every window.
                head.Offset = (short)newest;
                head.Slot = (ushort)pos;
                head.Value = v;
                continue;
            }
            var n = minutes[w];
            while (Age(pos, head.Slot) >= n)
            {
                head.Offset++;
                head.Slot = _slots[Index(head.Offset)];
                head.Value = values[(2 * head.Slot) + _offset];
            }
        }
    }

    public void Clear()
    {
        _front = 0;
        _count = 0;
        _heads = default;
    }

    /// <summary>Index in <see cref="_slots"/> of the element <paramref name="offset"/> places behind the front.</summary>
    private readonly int Index(int offset)
    {
        var i = _front + offset;
        return i >= Capacity ? i - Capacity : i;
    }

    private static int Age(int newest, int slot)
    {
        var age = newest - slot;
        return age < 0 ? age + Capacity : age;
    }

    [InlineArray(Capacity)]
    private struct Slots
    {
        private ushort _element;
    }

    [InlineArray(Windows.Count)]
    private struct HeadBuffer
    {
        private Head _element;
    }

    private struct Head
    {
        public double Value;
        public short Offset;
        public ushort Slot;
    }
}
