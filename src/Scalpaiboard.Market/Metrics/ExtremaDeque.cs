namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// One monotonic deque of ring positions serving every window at once: the front-to-back elements are the
/// candles not dominated by a later one (for the maximum: a strictly higher value than everything after them),
/// oldest first. The extreme of the last N candles is the first element younger than N, and each window keeps
/// its own head into the deque, so one deque of 1440 positions replaces six. O(1) amortized per candle.
/// </summary>
internal sealed class ExtremaDeque(bool maximum)
{
    private const int Capacity = SymbolState.Capacity;

    private readonly ushort[] _slots = new ushort[Capacity];
    private readonly short[] _heads = new short[Windows.Count];
    private readonly bool _maximum = maximum;
    private int _front;
    private int _count;

    /// <summary>Ring position of the extreme of window <paramref name="w"/>.</summary>
    public int Head(int w) => _slots[Slot(_heads[w])];

    /// <summary>Drops the front element if it sits in <paramref name="slot"/>, the ring slot about to be overwritten.</summary>
    public void Expire(int slot)
    {
        if (_count == 0 || _slots[_front] != slot)
        {
            return;
        }
        _front = _front + 1 == Capacity ? 0 : _front + 1;
        _count--;
        for (var w = 0; w < _heads.Length; w++)
        {
            if (_heads[w] > 0)
            {
                _heads[w]--;
            }
        }
    }

    /// <summary>Adds the newest candle at ring position <paramref name="pos"/> with the given window lengths.</summary>
    public void Push(double[] values, int pos)
    {
        var v = values[pos];
        var count = _count;
        if (_maximum)
        {
            while (count > 0 && values[_slots[Slot(count - 1)]] <= v)
            {
                count--;
            }
        }
        else
        {
            while (count > 0 && values[_slots[Slot(count - 1)]] >= v)
            {
                count--;
            }
        }
        var newest = count;
        _slots[Slot(newest)] = (ushort)pos;
        _count = count + 1;

        var minutes = Windows.Minutes;
        for (var w = 0; w < _heads.Length && w < minutes.Length; w++)
        {
            // A head that was popped is replaced by the new candle, which dominates it.
            int h = _heads[w] > newest ? newest : _heads[w];
            var n = minutes[w];
            while (Age(pos, _slots[Slot(h)]) >= n)
            {
                h++;
            }
            _heads[w] = (short)h;
        }
    }

    public void Clear()
    {
        _front = 0;
        _count = 0;
        Array.Clear(_heads);
    }

    /// <summary>Index in <see cref="_slots"/> of the element <paramref name="offset"/> places behind the front.</summary>
    private int Slot(int offset)
    {
        var i = _front + offset;
        return i >= Capacity ? i - Capacity : i;
    }

    private static int Age(int newest, int slot)
    {
        var age = newest - slot;
        return age < 0 ? age + Capacity : age;
    }
}
