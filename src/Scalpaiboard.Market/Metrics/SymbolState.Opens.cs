namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// Open prices, stored compactly: a candle's open is almost always the previous candle's close, so one bit per
/// slot says "open = previous close" and only the other opens are kept, in a small side table. Should a symbol
/// need more than <see cref="MaxOpenExceptions"/> of them in its last day, the opens spill once into a plain
/// array. Exact either way; this saves about 11 KB per symbol in the usual case.
/// </summary>
public sealed partial class SymbolState
{
    private const int MaxOpenExceptions = 64;

    private FollowBits _opensFollowClose = NewFollowBits();
    private readonly ushort[] _openExceptionSlots = new ushort[MaxOpenExceptions];
    private readonly double[] _openExceptions = new double[MaxOpenExceptions];
    private int _openExceptionCount;
    private double[]? _opens;

    /// <summary>Open of the candle <paramref name="age"/> minutes before the latest (age &lt; count).</summary>
    private double OpenAt(int age)
    {
        var slot = Back(age);
        if (_opens is not null)
        {
            return _opens[slot];
        }
        if ((_opensFollowClose[slot >> 6] & (1UL << slot)) != 0)
        {
            return age + 1 < _count ? _ring[Stride * Back(age + 1)] : _closeDayAgo;
        }
        return FindOpenException(slot);
    }

    /// <summary>Stores the open of the candle written to <paramref name="slot"/> (previous close NaN if none).</summary>
    private void WriteOpen(int slot, double open, double previousClose)
    {
        if (_opens is not null)
        {
            _opens[slot] = open;
            return;
        }
        ref var bits = ref _opensFollowClose[slot >> 6];
        var mask = 1UL << slot;
        if ((bits & mask) == 0)
        {
            RemoveOpenException(slot);
        }
        if (open == previousClose)
        {
            bits |= mask;
            return;
        }
        if (_openExceptionCount == MaxOpenExceptions)
        {
            SpillOpens(slot);
            _opens![slot] = open;
            return;
        }
        bits &= ~mask;
        _openExceptionSlots[_openExceptionCount] = (ushort)slot;
        _openExceptions[_openExceptionCount++] = open;
    }

    private void ClearOpens()
    {
        ((Span<ulong>)_opensFollowClose).Fill(ulong.MaxValue);
        _openExceptionCount = 0;
    }

    /// <summary>Moves every open of the run into a plain array (before <paramref name="slot"/> is overwritten).</summary>
    private void SpillOpens(int slot)
    {
        var opens = new double[Capacity];
        for (var age = 0; age < _count; age++)
        {
            var s = Back(age);
            if (s != slot)
            {
                opens[s] = OpenAt(age);
            }
        }
        _opens = opens;
    }

    private double FindOpenException(int slot)
    {
        for (var i = 0; i < _openExceptionCount; i++)
        {
            if (_openExceptionSlots[i] == slot)
            {
                return _openExceptions[i];
            }
        }
        return double.NaN;
    }

    private void RemoveOpenException(int slot)
    {
        for (var i = 0; i < _openExceptionCount; i++)
        {
            if (_openExceptionSlots[i] == slot)
            {
                _openExceptionCount--;
                _openExceptionSlots[i] = _openExceptionSlots[_openExceptionCount];
                _openExceptions[i] = _openExceptions[_openExceptionCount];
                return;
            }
        }
    }

    private static FollowBits NewFollowBits()
    {
        var bits = default(FollowBits);
        ((Span<ulong>)bits).Fill(ulong.MaxValue);
        return bits;
    }

    /// <summary>One bit per ring slot, inline in the state (see <see cref="SymbolState"/>'s fields).</summary>
    [System.Runtime.CompilerServices.InlineArray((Capacity + 63) / 64)]
    private struct FollowBits
    {
        private ulong _element;
    }
}
