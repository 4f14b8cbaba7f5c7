using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// The state of <see cref="TimeframeIndicators"/> as plain structs, split by how often it is touched:
/// <see cref="IndicatorPeekState"/> is everything <see cref="IndicatorKernel.Compute"/> reads on every 1m candle
/// (about 500 bytes: the running sums and averages, the "sum without the leaving bar" of each 20-bar window prepared
/// when the last bar closed, the extremes of the last 13 bars, the last 20 typical prices for CCI), and
/// <see cref="IndicatorCommitState"/> is what only a bar close needs (the rings of closes, price-volumes, volumes,
/// the monotonic deques, the stochastic's small rings). Both are value types without references, so a symbol keeps
/// the peek state of all its timeframes in one contiguous array and a candle touches a few cache lines per
/// timeframe instead of a dozen objects.
/// <para>
/// Every number is computed with the same operations in the same order as the single indicators (<see cref="Sma"/>,
/// <see cref="Ema"/>, <see cref="Rsi"/>, <see cref="Macd"/>, <see cref="BollingerBands"/>, <see cref="Atr"/>,
/// <see cref="Stoch"/>, <see cref="Adx"/>, <see cref="Cci"/>, <see cref="WilliamsR"/>, <see cref="RollingVwap"/>,
/// <see cref="Vcp"/>), so the values are bit for bit theirs (tests compare the bits). What is prepared at a bar
/// close is only what a peek would compute first from the committed state alone, e.g. <c>sum - oldest</c>
/// (the single indicators evaluate <c>(sum - oldest) + x</c> in that order too).
/// </para>
/// </summary>
[StructLayout(LayoutKind.Auto)] // the runtime packs the ints and the bool together instead of padding each
internal struct IndicatorPeekState
{
    public const int Window = 20;

    // Shared position of the four 20-bar rings (closes, typical prices, price-volumes, volumes): all are pushed on
    // every bar, so they fill and wrap together exactly as four separate RollingSum/RollingMoments would.
    public int RingCount;
    public int RingNext;

    // SMA(20), CCI(20), rolling VWAP(20): the window sum after the leaving bar is taken out.
    public double SmaBase;
    public double TypicalBase;
    public double PriceVolumeBase;
    public double VolumeBase;

    // Bollinger(20, 2): RollingMoments' shift, shifted sums and the leaving value (shifted).
    public double BbShift;
    public double BbSum;
    public double BbSquares;
    public double BbLeaving;

    public SeededEma Ema20;
    public SeededEma Ema50;
    public SeededEma MacdFast;
    public SeededEma MacdSlow;
    public SeededEma MacdSignal;

    // Close, high and low of the last committed bar (RSI, ATR, ADX, pivots).
    public bool HasPrevious;
    public double PrevClose;
    public double PrevHigh;
    public double PrevLow;

    // RSI(14), Wilder.
    public int RsiCount;
    public double RsiSumGain;
    public double RsiSumLoss;
    public double RsiAvgGain;
    public double RsiAvgLoss;

    // ATR(14), Wilder.
    public int AtrCount;
    public double AtrSum;
    public double Atr;

    // Stochastic(14, 3, 3) and Williams %R(14): highest high / lowest low of the last 13 bars (the window of a peek
    // without the forming bar), and the raw %K / %K rings' sums without their leaving values.
    public long RangeIndex;
    public double RangeMax;
    public double RangeMin;
    public int RawCount;
    public double RawBase;
    public int KCount;
    public double KBase;

    // ADX(14): Wilder sums with the decay already applied (trs - trs / n), DX sum during warm-up, last ADX.
    public int AdxCount;
    public double TrsBase;
    public double PdmsBase;
    public double MdmsBase;
    public double SumDx;
    public double Adx;

    // CCI(20): the last 20 typical prices (ring at RingNext).
    public Ring20 Typical;
}

/// <summary>What only a bar close needs (see <see cref="IndicatorPeekState"/>).</summary>
[StructLayout(LayoutKind.Auto)]
internal struct IndicatorCommitState
{
    public long BarCount;
    public int SinceAnchor;
    public double SmaSum;
    public double TypicalSum;
    public double PriceVolumeSum;
    public double VolumeSum;
    public Ring20 Closes;
    public Ring20 PriceVolumes;
    public Ring20 Volumes;
    public ExtremesDeque14 Highs;
    public ExtremesDeque14 Lows;
    public SmallSum3 Raw;
    public SmallSum3 K;
}

[InlineArray(IndicatorPeekState.Window)]
internal struct Ring20
{
    private double _element;
}

/// <summary>RollingSum(3) as a struct (the stochastic's smoothing rings).</summary>
internal struct SmallSum3
{
    public const int Length = 3;

    public Ring3 Values;
    public int Next;
    public int Count;
    public int SinceAnchor;
    public double Sum;

    public readonly double PeekBase => Count == Length ? Sum - Values[Next] : Sum;

    public void Push(double value)
    {
        if (Count == Length)
        {
            Sum += value - Values[Next];
        }
        else
        {
            Sum += value;
            Count++;
        }

        Values[Next] = value;
        Next = Next + 1 == Length ? 0 : Next + 1;
        if (++SinceAnchor >= Length)
        {
            SinceAnchor = 0;
            var exact = 0d;
            for (var i = 0; i < Count; i++)
            {
                exact += Values[i];
            }

            Sum = exact;
        }
    }

    [InlineArray(Length)]
    public struct Ring3
    {
        private double _element;
    }
}

/// <summary>One monotonic deque of RollingExtremes(14) as a struct (capacity 15, as there).</summary>
internal struct ExtremesDeque14
{
    public const int Capacity = 15;

    public Indices15 Indices;
    public Values15 Values;
    public int Head;
    public int Count;

    public readonly double BackValue => Values[Slot(Count - 1)];

    public readonly double FirstAtOrAfter(long oldest, double none)
    {
        for (var i = 0; i < Count && i < 2; i++)
        {
            var slot = Slot(i);
            if (Indices[slot] >= oldest)
            {
                return Values[slot];
            }
        }

        return none;
    }

    public void ExpireBefore(long oldest)
    {
        while (Count > 0 && Indices[Head] < oldest)
        {
            Head = Head + 1 == Capacity ? 0 : Head + 1;
            Count--;
        }
    }

    public void PushBack(long index, double value)
    {
        var slot = Slot(Count);
        Indices[slot] = index;
        Values[slot] = value;
        Count++;
    }

    private readonly int Slot(int offset)
    {
        var slot = Head + offset;
        return slot >= Capacity ? slot - Capacity : slot;
    }

    [InlineArray(Capacity)]
    public struct Indices15
    {
        private long _element;
    }

    [InlineArray(Capacity)]
    public struct Values15
    {
        private double _element;
    }
}

/// <summary>
/// The arithmetic of <see cref="TimeframeIndicators"/> on the packed state: <see cref="Compute"/> (peek the forming
/// bar, reads only <see cref="IndicatorPeekState"/>) and <see cref="Commit"/> (a bar closed).
/// </summary>
internal static class IndicatorKernel
{
    private const int W = IndicatorPeekState.Window;
    private const int RsiPeriod = 14;
    private const int AtrPeriod = 14;
    private const int RangePeriod = 14;
    private const int StochSmooth = 3;
    private const int StochSignal = 3;
    private const int AdxPeriod = 14;
    private const double BbDeviations = 2;

    public static void Reset(ref IndicatorPeekState p, ref IndicatorCommitState c)
    {
        p = default;
        p.Ema20 = new SeededEma(20);
        p.Ema50 = new SeededEma(50);
        p.MacdFast = new SeededEma(12);
        p.MacdSlow = new SeededEma(26);
        p.MacdSignal = new SeededEma(9);
        c = default;
        PrepareRange(ref p, ref c);
    }

    /// <summary>The indicators as if the forming bar (high, low, close, base volume) closed now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(ref readonly IndicatorPeekState p, double high, double low, double close, double volume, ref IndicatorValues v)
    {
        var ringReady = p.RingCount + 1 >= W;
        var tp = (high + low + close) / 3d;

        // CCI(20) first: its mean deviation is a chain of 20 dependent additions, which the out-of-order core
        // overlaps with the independent arithmetic of the other indicators that follows.
        v.Cci20 = ringReady ? PeekCci(in p, tp) : double.NaN;

        // SMA(20)
        v.Sma20 = ringReady ? (p.SmaBase + close) / W : double.NaN;

        // EMA(20), EMA(50)
        v.Ema20 = p.Ema20.Peek(close);
        v.Ema50 = p.Ema50.Peek(close);

        // RSI(14)
        v.Rsi14 = PeekRsi(in p, close);

        // MACD(12, 26, 9)
        var macd = p.MacdFast.Peek(close) - p.MacdSlow.Peek(close);
        var signal = double.IsNaN(macd) ? double.NaN : p.MacdSignal.Peek(macd);
        v.Macd = macd;
        v.MacdSignal = signal;
        v.MacdHistogram = macd - signal;

        // Bollinger(20, 2)
        if (ringReady)
        {
            PeekBollinger(in p, close, ref v);
        }
        else
        {
            v.BbUpper = v.BbMiddle = v.BbLower = v.BbPercentB = v.BbWidth = double.NaN;
        }

        // ATR(14)
        var atr = PeekAtr(in p, high, low, out _);
        v.Atr14 = atr;
        v.AtrPercent = double.IsNaN(atr) || close == 0 ? double.NaN : atr / close * 100d;

        // Stochastic(14, 3, 3) and Williams %R(14)
        var raw = PeekRaw(in p, high, low, close);
        var k = !double.IsNaN(raw) && p.RawCount + 1 >= StochSmooth ? (p.RawBase + raw) / StochSmooth : double.NaN;
        v.StochK = k;
        v.StochD = !double.IsNaN(k) && p.KCount + 1 >= StochSignal ? (p.KBase + k) / StochSignal : double.NaN;
        v.WilliamsR14 = double.IsNaN(raw) ? double.NaN : raw - 100d;

        // ADX(14)
        v.Adx14 = PeekAdx(in p, high, low, out _, out _, out _, out _);

        // Rolling VWAP(20) and VCP
        var vwap = double.NaN;
        if (ringReady)
        {
            var volumeSum = p.VolumeBase + volume;
            var priceVolumeSum = p.PriceVolumeBase + (tp * volume);
            vwap = volumeSum == 0 ? double.NaN : priceVolumeSum / volumeSum;
        }
        v.Vwap = vwap;
        v.Vcp = Vcp(high, low, close, vwap);

        // Standard pivots of the previous committed bar
        if (p.HasPrevious)
        {
            var pp = (p.PrevHigh + p.PrevLow + p.PrevClose) / 3;
            v.PivotPp = pp;
            v.PivotR1 = (2 * pp) - p.PrevLow;
            v.PivotS1 = (2 * pp) - p.PrevHigh;
        }
        else
        {
            v.PivotPp = v.PivotR1 = v.PivotS1 = double.NaN;
        }
    }

    /// <summary>Commits a closed bar (each indicator's Add, in the order of the single indicators' state updates).</summary>
    public static void Commit(ref IndicatorPeekState p, ref IndicatorCommitState c, in Candle bar)
    {
        double high = bar.High, low = bar.Low, close = bar.Close, volume = bar.Volume;
        var tp = (high + low + close) / 3d;

        // Values of this bar computed from the state before it (what Add computes before updating).
        var rsiStep = RsiStep(in p, close);
        var atr = PeekAtr(in p, high, low, out var atrSum);
        var raw = PeekRaw(in p, high, low, close);
        var k = !double.IsNaN(raw) && p.RawCount + 1 >= StochSmooth ? (p.RawBase + raw) / StochSmooth : double.NaN;
        var adx = PeekAdx(in p, high, low, out var trs, out var pdms, out var mdms, out var sumDx);
        var macd = p.MacdFast.Peek(close) - p.MacdSlow.Peek(close);

        // 20-bar rings: SMA's RollingSum and Bollinger's RollingMoments of the closes, CCI's of the typical prices,
        // the VWAP's of price-volumes and volumes. Bollinger first: it reads the leaving close.
        var full = p.RingCount == W;
        var next = p.RingNext;
        var priceVolume = tp * volume;
        if (p.RingCount == 0)
        {
            p.BbShift = close;
        }

        var shifted = close - p.BbShift;
        if (full)
        {
            var old = c.Closes[next] - p.BbShift;
            p.BbSum -= old;
            p.BbSquares -= old * old;
            c.SmaSum += close - c.Closes[next];
            c.TypicalSum += tp - p.Typical[next];
            c.PriceVolumeSum += priceVolume - c.PriceVolumes[next];
            c.VolumeSum += volume - c.Volumes[next];
        }
        else
        {
            c.SmaSum += close;
            c.TypicalSum += tp;
            c.PriceVolumeSum += priceVolume;
            c.VolumeSum += volume;
            p.RingCount++;
        }

        p.BbSum += shifted;
        p.BbSquares += shifted * shifted;
        c.Closes[next] = close;
        p.Typical[next] = tp;
        c.PriceVolumes[next] = priceVolume;
        c.Volumes[next] = volume;
        p.RingNext = next = next + 1 == W ? 0 : next + 1;
        if (++c.SinceAnchor >= W)
        {
            Reanchor(ref p, ref c);
        }

        full = p.RingCount == W;
        p.SmaBase = full ? c.SmaSum - c.Closes[next] : c.SmaSum;
        p.TypicalBase = full ? c.TypicalSum - p.Typical[next] : c.TypicalSum;
        p.PriceVolumeBase = full ? c.PriceVolumeSum - c.PriceVolumes[next] : c.PriceVolumeSum;
        p.VolumeBase = full ? c.VolumeSum - c.Volumes[next] : c.VolumeSum;
        p.BbLeaving = full ? c.Closes[next] - p.BbShift : 0;

        // EMAs and MACD
        p.Ema20.Push(close);
        p.Ema50.Push(close);
        p.MacdFast.Push(close);
        p.MacdSlow.Push(close);
        if (!double.IsNaN(macd))
        {
            p.MacdSignal.Push(macd);
        }

        // RSI
        if (p.RsiCount == 0)
        {
            p.RsiCount = 1;
        }
        else
        {
            p.RsiCount = rsiStep.Count;
            (p.RsiAvgGain, p.RsiAvgLoss, p.RsiSumGain, p.RsiSumLoss) = (rsiStep.AvgGain, rsiStep.AvgLoss, rsiStep.SumGain, rsiStep.SumLoss);
        }

        // ATR
        p.AtrSum = atrSum;
        if (!double.IsNaN(atr))
        {
            p.Atr = atr;
        }

        if (p.AtrCount <= AtrPeriod)
        {
            p.AtrCount++;
        }

        // Stochastic / Williams %R
        PushRange(ref c, p.RangeIndex, high, low);
        p.RangeIndex++;
        if (!double.IsNaN(raw))
        {
            c.Raw.Push(raw);
        }

        if (!double.IsNaN(k))
        {
            c.K.Push(k);
        }

        PrepareRange(ref p, ref c);

        // ADX
        if (p.AdxCount > 0)
        {
            (p.SumDx, p.TrsBase, p.PdmsBase, p.MdmsBase) = (sumDx, trs, pdms, mdms);
            if (!double.IsNaN(adx))
            {
                p.Adx = adx;
            }
        }

        if (p.AdxCount < 3 * AdxPeriod)
        {
            p.AdxCount++;
        }

        if (p.AdxCount > AdxPeriod)
        {
            // Wilder's decay of the sums, applied before the next bar's movement is added: (s - s / n) + x.
            p.TrsBase = p.TrsBase - (p.TrsBase / AdxPeriod);
            p.PdmsBase = p.PdmsBase - (p.PdmsBase / AdxPeriod);
            p.MdmsBase = p.MdmsBase - (p.MdmsBase / AdxPeriod);
        }

        // Previous bar (RSI, ATR, ADX, pivots)
        (p.HasPrevious, p.PrevHigh, p.PrevLow, p.PrevClose) = (true, high, low, close);
        c.BarCount++;
    }

    private static double PeekRsi(ref readonly IndicatorPeekState p, double close) =>
        p.RsiCount == 0 ? double.NaN : RsiStep(in p, close).Rsi;

    private readonly record struct RsiResultState(double Rsi, int Count, double AvgGain, double AvgLoss, double SumGain, double SumLoss);

    private static RsiResultState RsiStep(ref readonly IndicatorPeekState p, double close)
    {
        const int n = RsiPeriod;
        var i = p.RsiCount;
        if (i == 0)
        {
            return new RsiResultState(double.NaN, 1, 0, 0, 0, 0);
        }

        var prev = p.PrevClose;
        var gain = close > prev ? close - prev : 0d;
        var loss = close < prev ? prev - close : 0d;
        double avgGain = p.RsiAvgGain, avgLoss = p.RsiAvgLoss, sumGain = p.RsiSumGain, sumLoss = p.RsiSumLoss;
        var rsi = double.NaN;
        if (i > n)
        {
            avgGain = ((avgGain * (n - 1)) + gain) / n;
            avgLoss = ((avgLoss * (n - 1)) + loss) / n;
            rsi = RsiValue(avgGain, avgLoss);
        }
        else
        {
            sumGain += gain;
            sumLoss += loss;
            if (i == n)
            {
                avgGain = sumGain / n;
                avgLoss = sumLoss / n;
                rsi = RsiValue(avgGain, avgLoss);
            }
        }

        return new RsiResultState(rsi, i + 1 > n + 1 ? n + 1 : i + 1, avgGain, avgLoss, sumGain, sumLoss);
    }

    private static double RsiValue(double avgGain, double avgLoss) =>
        avgLoss > 0 ? 100d - (100d / (1d + (avgGain / avgLoss))) : 100d;

    private static void PeekBollinger(ref readonly IndicatorPeekState p, double close, ref IndicatorValues v)
    {
        // RollingMoments.Peek with at least Window - 1 values (so the shift is set).
        var shifted = close - p.BbShift;
        double sum = p.BbSum + shifted, squares = p.BbSquares + (shifted * shifted);
        var n = p.RingCount;
        if (p.RingCount == W)
        {
            var old = p.BbLeaving;
            sum -= old;
            squares -= old * old;
        }
        else
        {
            n++;
        }

        var meanShifted = sum / n;
        var variance = (squares / n) - (meanShifted * meanShifted);
        var mean = p.BbShift + meanShifted;
        if (variance <= 1e-13 * ((mean * mean) + 1e-300))
        {
            variance = 0;
        }

        var sd = Math.Sqrt(variance);
        var upper = mean + (BbDeviations * sd);
        var lower = mean - (BbDeviations * sd);
        v.BbUpper = upper;
        v.BbMiddle = mean;
        v.BbLower = lower;
        v.BbPercentB = upper - lower == 0 ? double.NaN : (close - lower) / (upper - lower);
        v.BbWidth = mean == 0 ? double.NaN : (upper - lower) / mean;
    }

    private static double PeekAtr(ref readonly IndicatorPeekState p, double high, double low, out double sum)
    {
        const int n = AtrPeriod;
        var i = p.AtrCount;
        var tr = i == 0 ? double.NaN : TrueRange(high, low, p.PrevClose);
        var atr = double.NaN;
        sum = p.AtrSum;
        if (i > n)
        {
            atr = ((p.Atr * (n - 1)) + tr) / n;
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

    private static double TrueRange(double high, double low, double prevClose) =>
        Math.Max(high - low, Math.Max(Math.Abs(high - prevClose), Math.Abs(low - prevClose)));

    private static double PeekRaw(ref readonly IndicatorPeekState p, double high, double low, double close)
    {
        var count = (int)Math.Min(p.RangeIndex, RangePeriod);
        if (count + 1 < RangePeriod)
        {
            return double.NaN;
        }

        var highest = Math.Max(p.RangeMax, high);
        var lowest = Math.Min(p.RangeMin, low);
        return highest - lowest == 0 ? 0 : 100d * (close - lowest) / (highest - lowest);
    }

    private static double PeekAdx(ref readonly IndicatorPeekState p, double high, double low,
        out double trs, out double pdms, out double mdms, out double sumDx)
    {
        const int n = AdxPeriod;
        var i = p.AdxCount;
        sumDx = p.SumDx;
        if (i == 0)
        {
            trs = pdms = mdms = 0;
            return double.NaN;
        }

        var prevClose = p.PrevClose;
        var tr = Math.Max(high - low, Math.Max(Math.Abs(high - prevClose), Math.Abs(low - prevClose)));
        var up = high - p.PrevHigh;
        var down = p.PrevLow - low;
        var pdm = up > down ? Math.Max(up, 0) : 0;
        var mdm = down > up ? Math.Max(down, 0) : 0;
        trs = p.TrsBase + tr;
        pdms = p.PdmsBase + pdm;
        mdms = p.MdmsBase + mdm;

        var adx = double.NaN;
        if (i >= n && trs != 0)
        {
            var pdi = 100d * pdms / trs;
            var mdi = 100d * mdms / trs;
            var dx = pdi == mdi ? 0 : 100d * Math.Abs(pdi - mdi) / (pdi + mdi);
            if (i > (2 * n) - 1)
            {
                adx = ((p.Adx * (n - 1)) + dx) / n;
            }
            else
            {
                sumDx += dx;
                if (i == (2 * n) - 1)
                {
                    adx = sumDx / n;
                }
            }
        }

        return adx;
    }

    private static double PeekCci(ref readonly IndicatorPeekState p, double tp)
    {
        var mean = (p.TypicalBase + tp) / W;
        var deviation = Math.Abs(mean - tp);
        // Cci walks RollingSum.Ago(0 .. W - 2): the most recent first.
        var index = p.RingNext;
        for (var ago = 0; ago < W - 1; ago++)
        {
            index = index == 0 ? W - 1 : index - 1;
            deviation += Math.Abs(mean - p.Typical[index]);
        }

        deviation /= W;
        return deviation == 0 ? double.NaN : (tp - mean) / (0.015 * deviation);
    }

    private static double Vcp(double high, double low, double close, double weightedAverage)
    {
        if (double.IsNaN(weightedAverage) || weightedAverage == 0)
        {
            return double.NaN;
        }

        var range = high - low;
        var location = range == 0 ? 0 : ((close - low) - (high - close)) / range;
        return close / weightedAverage * location;
    }

    private static void PushRange(ref IndicatorCommitState c, long index, double high, double low)
    {
        var oldest = index - RangePeriod + 1;
        c.Highs.ExpireBefore(oldest);
        c.Lows.ExpireBefore(oldest);
        while (c.Highs.Count > 0 && c.Highs.BackValue <= high)
        {
            c.Highs.Count--;
        }

        c.Highs.PushBack(index, high);
        while (c.Lows.Count > 0 && c.Lows.BackValue >= low)
        {
            c.Lows.Count--;
        }

        c.Lows.PushBack(index, low);
    }

    /// <summary>Extremes of the committed bars a peek's window still holds, and the stochastic rings' bases.</summary>
    private static void PrepareRange(ref IndicatorPeekState p, ref IndicatorCommitState c)
    {
        var oldest = p.RangeIndex - RangePeriod + 1;
        p.RangeMax = c.Highs.FirstAtOrAfter(oldest, double.NegativeInfinity);
        p.RangeMin = c.Lows.FirstAtOrAfter(oldest, double.PositiveInfinity);
        p.RawCount = c.Raw.Count;
        p.RawBase = c.Raw.PeekBase;
        p.KCount = c.K.Count;
        p.KBase = c.K.PeekBase;
    }

    private static void Reanchor(ref IndicatorPeekState p, ref IndicatorCommitState c)
    {
        c.SinceAnchor = 0;
        var count = p.RingCount;
        c.SmaSum = Sum(c.Closes, count);
        c.TypicalSum = Sum(p.Typical, count);
        c.PriceVolumeSum = Sum(c.PriceVolumes, count);
        c.VolumeSum = Sum(c.Volumes, count);

        // RollingMoments.Reanchor
        var mean = 0d;
        for (var i = 0; i < count; i++)
        {
            mean += c.Closes[i];
        }

        p.BbShift = mean / count;
        p.BbSum = p.BbSquares = 0;
        for (var i = 0; i < count; i++)
        {
            var d = c.Closes[i] - p.BbShift;
            p.BbSum += d;
            p.BbSquares += d * d;
        }
    }

    private static double Sum(in Ring20 values, int count)
    {
        var exact = 0d;
        for (var i = 0; i < count; i++)
        {
            exact += values[i];
        }

        return exact;
    }
}
