using System.Numerics;
using System.Runtime.CompilerServices;

namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// What <see cref="IndicatorKernel.Compute"/> reads, for up to <see cref="Count"/> timeframes of one symbol side by
/// side ("lanes", struct of arrays: lane k of every field is timeframe k), so <see cref="IndicatorLaneKernel"/> peeks
/// all timeframes at once in SIMD vectors. Why: a peek is about 22 divisions and a square root per timeframe, and
/// the divider takes one division every few cycles whether it divides one double or a whole vector of them, so
/// scalar peeks of six timeframes wait on about 130 divisions in a row; in lanes they are about 22 per vector.
/// <para>
/// This is a copy, derived from the authoritative <see cref="IndicatorPeekState"/> by <see cref="Load"/> after every
/// change of it (a bar close or a reset, i.e. rarely): whatever only changes at a bar close is prepared there, so a
/// peek does no more than the arithmetic of the forming bar. In particular the counters become flag bits (which
/// warm-up branch each indicator takes), the Wilder averages their "previous times (n - 1)" products, the pivots
/// their final values, and CCI's ring the last 19 typical prices newest first (so every lane walks them in the
/// same order as <see cref="Cci.Value"/> walks its ring, whatever its ring position).
/// </para>
/// </summary>
internal struct IndicatorLanes
{
    /// <summary>Lanes: room for every <see cref="Timeframe"/> (seven).</summary>
    public const int Count = 8;

    /// <summary>Typical prices CCI(20) reads besides the forming bar's.</summary>
    public const int TypicalDepth = IndicatorPeekState.Window - 1;

    public FlagLanes Flags;
    public Lanes SmaBase;
    public Lanes TypicalBase;
    public Lanes PriceVolumeBase;
    public Lanes VolumeBase;
    public Lanes BbShift;
    public Lanes BbSum;
    public Lanes BbSquares;
    public Lanes BbLeaving;
    public Lanes Ema20;
    public Lanes Ema50;
    public Lanes MacdFast;
    public Lanes MacdSlow;
    public Lanes MacdSignal;
    public Lanes PrevClose;
    public Lanes PrevHigh;
    public Lanes PrevLow;
    public Lanes RsiGain;
    public Lanes RsiLoss;
    public Lanes AtrBase;
    public Lanes RangeMax;
    public Lanes RangeMin;
    public Lanes RawBase;
    public Lanes KBase;
    public Lanes TrsBase;
    public Lanes PdmsBase;
    public Lanes MdmsBase;
    public Lanes AdxBase;
    public Lanes PivotPp;
    public Lanes PivotR1;
    public Lanes PivotS1;
    public TypicalHistory Typical;

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
        Flags[lane] = flags;

        SmaBase[lane] = p.SmaBase;
        TypicalBase[lane] = p.TypicalBase;
        PriceVolumeBase[lane] = p.PriceVolumeBase;
        VolumeBase[lane] = p.VolumeBase;
        BbShift[lane] = p.Bb.Shift;
        BbSum[lane] = p.Bb.Sum;
        BbSquares[lane] = p.Bb.Squares;
        // MomentsState.Peek subtracts the leaving value only from a full window; x - 0 is x, bit for bit.
        BbLeaving[lane] = p.RingCount == W ? p.BbLeaving : 0;
        Ema20[lane] = p.Ema20.Acc;
        Ema50[lane] = p.Ema50.Acc;
        MacdFast[lane] = p.MacdFast.Acc;
        MacdSlow[lane] = p.MacdSlow.Acc;
        MacdSignal[lane] = p.MacdSignal.Acc;
        PrevClose[lane] = p.PrevClose;
        PrevHigh[lane] = p.PrevHigh;
        PrevLow[lane] = p.PrevLow;

        // Wilder's steps divide "previous * (n - 1) + x" once smoothing, "sum + x" on the first average: the left
        // operand is known now (the same multiplication the steps do, so the same bits).
        RsiGain[lane] = p.Rsi.Count > Wilder ? p.Rsi.Gain * (Wilder - 1) : p.Rsi.Gain;
        RsiLoss[lane] = p.Rsi.Count > Wilder ? p.Rsi.Loss * (Wilder - 1) : p.Rsi.Loss;
        AtrBase[lane] = p.Atr.Count > Wilder ? p.Atr.Atr * (Wilder - 1) : p.Atr.Sum;
        AdxBase[lane] = p.Adx.Count > (2 * Wilder) - 1 ? p.Adx.Adx * (Wilder - 1) : p.Adx.SumDx;
        TrsBase[lane] = p.Adx.TrsBase;
        PdmsBase[lane] = p.Adx.PdmsBase;
        MdmsBase[lane] = p.Adx.MdmsBase;

        RangeMax[lane] = p.RangeMax;
        RangeMin[lane] = p.RangeMin;
        RawBase[lane] = p.RawBase;
        KBase[lane] = p.KBase;

        var (pp, r1, s1) = p.HasPrevious ? PivotPoints.Standard(p.PrevHigh, p.PrevLow, p.PrevClose) : (double.NaN, double.NaN, double.NaN);
        PivotPp[lane] = pp;
        PivotR1[lane] = r1;
        PivotS1[lane] = s1;

        var index = p.RingNext;
        for (var ago = 0; ago < TypicalDepth; ago++)
        {
            index = index == 0 ? W - 1 : index - 1;
            Typical[ago][lane] = p.Typical[index];
        }
    }

    private static long EmaFlags(EmaCore ema, int period, long seed, long ready) =>
        (ema.Count + 1 == period ? seed : 0) | (ema.Count + 1 >= period ? ready : 0);
}

/// <summary>One double per lane.</summary>
[InlineArray(IndicatorLanes.Count)]
internal struct Lanes
{
    private double _element;
}

/// <summary>One set of <see cref="LaneFlags"/> per lane.</summary>
[InlineArray(IndicatorLanes.Count)]
internal struct FlagLanes
{
    private long _element;
}

/// <summary>The typical prices of CCI's window, newest first (index 0 = the last committed bar).</summary>
[InlineArray(IndicatorLanes.TypicalDepth)]
internal struct TypicalHistory
{
    private Lanes _element;
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

    /// <summary>Lane <paramref name="lane"/>'s values, with the pivots (which <see cref="IndicatorLanes"/> holds ready).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see ComputeGroup
    public readonly void CopyTo(int lane, ref readonly IndicatorLanes lanes, ref IndicatorValues staging, ref IndicatorValues target)
    {
        // Gathered in a staging copy (on the caller's stack, in L1) and then copied as one block: the target (a
        // symbol's snapshot, out of the caches) then takes a few wide stores instead of 24 scalar ones, each of which
        // would hold a store-queue entry until its line arrives.
        staging = new IndicatorValues
        {
            Sma20 = Sma20[lane],
            Ema20 = Ema20[lane],
            Ema50 = Ema50[lane],
            Rsi14 = Rsi14[lane],
            Macd = Macd[lane],
            MacdSignal = MacdSignal[lane],
            MacdHistogram = MacdHistogram[lane],
            BbUpper = BbUpper[lane],
            BbMiddle = BbMiddle[lane],
            BbLower = BbLower[lane],
            BbPercentB = BbPercentB[lane],
            BbWidth = BbWidth[lane],
            Atr14 = Atr14[lane],
            AtrPercent = AtrPercent[lane],
            StochK = StochK[lane],
            StochD = StochD[lane],
            Adx14 = Adx14[lane],
            Cci20 = Cci20[lane],
            WilliamsR14 = WilliamsR14[lane],
            Vwap = Vwap[lane],
            Vcp = Vcp[lane],
            PivotPp = lanes.PivotPp[lane],
            PivotR1 = lanes.PivotR1[lane],
            PivotS1 = lanes.PivotS1[lane],
        };
        target = staging;
    }
}

/// <summary>
/// <see cref="IndicatorKernel.Compute"/> for all lanes at once, in <see cref="Vector{T}"/>s of doubles. Every lane's
/// value is the scalar kernel's bit for bit: each lane performs the same IEEE operations on the same operands in the
/// same order (SIMD adds, multiplies, divides and square roots round each lane exactly as their scalar forms, and
/// <see cref="Vector.Max{T}(Vector{T}, Vector{T})"/> / Min / Abs treat NaN and signed zeros as Math.Max / Min / Abs),
/// and the scalar kernel's branches become selections between both sides, computed in full (a division by zero on
/// the side not taken is simply discarded). Tests compare the bits with the scalar kernel.
/// </summary>
internal static class IndicatorLaneKernel
{
    public const int WilderPeriod = 14;
    public const int RangePeriod = 14;
    public const int StochSmooth = 3;
    public const int StochSignal = 3;
    private const double W = IndicatorPeekState.Window;
    private static readonly double K20 = EmaCore.Alpha(20);
    private static readonly double K50 = EmaCore.Alpha(50);
    private static readonly double KFast = EmaCore.Alpha(12);
    private static readonly double KSlow = EmaCore.Alpha(26);
    private static readonly double KSignal = EmaCore.Alpha(9);

    /// <summary>True where SIMD vectors exist and fit the lanes; otherwise callers peek each timeframe with the scalar kernel.</summary>
    public static bool IsSupported =>
        Vector.IsHardwareAccelerated && Vector<double>.Count <= IndicatorLanes.Count && IndicatorLanes.Count % Vector<double>.Count == 0;

    /// <summary>
    /// Peeks lanes 0 to <paramref name="used"/> - 1 with their forming bars (<paramref name="bar"/>: high, low, close
    /// and base volume per lane) into <paramref name="v"/> (pivots excepted: they are in <paramref name="l"/>).
    /// </summary>
    public static void Compute(ref readonly IndicatorLanes l, ref readonly FormingLanes bar, int used, ref IndicatorLaneValues v)
    {
        for (var g = 0; g < used; g += Vector<double>.Count)
        {
            ComputeGroup(in l, in bar, g, ref v);
        }
    }

    // Compiled fully optimised at once, outside tiered compilation: its tier-0 code (a loop, so compiled at tier 0
    // first) was seen still running in timed loops long after start-up, at twice the cost of the whole pipeline.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeGroup(ref readonly IndicatorLanes l, ref readonly FormingLanes bar, int g, ref IndicatorLaneValues v)
    {
        var high = Load(in bar.High, g);
        var low = Load(in bar.Low, g);
        var close = Load(in bar.Close, g);
        var volume = Load(in bar.Volume, g);
        var flags = Vector.LoadUnsafe(ref Unsafe.AsRef(in l.Flags[0]), (nuint)g);
        var nan = new Vector<double>(double.NaN);
        var zero = Vector<double>.Zero;
        var hundred = new Vector<double>(100d);

        var ringReady = Flag(flags, LaneFlags.RingReady);
        var tp = (high + low + close) / new Vector<double>(3d);

        // CCI(20) first, as in the scalar kernel: a chain of 19 dependent additions the rest overlaps.
        var mean = (Load(in l.TypicalBase, g) + tp) / new Vector<double>(W);
        var deviation = Vector.Abs(mean - tp);
        for (var ago = 0; ago < IndicatorLanes.TypicalDepth; ago++)
        {
            deviation += Vector.Abs(mean - Load(in l.Typical[ago], g));
        }

        deviation /= new Vector<double>(W);
        var cci = Vector.ConditionalSelect(Vector.Equals(deviation, zero), nan, (tp - mean) / (new Vector<double>(0.015) * deviation));
        Store(Vector.ConditionalSelect(ringReady, cci, nan), ref v.Cci20, g);

        // SMA(20)
        Store(Vector.ConditionalSelect(ringReady, (Load(in l.SmaBase, g) + close) / new Vector<double>(W), nan), ref v.Sma20, g);

        // EMA(20), EMA(50)
        Store(EmaPeek(flags, Load(in l.Ema20, g), close, 20, K20, LaneFlags.Ema20Seed, LaneFlags.Ema20Ready), ref v.Ema20, g);
        Store(EmaPeek(flags, Load(in l.Ema50, g), close, 50, K50, LaneFlags.Ema50Seed, LaneFlags.Ema50Ready), ref v.Ema50, g);

        // RSI(14): RsiState.Peek and RsiState.Value.
        var prevClose = Load(in l.PrevClose, g);
        var gain = Vector.ConditionalSelect(Vector.GreaterThan(close, prevClose), close - prevClose, zero);
        var loss = Vector.ConditionalSelect(Vector.LessThan(close, prevClose), prevClose - close, zero);
        var wilder = new Vector<double>(WilderPeriod);
        var avgGain = (Load(in l.RsiGain, g) + gain) / wilder;
        var avgLoss = (Load(in l.RsiLoss, g) + loss) / wilder;
        var rsi = Vector.ConditionalSelect(
            Vector.GreaterThan(avgLoss, zero), hundred - (hundred / (Vector<double>.One + (avgGain / avgLoss))), hundred);
        Store(Vector.ConditionalSelect(Flag(flags, LaneFlags.RsiReady), rsi, nan), ref v.Rsi14, g);

        // MACD(12, 26, 9): the signal's peek of a NaN MACD is NaN in every branch, as the scalar kernel's choice gives.
        var macd = EmaPeek(flags, Load(in l.MacdFast, g), close, 12, KFast, LaneFlags.FastSeed, LaneFlags.FastReady)
            - EmaPeek(flags, Load(in l.MacdSlow, g), close, 26, KSlow, LaneFlags.SlowSeed, LaneFlags.SlowReady);
        var signal = EmaPeek(flags, Load(in l.MacdSignal, g), macd, 9, KSignal, LaneFlags.SignalSeed, LaneFlags.SignalReady);
        signal = Vector.ConditionalSelect(Vector.Equals(macd, macd), signal, nan);
        Store(macd, ref v.Macd, g);
        Store(signal, ref v.MacdSignal, g);
        Store(macd - signal, ref v.MacdHistogram, g);

        // Bollinger(20, 2): MomentsState.Peek with a window of 20 once ready (19 + the bar, or 20 - leaving + the bar).
        var shift = Load(in l.BbShift, g);
        var shifted = close - shift;
        var leaving = Load(in l.BbLeaving, g);
        var sum = Load(in l.BbSum, g) + shifted - leaving;
        var squares = Load(in l.BbSquares, g) + (shifted * shifted) - (leaving * leaving);
        var meanShifted = sum / new Vector<double>(W);
        var variance = (squares / new Vector<double>(W)) - (meanShifted * meanShifted);
        var bbMean = shift + meanShifted;
        variance = Vector.ConditionalSelect(
            Vector.LessThanOrEqual(variance, new Vector<double>(1e-13) * ((bbMean * bbMean) + new Vector<double>(1e-300))), zero, variance);
        var sd = Vector.SquareRoot(variance);
        var two = new Vector<double>(2d);
        var upper = bbMean + (two * sd);
        var lower = bbMean - (two * sd);
        var percentB = Vector.ConditionalSelect(Vector.Equals(upper - lower, zero), nan, (close - lower) / (upper - lower));
        var width = Vector.ConditionalSelect(Vector.Equals(bbMean, zero), nan, (upper - lower) / bbMean);
        Store(Vector.ConditionalSelect(ringReady, upper, nan), ref v.BbUpper, g);
        Store(Vector.ConditionalSelect(ringReady, bbMean, nan), ref v.BbMiddle, g);
        Store(Vector.ConditionalSelect(ringReady, lower, nan), ref v.BbLower, g);
        Store(Vector.ConditionalSelect(ringReady, percentB, nan), ref v.BbPercentB, g);
        Store(Vector.ConditionalSelect(ringReady, width, nan), ref v.BbWidth, g);

        // ATR(14): AtrState.Peek.
        var tr = Vector.Max(high - low, Vector.Max(Vector.Abs(high - prevClose), Vector.Abs(low - prevClose)));
        var atr = Vector.ConditionalSelect(Flag(flags, LaneFlags.AtrReady), (Load(in l.AtrBase, g) + tr) / wilder, nan);
        Store(atr, ref v.Atr14, g);
        var atrPercent = atr / close * hundred;
        Store(Vector.ConditionalSelect(Vector.Equals(atr, atr) & ~Vector.Equals(close, zero), atrPercent, nan), ref v.AtrPercent, g);

        // Stochastic(14, 3, 3) and Williams %R(14)
        var highest = Vector.Max(Load(in l.RangeMax, g), high);
        var lowest = Vector.Min(Load(in l.RangeMin, g), low);
        var rawK = Vector.ConditionalSelect(Vector.Equals(highest - lowest, zero), zero, hundred * (close - lowest) / (highest - lowest));
        var raw = Vector.ConditionalSelect(Flag(flags, LaneFlags.RawReady), rawK, nan);
        var three = new Vector<double>(3d);
        var k = Vector.ConditionalSelect(Vector.Equals(raw, raw) & Flag(flags, LaneFlags.KReady), (Load(in l.RawBase, g) + raw) / three, nan);
        Store(k, ref v.StochK, g);
        Store(Vector.ConditionalSelect(Vector.Equals(k, k) & Flag(flags, LaneFlags.DReady), (Load(in l.KBase, g) + k) / three, nan), ref v.StochD, g);
        Store(Vector.ConditionalSelect(Vector.Equals(raw, raw), raw - hundred, nan), ref v.WilliamsR14, g);

        // ADX(14): DirectionalState.Peek (Movement, Directional, the Wilder average).
        var up = high - Load(in l.PrevHigh, g);
        var down = Load(in l.PrevLow, g) - low;
        var pdm = Vector.ConditionalSelect(Vector.GreaterThan(up, down), Vector.Max(up, zero), zero);
        var mdm = Vector.ConditionalSelect(Vector.GreaterThan(down, up), Vector.Max(down, zero), zero);
        var trs = Load(in l.TrsBase, g) + tr;
        var pdi = hundred * (Load(in l.PdmsBase, g) + pdm) / trs;
        var mdi = hundred * (Load(in l.MdmsBase, g) + mdm) / trs;
        var dx = Vector.ConditionalSelect(Vector.Equals(pdi, mdi), zero, hundred * Vector.Abs(pdi - mdi) / (pdi + mdi));
        var adx = (Load(in l.AdxBase, g) + dx) / wilder;
        Store(Vector.ConditionalSelect(Flag(flags, LaneFlags.AdxReady) & ~Vector.Equals(trs, zero), adx, nan), ref v.Adx14, g);

        // Rolling VWAP(20) and VCP
        var vwapVolume = Load(in l.VolumeBase, g) + volume;
        var vwap = Vector.ConditionalSelect(Vector.Equals(vwapVolume, zero), nan, (Load(in l.PriceVolumeBase, g) + (tp * volume)) / vwapVolume);
        vwap = Vector.ConditionalSelect(ringReady, vwap, nan);
        Store(vwap, ref v.Vwap, g);
        var range = high - low;
        var location = Vector.ConditionalSelect(Vector.Equals(range, zero), zero, ((close - low) - (high - close)) / range);
        var vcp = close / vwap * location;
        Store(Vector.ConditionalSelect(Vector.Equals(vwap, vwap) & ~Vector.Equals(vwap, zero), vcp, nan), ref v.Vcp, g);
    }

    /// <summary>EmaCore.Peek: NaN while seeding, the seed (the average) on the period's input, then the EMA step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> EmaPeek(Vector<long> flags, Vector<double> acc, Vector<double> x, int period, double k, long seed, long ready)
    {
        var value = acc + (new Vector<double>(k) * (x - acc));
        var seeding = Flag(flags, seed);
        // The seed's division only while some lane takes it (a few bars per timeframe).
        if (!Vector.EqualsAll(seeding, Vector<long>.Zero))
        {
            value = Vector.ConditionalSelect(seeding, (acc + x) / new Vector<double>(period), value);
        }

        return Vector.ConditionalSelect(Flag(flags, ready), value, new Vector<double>(double.NaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<long> Flag(Vector<long> flags, long flag) => Vector.Equals(flags & new Vector<long>(flag), new Vector<long>(flag));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Load(ref readonly Lanes lanes, int g) => Vector.LoadUnsafe(ref Unsafe.AsRef(in lanes[0]), (nuint)g);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<double> value, ref Lanes lanes, int g) => value.StoreUnsafe(ref lanes[0], (nuint)g);
}

/// <summary>The forming bar of every lane (high, low, close, base volume).</summary>
internal struct FormingLanes
{
    public Lanes High;
    public Lanes Low;
    public Lanes Close;
    public Lanes Volume;
}
