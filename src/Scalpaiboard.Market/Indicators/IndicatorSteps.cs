using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Scalpaiboard.Market.Indicators;

// The update steps of the streaming indicators, each written once. The single indicators (Rsi, Atr, Adx,
// BollingerBands, Cci, Sma, Stoch, WilliamsR, RollingVwap, Vcp, through RollingSum, RollingMoments and
// RollingExtremes) and the packed per-timeframe state of the market engine (IndicatorKernel) both call these, so
// the two cannot drift apart: a fix here fixes both, and their results are the same bits by construction.
// Every step is a plain value type or a static function over spans, so the packed state keeps its reference-free
// structs and the single indicators keep their own storage.

/// <summary>
/// Wilder's RSI state without the previous close (which the packed state shares with ATR, ADX and the pivots):
/// simple averages of the first <c>period</c> changes, then <c>(avg * (n - 1) + x) / n</c>. <see cref="Gain"/> and
/// <see cref="Loss"/> hold the sums of the changes until the first average is taken and the averages from then on
/// (the sums are never read again), so the state is a count and two numbers.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct RsiState
{
    public int Count;
    public double Gain;
    public double Loss;

    /// <summary>RSI if a bar closing at <paramref name="close"/> were added now (NaN while warming up), and the state after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Peek(double prevClose, double close, int n, out RsiState next)
    {
        var i = Count;
        if (i == 0)
        {
            next = default;
            next.Count = 1;
            return double.NaN;
        }

        var gain = close > prevClose ? close - prevClose : 0d;
        var loss = close < prevClose ? prevClose - close : 0d;
        var rsi = double.NaN;
        if (i > n)
        {
            var avgGain = ((Gain * (n - 1)) + gain) / n;
            var avgLoss = ((Loss * (n - 1)) + loss) / n;
            rsi = Value(avgGain, avgLoss);
            (next.Gain, next.Loss) = (avgGain, avgLoss);
        }
        else
        {
            var sumGain = Gain + gain;
            var sumLoss = Loss + loss;
            if (i == n)
            {
                var avgGain = sumGain / n;
                var avgLoss = sumLoss / n;
                rsi = Value(avgGain, avgLoss);
                (next.Gain, next.Loss) = (avgGain, avgLoss);
            }
            else
            {
                (next.Gain, next.Loss) = (sumGain, sumLoss);
            }
        }

        next.Count = i + 1 > n + 1 ? n + 1 : i + 1;
        return rsi;
    }

    public static double Value(double avgGain, double avgLoss) =>
        avgLoss > 0 ? 100d - (100d / (1d + (avgGain / avgLoss))) : 100d;
}

/// <summary>Wilder's ATR state without the previous close: the sum of the first <c>period</c> TRs, then the smoothed ATR.</summary>
[StructLayout(LayoutKind.Auto)]
internal struct AtrState
{
    public int Count;
    public double Sum;
    public double Atr;

    /// <summary>ATR if the bar were added now (NaN while warming up); <paramref name="sum"/> is the TR sum after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Peek(double high, double low, double prevClose, int n, out double tr, out double sum)
    {
        var i = Count;
        tr = i == 0 ? double.NaN : TrueRange(high, low, prevClose);
        var atr = double.NaN;
        sum = Sum;
        if (i > n)
        {
            atr = ((Atr * (n - 1)) + tr) / n;
        }
        else if (i > 0)
        {
            sum += tr;
            if (i == n)
            {
                atr = sum / n;
            }
        }

        return atr;
    }

    public void Commit(double atr, double sum, int n)
    {
        Sum = sum;
        if (!double.IsNaN(atr))
        {
            Atr = atr;
        }

        if (Count <= n)
        {
            Count++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TrueRange(double high, double low, double prevClose) =>
        Math.Max(high - low, Math.Max(Math.Abs(high - prevClose), Math.Abs(low - prevClose)));
}

/// <summary>One bar of Wilder's directional movement (see <see cref="DirectionalState.Peek"/>).</summary>
internal struct DirectionalStep
{
    public double Pdi;
    public double Mdi;
    public double Dx;
    public double Adx;
    public double Trs;
    public double Pdms;
    public double Mdms;
    public double SumDx;
}

/// <summary>
/// Wilder's ADX state without the previous bar: the TR/+DM/-DM sums with the decay of the next bar already applied
/// (<c>s - s / n</c>, so a peek adds the bar's movement: <c>(s - s / n) + x</c>), the DX sum during warm-up and the
/// last ADX. Count counts bars up to 3n.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct DirectionalState
{
    public int Count;
    public double TrsBase;
    public double PdmsBase;
    public double MdmsBase;
    public double SumDx;
    public double Adx;

    /// <summary>The values of a bar added now (NaN where not available); false for the very first bar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool Peek(double high, double low, double prevHigh, double prevLow, double prevClose, int n, out DirectionalStep s)
    {
        var i = Count;
        s.Pdi = s.Mdi = s.Dx = s.Adx = double.NaN;
        s.SumDx = SumDx;
        if (i == 0)
        {
            s.Trs = s.Pdms = s.Mdms = 0;
            return false;
        }

        var (tr, pdm, mdm) = Movement(high, low, prevHigh, prevLow, prevClose);
        s.Trs = TrsBase + tr;
        s.Pdms = PdmsBase + pdm;
        s.Mdms = MdmsBase + mdm;
        if (i >= n && s.Trs != 0)
        {
            (s.Pdi, s.Mdi, s.Dx) = Directional(s.Trs, s.Pdms, s.Mdms);
            if (i > (2 * n) - 1)
            {
                s.Adx = ((Adx * (n - 1)) + s.Dx) / n;
            }
            else
            {
                s.SumDx += s.Dx;
                if (i == (2 * n) - 1)
                {
                    s.Adx = s.SumDx / n;
                }
            }
        }

        return true;
    }

    public void Commit(in DirectionalStep s, int n)
    {
        if (Count > 0)
        {
            (SumDx, TrsBase, PdmsBase, MdmsBase) = (s.SumDx, s.Trs, s.Pdms, s.Mdms);
            if (!double.IsNaN(s.Adx))
            {
                Adx = s.Adx;
            }
        }

        if (Count < 3 * n)
        {
            Count++;
        }

        if (Count > n)
        {
            // Wilder's decay of the sums, applied before the next bar's movement is added: (s - s / n) + x.
            TrsBase -= TrsBase / n;
            PdmsBase -= PdmsBase / n;
            MdmsBase -= MdmsBase / n;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (double Tr, double Pdm, double Mdm) Movement(double high, double low, double prevHigh, double prevLow, double prevClose)
    {
        var tr = AtrState.TrueRange(high, low, prevClose);
        var up = high - prevHigh;
        var down = prevLow - low;
        return (tr, up > down ? Math.Max(up, 0) : 0, down > up ? Math.Max(down, 0) : 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (double Pdi, double Mdi, double Dx) Directional(double trs, double pdms, double mdms)
    {
        if (trs == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        var pdi = 100d * pdms / trs;
        var mdi = 100d * mdms / trs;
        var dx = pdi == mdi ? 0 : 100d * Math.Abs(pdi - mdi) / (pdi + mdi);
        return (pdi, mdi, dx);
    }
}

/// <summary>
/// The shifted running sums of <see cref="RollingMoments"/> (mean and population variance of a sliding window):
/// sums of <c>x - Shift</c> and its squares, the shift being the window mean at the last re-anchor.
/// The window's values live with the owner (a ring of any kind); the steps take what they need from it.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct MomentsState
{
    public double Shift;
    public double Sum;
    public double Squares;

    /// <summary>
    /// Mean and variance if <paramref name="x"/> joined a window of <paramref name="count"/> values (at least one);
    /// when <paramref name="full"/>, <paramref name="leavingShifted"/> (the leaving value minus <see cref="Shift"/>)
    /// leaves it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly (double Mean, double Variance) Peek(double x, int count, bool full, double leavingShifted)
    {
        var shifted = x - Shift;
        double sum = Sum + shifted, squares = Squares + (shifted * shifted);
        var n = count;
        if (full)
        {
            var old = leavingShifted;
            sum -= old;
            squares -= old * old;
        }
        else
        {
            n++;
        }

        var meanShifted = sum / n;
        var variance = (squares / n) - (meanShifted * meanShifted);
        var mean = Shift + meanShifted;
        // Cancellation can leave a tiny residue (even a negative one) for a flat window.
        if (variance <= 1e-13 * ((mean * mean) + 1e-300))
        {
            variance = 0;
        }

        return (mean, variance);
    }

    /// <summary>Adds <paramref name="x"/> to a window of <paramref name="count"/> values; <paramref name="leaving"/> leaves it when full.</summary>
    public void Push(double x, int count, bool full, double leaving)
    {
        if (count == 0)
        {
            Shift = x;
        }

        var shifted = x - Shift;
        if (full)
        {
            var old = leaving - Shift;
            Sum -= old;
            Squares -= old * old;
        }

        Sum += shifted;
        Squares += shifted * shifted;
    }

    /// <summary>Recomputes the shift and both sums from the window's values (in ring order).</summary>
    public void Reanchor(ReadOnlySpan<double> values)
    {
        var mean = 0d;
        for (var i = 0; i < values.Length; i++)
        {
            mean += values[i];
        }

        Shift = mean / values.Length;
        Sum = Squares = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var d = values[i] - Shift;
            Sum += d;
            Squares += d * d;
        }
    }
}

/// <summary>The steps of a ring with a running sum (<see cref="RollingSum"/>), for rings stored anywhere.</summary>
internal static class RingSum
{
    /// <summary>The sum without the value a push would overwrite (a peek adds its value to this).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Base(double sum, bool full, double leaving) => full ? sum - leaving : sum;

    /// <summary>
    /// Pushes <paramref name="value"/> into a ring of <c>values.Length</c> and re-anchors the sum from the ring once
    /// per length pushes (so rounding cannot drift on an endless stream).
    /// </summary>
    public static void Push(Span<double> values, ref int next, ref int count, ref int sinceAnchor, ref double sum, double value)
    {
        Add(ref sum, value, count == values.Length, values[next]);
        if (count < values.Length)
        {
            count++;
        }

        values[next] = value;
        next = next + 1 == values.Length ? 0 : next + 1;
        if (++sinceAnchor >= values.Length)
        {
            sinceAnchor = 0;
            sum = Exact(values[..count]);
        }
    }

    /// <summary>The running sum's update when <paramref name="value"/> joins and, if full, <paramref name="leaving"/> leaves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ref double sum, double value, bool full, double leaving)
    {
        if (full)
        {
            sum += value - leaving;
        }
        else
        {
            sum += value;
        }
    }

    public static double Exact(ReadOnlySpan<double> values)
    {
        var exact = 0d;
        for (var i = 0; i < values.Length; i++)
        {
            exact += values[i];
        }

        return exact;
    }

    /// <summary>Index of the value pushed <paramref name="ago"/> pushes before the latest (0 = the latest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Ago(int next, int ago, int length)
    {
        var index = next - 1 - ago;
        return index < 0 ? index + length : index;
    }
}

/// <summary>
/// One monotonic deque of <see cref="RollingExtremes"/> (front = the extreme of the window), over index and value
/// rings stored by the owner; <c>Capacity</c> is their length.
/// </summary>
internal struct DequeCursor
{
    public int Head;
    public int Count;

    /// <summary>Value of the first element whose index is at least <paramref name="oldest"/>, or <paramref name="none"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double FirstAtOrAfter(ReadOnlySpan<long> indices, ReadOnlySpan<double> values, long oldest, double none)
    {
        // Indices are consecutive pushes, so at most the front has fallen out of the window.
        for (var i = 0; i < Count && i < 2; i++)
        {
            var slot = Slot(i, values.Length);
            if (indices[slot] >= oldest)
            {
                return values[slot];
            }
        }

        return none;
    }

    public readonly double Front(ReadOnlySpan<double> values) => values[Head];

    /// <summary>
    /// Pushes the value of bar <paramref name="index"/> of a window of <paramref name="length"/> bars: expires the
    /// front that left the window, drops the back values it dominates (&lt;= for a maximum, &gt;= for a minimum).
    /// </summary>
    public void Push(Span<long> indices, Span<double> values, int length, long index, double value, bool maximum)
    {
        var oldest = index - length + 1;
        while (Count > 0 && indices[Head] < oldest)
        {
            Head = Head + 1 == values.Length ? 0 : Head + 1;
            Count--;
        }

        while (Count > 0 && (maximum ? values[Slot(Count - 1, values.Length)] <= value : values[Slot(Count - 1, values.Length)] >= value))
        {
            Count--;
        }

        var slot = Slot(Count, values.Length);
        indices[slot] = index;
        values[slot] = value;
        Count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int Slot(int offset, int capacity)
    {
        var slot = Head + offset;
        return slot >= capacity ? slot - capacity : slot;
    }
}
