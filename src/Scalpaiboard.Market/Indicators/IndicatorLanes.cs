using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Numerics;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// What <see cref="IndicatorKernel.Compute"/> reads, for the timeframes of one symbol side by side ("lanes",
/// struct of arrays: lane k of every field is timeframe k), so <see cref="IndicatorLaneKernel"/> peeks all timeframes
/// at once in SIMD vectors. Why: a peek is about 26 divisions and a square root per timeframe, and the divider
/// takes one division every few cycles whether it divides one double or a whole vector of them, so scalar peeks of
/// six timeframes wait on about 150 divisions in a row; in lanes they are about 26 in all.
/// <para>
/// This is a copy, derived from the authoritative <see cref="IndicatorPeekState"/> by <see cref="Load"/> after every
/// change of it (a bar close or a reset, i.e. rarely): whatever only changes at a bar close is prepared there, so a
/// peek does no more than the arithmetic of the forming bar. In particular the counters become flag bits (which
/// warm-up branch each indicator takes), the Wilder averages their "previous times (n - 1)" products, and CCI's ring
/// the last 19 typical prices newest first (so every lane walks them in the same order as <see cref="Cci.Value"/>
/// walks its ring, whatever its ring position).
/// </para>
/// <para>
/// Layout: field f of lane k is <c>[f * stride + k]</c>, the stride being the number of lanes in use (six by
/// default), so the 50 fields of six timeframes are 2.4 KB (38 cache lines) read in one sweep on every candle, not
/// 3 KB with room for all seven timeframes in each field. A vector load at the end of a field reads the first lanes
/// of the next one into lanes that are not in use: their results are computed and never stored.
/// </para>
/// </summary>
internal struct IndicatorLanes
{
    /// <summary>Lanes at most: every <see cref="Timeframe"/> (seven), rounded up to a whole number of vectors.</summary>
    public const int MaxLanes = 8;

    /// <summary>Typical prices CCI(20) reads besides the forming bar's.</summary>
    public const int TypicalDepth = IndicatorPeekState.Window - 1;

    // Field numbers. The flags come first: no vector load of another field runs into them (and reads flag bits,
    // tiny denormal doubles, as numbers).
    public const int Flags = 0;
    public const int SmaBase = 1;
    public const int TypicalBase = 2;
    public const int PriceVolumeBase = 3;
    public const int VolumeBase = 4;
    public const int BbShift = 5;
    public const int BbSum = 6;
    public const int BbSquares = 7;
    public const int BbLeaving = 8;
    public const int Ema20 = 9;
    public const int Ema50 = 10;
    public const int MacdFast = 11;
    public const int MacdSlow = 12;
    public const int MacdSignal = 13;
    public const int PrevClose = 14;
    public const int PrevHigh = 15;
    public const int PrevLow = 16;
    public const int RsiGain = 17;
    public const int RsiLoss = 18;
    public const int AtrBase = 19;
    public const int RangeMax = 20;
    public const int RangeMin = 21;
    public const int RawBase = 22;
    public const int KBase = 23;
    public const int TrsBase = 24;
    public const int PdmsBase = 25;
    public const int MdmsBase = 26;
    public const int AdxBase = 27;
    // The trend indicators (from IndicatorTrendState, LoadTrend): ROC's close 20 bars ago, Keltner's ATR(10) base, OBV.
    public const int RocPast = 28;
    public const int Atr10Base = 29;
    public const int Obv = 30;
    // SuperTrend's bands, the SAR of the next bar unless it reverses and the extreme point it reverses to, Donchian.
    public const int SuperTrendUpper = 31;
    public const int SuperTrendLower = 32;
    public const int SarCandidate = 33;
    public const int SarExtreme = 34;
    public const int DonchianUpper = 35;
    public const int DonchianLower = 36;
    public const int Typical = 37; // .. Typical + TypicalDepth - 1: the typical price 1, 2, ... 19 bars ago
    public const int FieldCount = Typical + TypicalDepth;

    private int _stride;
    private Buffer _data;

    public IndicatorLanes(int lanes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lanes, MaxLanes);
        _stride = lanes;
    }

    /// <summary>Lanes in use (the stride of the fields).</summary>
    public readonly int Stride => _stride;

    /// <summary>Element 0 of the block (the kernel loads vectors from it).</summary>
    [UnscopedRef]
    public readonly ref readonly double Data => ref _data[0];

    /// <summary>Copies what a peek of <paramref name="p"/> needs into lane <paramref name="lane"/>.</summary>
    public void Load(int lane, ref readonly IndicatorPeekState p)
    {
        const int W = IndicatorPeekState.Window;
        const int Wilder = IndicatorLaneKernel.WilderPeriod;
        var flags = 0L;
        flags |= p.RingCount + 1 >= W ? LaneFlags.RingReady : 0;
        flags |= EmaFlags(p.Ema20, 20, LaneFlags.Ema20Seed, LaneFlags.Ema20Ready);
        flags |= EmaFlags(p.Ema50, 50, LaneFlags.Ema50Seed, LaneFlags.Ema50Ready);
        flags |= EmaFlags(p.MacdFast, 12, LaneFlags.FastSeed, LaneFlags.FastReady);
        flags |= EmaFlags(p.MacdSlow, 26, LaneFlags.SlowSeed, LaneFlags.SlowReady);
        flags |= EmaFlags(p.MacdSignal, 9, LaneFlags.SignalSeed, LaneFlags.SignalReady);
        flags |= p.Rsi.Count >= Wilder ? LaneFlags.RsiReady : 0;
        flags |= p.Atr.Count >= Wilder ? LaneFlags.AtrReady : 0;
        flags |= Math.Min(p.RangeIndex, IndicatorLaneKernel.RangePeriod) + 1 >= IndicatorLaneKernel.RangePeriod ? LaneFlags.RawReady : 0;
        flags |= p.RawCount + 1 >= IndicatorLaneKernel.StochSmooth ? LaneFlags.KReady : 0;
        flags |= p.KCount + 1 >= IndicatorLaneKernel.StochSignal ? LaneFlags.DReady : 0;
        flags |= p.Adx.Count >= (2 * Wilder) - 1 ? LaneFlags.AdxReady : 0;
        flags |= p.HasPrevious ? LaneFlags.HasPrevious : 0;
        Set(Flags, lane, BitConverter.Int64BitsToDouble(flags));

        Set(SmaBase, lane, p.SmaBase);
        Set(TypicalBase, lane, p.TypicalBase);
        Set(PriceVolumeBase, lane, p.PriceVolumeBase);
        Set(VolumeBase, lane, p.VolumeBase);
        Set(BbShift, lane, p.Bb.Shift);
        Set(BbSum, lane, p.Bb.Sum);
        Set(BbSquares, lane, p.Bb.Squares);
        // MomentsState.Peek subtracts the leaving value only from a full window; x - 0 is x, bit for bit.
        Set(BbLeaving, lane, p.RingCount == W ? p.BbLeaving : 0);
        Set(Ema20, lane, p.Ema20.Acc);
        Set(Ema50, lane, p.Ema50.Acc);
        Set(MacdFast, lane, p.MacdFast.Acc);
        Set(MacdSlow, lane, p.MacdSlow.Acc);
        Set(MacdSignal, lane, p.MacdSignal.Acc);
        Set(PrevClose, lane, p.PrevClose);
        Set(PrevHigh, lane, p.PrevHigh);
        Set(PrevLow, lane, p.PrevLow);

        // Wilder's steps divide "previous * (n - 1) + x" once smoothing, "sum + x" on the first average: the left
        // operand is known now (the same multiplication the steps do, so the same bits).
        Set(RsiGain, lane, p.Rsi.Count > Wilder ? p.Rsi.Gain * (Wilder - 1) : p.Rsi.Gain);
        Set(RsiLoss, lane, p.Rsi.Count > Wilder ? p.Rsi.Loss * (Wilder - 1) : p.Rsi.Loss);
        Set(AtrBase, lane, p.Atr.Count > Wilder ? p.Atr.Atr * (Wilder - 1) : p.Atr.Sum);
        Set(AdxBase, lane, p.Adx.Count > (2 * Wilder) - 1 ? p.Adx.Adx * (Wilder - 1) : p.Adx.SumDx);
        Set(TrsBase, lane, p.Adx.TrsBase);
        Set(PdmsBase, lane, p.Adx.PdmsBase);
        Set(MdmsBase, lane, p.Adx.MdmsBase);

        Set(RangeMax, lane, p.RangeMax);
        Set(RangeMin, lane, p.RangeMin);
        Set(RawBase, lane, p.RawBase);
        Set(KBase, lane, p.KBase);

        var index = p.RingNext;
        for (var ago = 0; ago < TypicalDepth; ago++)
        {
            index = index == 0 ? W - 1 : index - 1;
            Set(Typical + ago, lane, p.Typical[index]);
        }
    }

    /// <summary>
    /// Copies what the lanes' part of the trend peek (ROC, Keltner's ATR(10), OBV) needs from <paramref name="t"/>;
    /// after <see cref="Load"/> (its flag bit joins the flags written there).
    /// </summary>
    public void LoadTrend(int lane, ref readonly IndicatorTrendState t)
    {
        const int N = IndicatorLaneKernel.KeltnerAtrPeriod;
        const long Mine = LaneFlags.Atr10Ready | LaneFlags.SuperTrendStarted | LaneFlags.SuperTrendBullish
            | LaneFlags.SuperTrendUpperReset | LaneFlags.SuperTrendLowerReset | LaneFlags.SarValid | LaneFlags.SarRising;
        var flags = BitConverter.DoubleToInt64Bits(_data[(Flags * _stride) + lane]) & ~Mine;
        flags |= t.Atr10.Count >= N ? LaneFlags.Atr10Ready : 0;
        var st = t.SuperTrend;
        flags |= st.Started ? LaneFlags.SuperTrendStarted : 0;
        flags |= st.IsBullish ? LaneFlags.SuperTrendBullish : 0;
        // SuperTrendState.Next's "the previous close broke the band" (a started state's bands are known now).
        flags |= t.PrevClose > st.Upper ? LaneFlags.SuperTrendUpperReset : 0;
        flags |= t.PrevClose < st.Lower ? LaneFlags.SuperTrendLowerReset : 0;
        // SarState.Next's result is valid once it reversed (never on the first bar, where Count is 0).
        flags |= t.Sar.Reversed && t.Sar.Count > 0 ? LaneFlags.SarValid : 0;
        flags |= t.Sar.IsRising ? LaneFlags.SarRising : 0;
        Set(Flags, lane, BitConverter.Int64BitsToDouble(flags));
        Set(RocPast, lane, t.RocPast);
        Set(Atr10Base, lane, t.Atr10.Count > N ? t.Atr10.Atr * (N - 1) : t.Atr10.Sum);
        Set(Obv, lane, t.Obv);
        Set(SuperTrendUpper, lane, st.Upper);
        Set(SuperTrendLower, lane, st.Lower);
        Set(SarCandidate, lane, t.Sar.Count > 0 ? t.Sar.Candidate() : 0);
        Set(SarExtreme, lane, t.Sar.ExtremePoint);
        Set(DonchianUpper, lane, t.DonchianUpper);
        Set(DonchianLower, lane, t.DonchianLower);
    }

    private void Set(int field, int lane, double value) => _data[(field * _stride) + lane] = value;

    private static long EmaFlags(EmaCore ema, int period, long seed, long ready) =>
        (ema.Count + 1 == period ? seed : 0) | (ema.Count + 1 >= period ? ready : 0);

    /// <summary>Room for every field at the widest stride, and a vector's overrun past the last field.</summary>
    [InlineArray((FieldCount * MaxLanes) + MaxLanes)]
    private struct Buffer
    {
        private double _element;
    }
}

/// <summary>One double per lane.</summary>
[InlineArray(IndicatorLanes.MaxLanes)]
internal struct Lanes
{
    private double _element;
}

/// <summary>Which warm-up branch each indicator of a lane takes (bits of <see cref="IndicatorLanes.Flags"/>).</summary>
internal static class LaneFlags
{
    public const long RingReady = 1 << 0;
    public const long Ema20Seed = 1 << 1;
    public const long Ema20Ready = 1 << 2;
    public const long Ema50Seed = 1 << 3;
    public const long Ema50Ready = 1 << 4;
    public const long FastSeed = 1 << 5;
    public const long FastReady = 1 << 6;
    public const long SlowSeed = 1 << 7;
    public const long SlowReady = 1 << 8;
    public const long SignalSeed = 1 << 9;
    public const long SignalReady = 1 << 10;
    public const long RsiReady = 1 << 11;
    public const long AtrReady = 1 << 12;
    public const long RawReady = 1 << 13;
    public const long KReady = 1 << 14;
    public const long DReady = 1 << 15;
    public const long AdxReady = 1 << 16;
    public const long HasPrevious = 1 << 17;
    public const long Atr10Ready = 1 << 18;
    public const long SuperTrendStarted = 1 << 19;
    public const long SuperTrendBullish = 1 << 20;
    public const long SuperTrendUpperReset = 1 << 21;
    public const long SuperTrendLowerReset = 1 << 22;
    public const long SarValid = 1 << 23;
    public const long SarRising = 1 << 24;
}

/// <summary>The indicator values of every lane (same fields as <see cref="IndicatorValues"/>).</summary>
internal struct IndicatorLaneValues
{
    public Lanes Sma20;
    public Lanes Ema20;
    public Lanes Ema50;
    public Lanes Rsi14;
    public Lanes Macd;
    public Lanes MacdSignal;
    public Lanes MacdHistogram;
    public Lanes BbUpper;
    public Lanes BbMiddle;
    public Lanes BbLower;
    public Lanes BbPercentB;
    public Lanes BbWidth;
    public Lanes Atr14;
    public Lanes AtrPercent;
    public Lanes StochK;
    public Lanes StochD;
    public Lanes Adx14;
    public Lanes Cci20;
    public Lanes WilliamsR14;
    public Lanes Vwap;
    public Lanes Vcp;
    public Lanes PivotPp;
    public Lanes PivotR1;
    public Lanes PivotS1;
    public Lanes Roc20;
    public Lanes KeltnerUpper;
    public Lanes KeltnerLower;
    public Lanes Obv;
    public Lanes DonchianUpper20;
    public Lanes DonchianLower20;
    public Lanes SuperTrend;
    public Lanes SuperTrendDirection;
    public Lanes Psar;

    /// <summary>
    /// Lane <paramref name="lane"/>'s values, field by field (not a new struct, which the JIT zeroes and copies).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void CopyTo(int lane, ref IndicatorValues target)
    {
        target.Sma20 = Sma20[lane];
        target.Ema20 = Ema20[lane];
        target.Ema50 = Ema50[lane];
        target.Rsi14 = Rsi14[lane];
        target.Macd = Macd[lane];
        target.MacdSignal = MacdSignal[lane];
        target.MacdHistogram = MacdHistogram[lane];
        target.BbUpper = BbUpper[lane];
        target.BbMiddle = BbMiddle[lane];
        target.BbLower = BbLower[lane];
        target.BbPercentB = BbPercentB[lane];
        target.BbWidth = BbWidth[lane];
        target.Atr14 = Atr14[lane];
        target.AtrPercent = AtrPercent[lane];
        target.StochK = StochK[lane];
        target.StochD = StochD[lane];
        target.Adx14 = Adx14[lane];
        target.Cci20 = Cci20[lane];
        target.WilliamsR14 = WilliamsR14[lane];
        target.Vwap = Vwap[lane];
        target.Vcp = Vcp[lane];
        target.PivotPp = PivotPp[lane];
        target.PivotR1 = PivotR1[lane];
        target.PivotS1 = PivotS1[lane];
        target.Roc20 = Roc20[lane];
        target.KeltnerUpper = KeltnerUpper[lane];
        target.KeltnerLower = KeltnerLower[lane];
        target.Obv = Obv[lane];
        target.DonchianUpper20 = DonchianUpper20[lane];
        target.DonchianLower20 = DonchianLower20[lane];
        target.SuperTrend = SuperTrend[lane];
        target.SuperTrendDirection = SuperTrendDirection[lane];
        target.Psar = Psar[lane];
    }

    /// <summary>
    /// Writes the values of lanes 0 to <paramref name="count"/> - 1 to <paramref name="targets"/>[timeframe of lane k].
    /// The targets' lines were asked for at the start of the update (MarketEngine), so these stores find them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see IndicatorLaneKernel.Compute
    public readonly void CopyTo(int count, ReadOnlySpan<Timeframe> timeframes, IndicatorValues[] targets)
    {
        for (var k = 0; k < count; k++)
        {
            CopyTo(k, ref targets[(int)timeframes[k]]);
        }
    }
}

/// <summary>
/// <see cref="IndicatorKernel.Compute"/> for all lanes at once, in <see cref="Vector{T}"/>s of doubles: the
/// hardware's own width (four lanes with AVX2, so six timeframes take two steps; two with SSE or Arm's NEON), not
/// a fixed <c>Vector512</c>. Why: where a fixed width is not hardware-accelerated the runtime runs every
/// operation as a call into its software fallback: on a machine without AVX-512 (2026-12-07) the Vector512 kernel
/// made the whole pipeline two to three times slower than six scalar peeks. Every lane's
/// value is the scalar kernel's bit for bit: each lane performs the same IEEE operations on the same operands in the
/// same order (SIMD adds, multiplies, divides and square roots round each lane exactly as their scalar forms, and
/// <see cref="Vector.Max{T}(Vector{T}, Vector{T})"/> / Min / Abs treat NaN and signed zeros as Math.Max /
/// Min / Abs), and the scalar kernel's branches become selections between both sides, computed in full (a division
/// by zero on the side not taken is simply discarded). Tests compare the bits with the scalar kernel.
/// </summary>
internal static class IndicatorLaneKernel
{
    public const int WilderPeriod = 14;
    public const int RangePeriod = 14;
    public const int StochSmooth = 3;
    public const int StochSignal = 3;
    public const int KeltnerAtrPeriod = 10;
    public const double SuperTrendMultiplier = 3;
    private const double W = IndicatorPeekState.Window;
    private static readonly double K20 = EmaCore.Alpha(20);
    private static readonly double K50 = EmaCore.Alpha(50);
    private static readonly double KFast = EmaCore.Alpha(12);
    private static readonly double KSlow = EmaCore.Alpha(26);
    private static readonly double KSignal = EmaCore.Alpha(9);

    /// <summary>True where <see cref="Vector{T}"/> is hardware-accelerated; elsewhere callers peek each timeframe with the scalar kernel.</summary>
    public static bool IsSupported => Vector.IsHardwareAccelerated;

    /// <summary>
    /// Peeks every lane with its forming bar (<paramref name="bar"/>: high, low, close and base volume per lane)
    /// into <paramref name="v"/>, one vector of lanes after the other (a vector's lanes past the stride are computed
    /// and never read).
    /// </summary>
    /// <remarks>
    /// Compiled fully optimised at once, outside tiered compilation: its tier-0 code (it has a loop, so it starts at
    /// tier 0) was caught in a profile still running in a timed loop long after start-up, at twice the cost of the
    /// whole pipeline.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ref readonly IndicatorLanes l, ref readonly FormingLanes bar, ref IndicatorLaneValues v)
    {
        for (var offset = 0; offset < l.Stride; offset += Vector<double>.Count)
        {
            Compute(in l, in bar, ref v, offset);
        }
    }

    /// <summary>The lanes from <paramref name="o"/> on, one vector of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see the other overload
    private static void Compute(ref readonly IndicatorLanes l, ref readonly FormingLanes bar, ref IndicatorLaneValues v, int o)
    {
        var high = Load(in bar.High, o);
        var low = Load(in bar.Low, o);
        var close = Load(in bar.Close, o);
        var volume = Load(in bar.Volume, o);
        // Lanes past the stride hold the next field's bits: no flags there (so no lane out of use asks for the EMA seed).
        var inUse = Vector.LessThan(Vector<long>.Indices + Vector.Create((long)o), Vector.Create((long)l.Stride));
        var flags = Vector.AsVectorInt64(Field(in l, IndicatorLanes.Flags, o)) & inUse;
        var nan = Vector.Create(double.NaN);
        var zero = Vector<double>.Zero;
        var hundred = Vector.Create(100d);

        var ringReady = Flag(flags, LaneFlags.RingReady);
        var tp = (high + low + close) / Vector.Create(3d);

        // CCI(20) first, as in the scalar kernel: a chain of 19 dependent additions the rest overlaps.
        var mean = (Field(in l, IndicatorLanes.TypicalBase, o) + tp) / Vector.Create(W);
        var deviation = Vector.Abs(mean - tp);
        for (var ago = 0; ago < IndicatorLanes.TypicalDepth; ago++)
        {
            deviation += Vector.Abs(mean - Field(in l, IndicatorLanes.Typical + ago, o));
        }

        deviation /= Vector.Create(W);
        var cci = Vector.ConditionalSelect(Vector.Equals(deviation, zero), nan, (tp - mean) / (Vector.Create(0.015) * deviation));
        Store(Vector.ConditionalSelect(ringReady, cci, nan), ref v.Cci20, o);

        // SMA(20)
        Store(Vector.ConditionalSelect(ringReady, (Field(in l, IndicatorLanes.SmaBase, o) + close) / Vector.Create(W), nan), ref v.Sma20, o);

        // EMA(20), EMA(50)
        Store(EmaPeek(flags, Field(in l, IndicatorLanes.Ema20, o), close, 20, K20, LaneFlags.Ema20Seed, LaneFlags.Ema20Ready), ref v.Ema20, o);
        Store(EmaPeek(flags, Field(in l, IndicatorLanes.Ema50, o), close, 50, K50, LaneFlags.Ema50Seed, LaneFlags.Ema50Ready), ref v.Ema50, o);

        // RSI(14): RsiState.Peek and RsiState.Value.
        var prevClose = Field(in l, IndicatorLanes.PrevClose, o);
        var gain = Vector.ConditionalSelect(Vector.GreaterThan(close, prevClose), close - prevClose, zero);
        var loss = Vector.ConditionalSelect(Vector.LessThan(close, prevClose), prevClose - close, zero);
        var wilder = Vector.Create((double)WilderPeriod);
        var avgGain = (Field(in l, IndicatorLanes.RsiGain, o) + gain) / wilder;
        var avgLoss = (Field(in l, IndicatorLanes.RsiLoss, o) + loss) / wilder;
        var rsi = Vector.ConditionalSelect(
            Vector.GreaterThan(avgLoss, zero), hundred - (hundred / (Vector<double>.One + (avgGain / avgLoss))), hundred);
        Store(Vector.ConditionalSelect(Flag(flags, LaneFlags.RsiReady), rsi, nan), ref v.Rsi14, o);

        // MACD(12, 26, 9): the signal's peek of a NaN MACD is NaN in every branch, as the scalar kernel's choice gives.
        var macd = EmaPeek(flags, Field(in l, IndicatorLanes.MacdFast, o), close, 12, KFast, LaneFlags.FastSeed, LaneFlags.FastReady)
            - EmaPeek(flags, Field(in l, IndicatorLanes.MacdSlow, o), close, 26, KSlow, LaneFlags.SlowSeed, LaneFlags.SlowReady);
        var signal = EmaPeek(flags, Field(in l, IndicatorLanes.MacdSignal, o), macd, 9, KSignal, LaneFlags.SignalSeed, LaneFlags.SignalReady);
        signal = Vector.ConditionalSelect(Vector.Equals(macd, macd), signal, nan);
        Store(macd, ref v.Macd, o);
        Store(signal, ref v.MacdSignal, o);
        Store(macd - signal, ref v.MacdHistogram, o);

        // Bollinger(20, 2): MomentsState.Peek with a window of 20 once ready (19 + the bar, or 20 - leaving + the bar).
        var shift = Field(in l, IndicatorLanes.BbShift, o);
        var shifted = close - shift;
        var leaving = Field(in l, IndicatorLanes.BbLeaving, o);
        var sum = Field(in l, IndicatorLanes.BbSum, o) + shifted - leaving;
        var squares = Field(in l, IndicatorLanes.BbSquares, o) + (shifted * shifted) - (leaving * leaving);
        var meanShifted = sum / Vector.Create(W);
        var variance = (squares / Vector.Create(W)) - (meanShifted * meanShifted);
        var bbMean = shift + meanShifted;
        variance = Vector.ConditionalSelect(
            Vector.LessThanOrEqual(variance, Vector.Create(1e-13) * ((bbMean * bbMean) + Vector.Create(1e-300))), zero, variance);
        var sd = Vector.SquareRoot(variance);
        var two = Vector.Create(2d);
        var upper = bbMean + (two * sd);
        var lower = bbMean - (two * sd);
        var percentB = Vector.ConditionalSelect(Vector.Equals(upper - lower, zero), nan, (close - lower) / (upper - lower));
        var width = Vector.ConditionalSelect(Vector.Equals(bbMean, zero), nan, (upper - lower) / bbMean);
        Store(Vector.ConditionalSelect(ringReady, upper, nan), ref v.BbUpper, o);
        Store(Vector.ConditionalSelect(ringReady, bbMean, nan), ref v.BbMiddle, o);
        Store(Vector.ConditionalSelect(ringReady, lower, nan), ref v.BbLower, o);
        Store(Vector.ConditionalSelect(ringReady, percentB, nan), ref v.BbPercentB, o);
        Store(Vector.ConditionalSelect(ringReady, width, nan), ref v.BbWidth, o);

        // ATR(14): AtrState.Peek.
        var tr = Vector.Max(high - low, Vector.Max(Vector.Abs(high - prevClose), Vector.Abs(low - prevClose)));
        var atr = Vector.ConditionalSelect(Flag(flags, LaneFlags.AtrReady), (Field(in l, IndicatorLanes.AtrBase, o) + tr) / wilder, nan);
        Store(atr, ref v.Atr14, o);
        var atrPercent = atr / close * hundred;
        Store(Vector.ConditionalSelect(Vector.Equals(atr, atr) & ~Vector.Equals(close, zero), atrPercent, nan), ref v.AtrPercent, o);

        // Stochastic(14, 3, 3) and Williams %R(14)
        var highest = Vector.Max(Field(in l, IndicatorLanes.RangeMax, o), high);
        var lowest = Vector.Min(Field(in l, IndicatorLanes.RangeMin, o), low);
        var rawK = Vector.ConditionalSelect(Vector.Equals(highest - lowest, zero), zero, hundred * (close - lowest) / (highest - lowest));
        var raw = Vector.ConditionalSelect(Flag(flags, LaneFlags.RawReady), rawK, nan);
        var three = Vector.Create(3d);
        var k = Vector.ConditionalSelect(Vector.Equals(raw, raw) & Flag(flags, LaneFlags.KReady), (Field(in l, IndicatorLanes.RawBase, o) + raw) / three, nan);
        Store(k, ref v.StochK, o);
        Store(Vector.ConditionalSelect(Vector.Equals(k, k) & Flag(flags, LaneFlags.DReady), (Field(in l, IndicatorLanes.KBase, o) + k) / three, nan), ref v.StochD, o);
        Store(Vector.ConditionalSelect(Vector.Equals(raw, raw), raw - hundred, nan), ref v.WilliamsR14, o);

        // ADX(14): DirectionalState.Peek (Movement, Directional, the Wilder average).
        var up = high - Field(in l, IndicatorLanes.PrevHigh, o);
        var down = Field(in l, IndicatorLanes.PrevLow, o) - low;
        var pdm = Vector.ConditionalSelect(Vector.GreaterThan(up, down), Vector.Max(up, zero), zero);
        var mdm = Vector.ConditionalSelect(Vector.GreaterThan(down, up), Vector.Max(down, zero), zero);
        var trs = Field(in l, IndicatorLanes.TrsBase, o) + tr;
        var pdi = hundred * (Field(in l, IndicatorLanes.PdmsBase, o) + pdm) / trs;
        var mdi = hundred * (Field(in l, IndicatorLanes.MdmsBase, o) + mdm) / trs;
        var dx = Vector.ConditionalSelect(Vector.Equals(pdi, mdi), zero, hundred * Vector.Abs(pdi - mdi) / (pdi + mdi));
        var adx = (Field(in l, IndicatorLanes.AdxBase, o) + dx) / wilder;
        Store(Vector.ConditionalSelect(Flag(flags, LaneFlags.AdxReady) & ~Vector.Equals(trs, zero), adx, nan), ref v.Adx14, o);

        // Rolling VWAP(20) and VCP
        var vwapVolume = Field(in l, IndicatorLanes.VolumeBase, o) + volume;
        var vwap = Vector.ConditionalSelect(Vector.Equals(vwapVolume, zero), nan, (Field(in l, IndicatorLanes.PriceVolumeBase, o) + (tp * volume)) / vwapVolume);
        vwap = Vector.ConditionalSelect(ringReady, vwap, nan);
        Store(vwap, ref v.Vwap, o);
        var range = high - low;
        var location = Vector.ConditionalSelect(Vector.Equals(range, zero), zero, ((close - low) - (high - close)) / range);
        var vcp = close / vwap * location;
        Store(Vector.ConditionalSelect(Vector.Equals(vwap, vwap) & ~Vector.Equals(vwap, zero), vcp, nan), ref v.Vcp, o);

        // Standard pivots of the previous committed bar (PivotPoints.Standard)
        var hasPrevious = Flag(flags, LaneFlags.HasPrevious);
        var prevHigh = Field(in l, IndicatorLanes.PrevHigh, o);
        var prevLow = Field(in l, IndicatorLanes.PrevLow, o);
        var pp = (prevHigh + prevLow + prevClose) / three;
        Store(Vector.ConditionalSelect(hasPrevious, pp, nan), ref v.PivotPp, o);
        Store(Vector.ConditionalSelect(hasPrevious, (two * pp) - prevLow, nan), ref v.PivotR1, o);
        Store(Vector.ConditionalSelect(hasPrevious, (two * pp) - prevHigh, nan), ref v.PivotS1, o);

        // The trend indicators without branches of their own (IndicatorKernel.ComputeTrend computes the others).
        // ROC(20): Roc.Percent (NaN before 20 bars: the past close is NaN).
        var past = Field(in l, IndicatorLanes.RocPast, o);
        Store(Vector.ConditionalSelect(Vector.Equals(past, zero), nan, hundred * (close - past) / past), ref v.Roc20, o);

        // Keltner(20, 2, 10): Keltner.Bands around EMA(20) with ATR(10) (AtrState.Peek, the TR of ATR(14)).
        var atr10 = Vector.ConditionalSelect(
            Flag(flags, LaneFlags.Atr10Ready), (Field(in l, IndicatorLanes.Atr10Base, o) + tr) / Vector.Create((double)KeltnerAtrPeriod), nan);
        var center = Load(in v.Ema20, o);
        Store(center + (two * atr10), ref v.KeltnerUpper, o);
        Store(center - (two * atr10), ref v.KeltnerLower, o);

        // OBV: Obv.Next.
        var obv = Field(in l, IndicatorLanes.Obv, o);
        var obvNext = Vector.ConditionalSelect(Vector.GreaterThan(close, prevClose), obv + volume,
            Vector.ConditionalSelect(Vector.LessThan(close, prevClose), obv - volume, obv));
        Store(Vector.ConditionalSelect(hasPrevious, obvNext, obv), ref v.Obv, o);

        // Donchian(20): prepared at the bar close.
        Store(Field(in l, IndicatorLanes.DonchianUpper, o), ref v.DonchianUpper20, o);
        Store(Field(in l, IndicatorLanes.DonchianLower, o), ref v.DonchianLower20, o);

        // SuperTrend(14, 3): SuperTrendState.Next on ATR(14). A state not started yet takes the bar's bands and its
        // trend from close >= mid; a started one keeps a band unless the bar's is tighter or the previous close broke it.
        var mid = (high + low) / two;
        var band = Vector.Create(SuperTrendMultiplier) * atr;
        var upperEval = mid + band;
        var lowerEval = mid - band;
        var started = Flag(flags, LaneFlags.SuperTrendStarted);
        var stUpper = Field(in l, IndicatorLanes.SuperTrendUpper, o);
        var stLower = Field(in l, IndicatorLanes.SuperTrendLower, o);
        stUpper = Vector.ConditionalSelect(
            ~started | Vector.LessThan(upperEval, stUpper) | Flag(flags, LaneFlags.SuperTrendUpperReset), upperEval, stUpper);
        stLower = Vector.ConditionalSelect(
            ~started | Vector.GreaterThan(lowerEval, stLower) | Flag(flags, LaneFlags.SuperTrendLowerReset), lowerEval, stLower);
        var bullish = Vector.ConditionalSelect(started, Flag(flags, LaneFlags.SuperTrendBullish), Vector.GreaterThanOrEqual(close, mid));
        var turnsDown = Vector.LessThanOrEqual(close, Vector.ConditionalSelect(bullish, stLower, stUpper));
        var hasAtr = Vector.Equals(atr, atr);
        Store(Vector.ConditionalSelect(hasAtr, Vector.ConditionalSelect(turnsDown, stUpper, stLower), nan), ref v.SuperTrend, o);
        Store(Vector.ConditionalSelect(hasAtr, Vector.ConditionalSelect(turnsDown, Vector.Create(-1d), Vector<double>.One), nan), ref v.SuperTrendDirection, o);

        // Parabolic SAR(0.02, 0.2): SarState.Next's value, the prepared candidate unless the bar reverses it.
        var candidate = Field(in l, IndicatorLanes.SarCandidate, o);
        var reverses = Vector.ConditionalSelect(Flag(flags, LaneFlags.SarRising), Vector.LessThan(low, candidate), Vector.GreaterThan(high, candidate));
        var sar = Vector.ConditionalSelect(reverses, Field(in l, IndicatorLanes.SarExtreme, o), candidate);
        Store(Vector.ConditionalSelect(Flag(flags, LaneFlags.SarValid), sar, nan), ref v.Psar, o);
    }

    /// <summary>EmaCore.Peek: NaN while seeding, the seed (the average) on the period's input, then the EMA step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> EmaPeek(Vector<long> flags, Vector<double> acc, Vector<double> x, int period, double k, long seed, long ready)
    {
        var value = acc + (Vector.Create(k) * (x - acc));
        var seeding = Flag(flags, seed);
        // The seed's division only while some lane takes it (a few bars per timeframe).
        if (!Vector.EqualsAll(seeding, Vector<long>.Zero))
        {
            value = Vector.ConditionalSelect(seeding, (acc + x) / Vector.Create((double)period), value);
        }

        return Vector.ConditionalSelect(Flag(flags, ready), value, Vector.Create(double.NaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<long> Flag(Vector<long> flags, long flag) => Vector.Equals(flags & Vector.Create(flag), Vector.Create(flag));

    /// <summary>Every lane of a field (past the stride: the next field's first lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Field(ref readonly IndicatorLanes l, int field, int offset) =>
        Vector.LoadUnsafe(ref Unsafe.AsRef(in l.Data), (nuint)((field * l.Stride) + offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Load(ref readonly Lanes lanes, int offset) => Vector.LoadUnsafe(ref Unsafe.AsRef(in lanes[0]), (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<double> value, ref Lanes lanes, int offset) => value.StoreUnsafe(ref lanes[offset]);
}

/// <summary>The forming bar of every lane (high, low, close, base volume).</summary>
internal struct FormingLanes
{
    public Lanes High;
    public Lanes Low;
    public Lanes Close;
    public Lanes Volume;
}
