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
/// The arithmetic is not repeated here: every step is the one the single indicators (<see cref="Sma"/>,
/// <see cref="Ema"/>, <see cref="Rsi"/>, <see cref="Macd"/>, <see cref="BollingerBands"/>, <see cref="Atr"/>,
/// <see cref="Stoch"/>, <see cref="Adx"/>, <see cref="Cci"/>, <see cref="WilliamsR"/>, <see cref="RollingVwap"/>,
/// <see cref="Vcp"/>) call too (<see cref="SeededEma"/>, <see cref="RsiState"/>, <see cref="AtrState"/>,
/// <see cref="DirectionalState"/>, <see cref="MomentsState"/>, <see cref="RingSum"/>, <see cref="DequeCursor"/>,
/// <see cref="Cci.Value"/>, <see cref="Stoch.RawK"/>, ...), so the values are theirs bit for bit by construction
/// (tests compare the bits). This file only decides where the state lives. What is prepared at a bar close is only
/// what a peek would compute first from the committed state alone, e.g. <c>sum - oldest</c> (the single
/// indicators evaluate <c>(sum - oldest) + x</c> in that order too).
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

    // SMA(20), CCI(20), rolling VWAP(20): the window sum after the leaving bar is taken out (RingSum.Base).
    public double SmaBase;
    public double TypicalBase;
    public double PriceVolumeBase;
    public double VolumeBase;

    // Bollinger(20, 2): RollingMoments' shifted sums and the leaving close (shifted).
    public MomentsState Bb;
    public double BbLeaving;

    // EMA(20), EMA(50), MACD(12, 26, 9): SeededEma without its period and k (16 bytes each instead of 32).
    public EmaCore Ema20;
    public EmaCore Ema50;
    public EmaCore MacdFast;
    public EmaCore MacdSlow;
    public EmaCore MacdSignal;

    // Close, high and low of the last committed bar (RSI, ATR, ADX, pivots).
    public bool HasPrevious;
    public double PrevClose;
    public double PrevHigh;
    public double PrevLow;

    public RsiState Rsi;
    public AtrState Atr;

    // Stochastic(14, 3, 3) and Williams %R(14): highest high / lowest low of the last 13 bars (the window of a peek
    // without the forming bar), and the raw %K / %K rings' sums without their leaving values.
    public long RangeIndex;
    public double RangeMax;
    public double RangeMin;
    public int RawCount;
    public double RawBase;
    public int KCount;
    public double KBase;

    public DirectionalState Adx;

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
    // Donchian(20): the last 20 highs and lows (same ring position as the others).
    public Ring20 Highs20;
    public Ring20 Lows20;
    public ExtremesDeque14 Highs;
    public ExtremesDeque14 Lows;
    public SmallSum3 Raw;
    public SmallSum3 K;
}

/// <summary>
/// The state of the trend indicators (ROC(20), Donchian(20), Keltner(20, 2, 10), SuperTrend(14, 3), parabolic
/// SAR(0.02, 0.2), OBV), updated at each bar close through the single indicators' steps. Their peek
/// (<see cref="IndicatorKernel.ComputeTrend"/>) also takes EMA(20) and ATR(14) from the other values (Keltner's
/// centerline, SuperTrend's ATR); what does not depend on the forming bar (ROC's close 20 bars ago, the Donchian
/// channel of the 20 bars before) is prepared here when a bar closes. The engine's SIMD lanes peek from a copy
/// (<see cref="IndicatorLanes.LoadTrend"/>), so on its path this struct is touched only at bar closes.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct IndicatorTrendState
{
    public bool HasPrevious;
    public double PrevClose;

    /// <summary>ROC(20): the close 20 bars before the forming bar (NaN before 20 bars).</summary>
    public double RocPast;

    /// <summary>Donchian(20) of the 20 committed bars (NaN before 20 bars).</summary>
    public double DonchianUpper;
    public double DonchianLower;

    /// <summary>Keltner's ATR(10).</summary>
    public AtrState Atr10;

    public SuperTrendState SuperTrend;
    public SarState Sar;
    public double Obv;
}

[InlineArray(IndicatorPeekState.Window)]
internal struct Ring20
{
    private double _element;
}

/// <summary>RollingSum(3) as a struct (the stochastic's smoothing rings), with <see cref="RingSum"/>'s steps.</summary>
internal struct SmallSum3
{
    public const int Length = 3;

    public Ring3 Values;
    public int Next;
    public int Count;
    public int SinceAnchor;
    public double Sum;

    public readonly double PeekBase => RingSum.Base(Sum, Count == Length, Values[Next]);

    public void Push(double value) => RingSum.Push(Values, ref Next, ref Count, ref SinceAnchor, ref Sum, value);

    [InlineArray(Length)]
    public struct Ring3
    {
        private double _element;
    }
}

/// <summary>One monotonic deque of RollingExtremes(14) as a struct (capacity 15, as there), with <see cref="DequeCursor"/>'s steps.</summary>
internal struct ExtremesDeque14
{
    public const int Capacity = 15;

    public Indices15 Indices;
    public Values15 Values;
    public DequeCursor Cursor;

    public readonly double FirstAtOrAfter(long oldest, double none) => Cursor.FirstAtOrAfter(Indices, Values, oldest, none);

    public void Push(int length, long index, double value, bool maximum) => Cursor.Push(Indices, Values, length, index, value, maximum);

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
/// <see cref="TimeframeIndicators"/> on the packed state: <see cref="Compute"/> (peek the forming bar, reads only
/// <see cref="IndicatorPeekState"/>) and <see cref="Commit"/> (a bar closed), both through the shared steps.
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
    private static readonly double K20 = EmaCore.Alpha(20);
    private static readonly double K50 = EmaCore.Alpha(50);
    private static readonly double KFast = EmaCore.Alpha(12);
    private static readonly double KSlow = EmaCore.Alpha(26);
    private static readonly double KSignal = EmaCore.Alpha(9);
    private const int KeltnerAtrPeriod = IndicatorLaneKernel.KeltnerAtrPeriod;
    private const double KeltnerMultiplier = 2;
    private const double SuperTrendMultiplier = IndicatorLaneKernel.SuperTrendMultiplier;
    private const double SarStep = 0.02;
    private const double SarMax = 0.2;

    public static void Reset(ref IndicatorPeekState p, ref IndicatorCommitState c, ref IndicatorTrendState t)
    {
        p = default;
        c = default;
        t = default;
        t.RocPast = t.DonchianUpper = t.DonchianLower = double.NaN;
        PrepareRange(ref p, ref c);
    }

    /// <summary>
    /// The trend indicators as if the forming bar closed now, after <see cref="Compute"/> filled <paramref name="v"/>:
    /// Keltner's centerline is its EMA(20), SuperTrend's ATR its ATR(14), the same steps on the same bars as
    /// <see cref="Keltner"/> and <see cref="SuperTrend"/>. (The engine's SIMD lanes compute the same values from the
    /// same state, <see cref="IndicatorLanes.LoadTrend"/>.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ComputeTrend(ref readonly IndicatorTrendState t, double high, double low, double close, double volume, ref IndicatorValues v)
    {
        v.Roc20 = Roc.Percent(close, t.RocPast);
        var atr10 = t.Atr10.Peek(high, low, t.PrevClose, KeltnerAtrPeriod, out _, out _);
        (v.KeltnerUpper, v.KeltnerLower) = Keltner.Bands(v.Ema20, atr10, KeltnerMultiplier);
        v.Obv = Obv.Next(t.HasPrevious, t.PrevClose, t.Obv, close, volume);
        v.DonchianUpper20 = t.DonchianUpper;
        v.DonchianLower20 = t.DonchianLower;

        var atr14 = v.Atr14;
        if (double.IsNaN(atr14))
        {
            v.SuperTrend = v.SuperTrendDirection = double.NaN;
        }
        else
        {
            var st = t.SuperTrend;
            v.SuperTrend = SuperTrendState.Next(ref st, high, low, close, t.PrevClose, atr14, SuperTrendMultiplier);
            v.SuperTrendDirection = st.IsBullish ? 1 : -1;
        }

        var sar = t.Sar;
        v.Psar = SarState.Next(ref sar, high, low, SarStep, SarStep, SarMax, out _);
    }

    /// <summary>The indicators as if the forming bar (high, low, close, base volume) closed now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(ref readonly IndicatorPeekState p, double high, double low, double close, double volume, ref IndicatorValues v)
    {
        var ringReady = p.RingCount + 1 >= W;
        var tp = (high + low + close) / 3d;

        // CCI(20) first: its mean deviation is a chain of 20 dependent additions, which the out-of-order core
        // overlaps with the independent arithmetic of the other indicators that follows.
        v.Cci20 = ringReady ? Cci.Value(tp, p.TypicalBase + tp, p.Typical, p.RingNext) : double.NaN;

        // SMA(20)
        v.Sma20 = ringReady ? (p.SmaBase + close) / W : double.NaN;

        // EMA(20), EMA(50)
        v.Ema20 = p.Ema20.Peek(close, 20, K20);
        v.Ema50 = p.Ema50.Peek(close, 50, K50);

        // RSI(14)
        v.Rsi14 = p.Rsi.Peek(p.PrevClose, close, RsiPeriod, out _);

        // MACD(12, 26, 9)
        var macd = p.MacdFast.Peek(close, 12, KFast) - p.MacdSlow.Peek(close, 26, KSlow);
        var signal = double.IsNaN(macd) ? double.NaN : p.MacdSignal.Peek(macd, 9, KSignal);
        v.Macd = macd;
        v.MacdSignal = signal;
        v.MacdHistogram = macd - signal;

        // Bollinger(20, 2): with at least Window - 1 bars the shift is set.
        if (ringReady)
        {
            var (mean, variance) = p.Bb.Peek(close, p.RingCount, p.RingCount == W, p.BbLeaving);
            (v.BbUpper, v.BbLower, v.BbPercentB, v.BbWidth) = BollingerBands.Bands(close, mean, Math.Sqrt(variance), BbDeviations);
            v.BbMiddle = mean;
        }
        else
        {
            v.BbUpper = v.BbMiddle = v.BbLower = v.BbPercentB = v.BbWidth = double.NaN;
        }

        // ATR(14)
        var atr = p.Atr.Peek(high, low, p.PrevClose, AtrPeriod, out _, out _);
        v.Atr14 = atr;
        v.AtrPercent = double.IsNaN(atr) || close == 0 ? double.NaN : atr / close * 100d;

        // Stochastic(14, 3, 3) and Williams %R(14)
        var raw = PeekRaw(in p, high, low, close);
        var k = PeekK(in p, raw);
        v.StochK = k;
        v.StochD = !double.IsNaN(k) && p.KCount + 1 >= StochSignal ? (p.KBase + k) / StochSignal : double.NaN;
        v.WilliamsR14 = double.IsNaN(raw) ? double.NaN : raw - 100d;

        // ADX(14)
        p.Adx.Peek(high, low, p.PrevHigh, p.PrevLow, p.PrevClose, AdxPeriod, out var adx);
        v.Adx14 = adx.Adx;

        // Rolling VWAP(20) and VCP
        var vwap = ringReady ? Vwap.Value(p.PriceVolumeBase + (tp * volume), p.VolumeBase + volume) : double.NaN;
        v.Vwap = vwap;
        v.Vcp = Vcp.Value(high, low, close, vwap);

        // Standard pivots of the previous committed bar
        if (p.HasPrevious)
        {
            (v.PivotPp, v.PivotR1, v.PivotS1) = PivotPoints.Standard(p.PrevHigh, p.PrevLow, p.PrevClose);
        }
        else
        {
            v.PivotPp = v.PivotR1 = v.PivotS1 = double.NaN;
        }
    }

    /// <summary>Commits a closed bar (each indicator's Add, in the order of the single indicators' state updates).</summary>
    public static void Commit(ref IndicatorPeekState p, ref IndicatorCommitState c, ref IndicatorTrendState t, in Candle bar)
    {
        double high = bar.High, low = bar.Low, close = bar.Close, volume = bar.Volume;
        var tp = (high + low + close) / 3d;

        // Values of this bar computed from the state before it (what Add computes before updating).
        p.Rsi.Peek(p.PrevClose, close, RsiPeriod, out var rsi);
        var atr = p.Atr.Peek(high, low, p.PrevClose, AtrPeriod, out _, out var atrSum);
        var raw = PeekRaw(in p, high, low, close);
        var k = PeekK(in p, raw);
        p.Adx.Peek(high, low, p.PrevHigh, p.PrevLow, p.PrevClose, AdxPeriod, out var adx);
        var macd = p.MacdFast.Peek(close, 12, KFast) - p.MacdSlow.Peek(close, 26, KSlow);

        // Trend indicators (SuperTrend on this bar's ATR(14) from the state before it, as its own Atr computes it).
        var atr10 = t.Atr10.Peek(high, low, t.PrevClose, KeltnerAtrPeriod, out _, out var atr10Sum);
        t.Atr10.Commit(atr10, atr10Sum, KeltnerAtrPeriod);
        if (!double.IsNaN(atr))
        {
            SuperTrendState.Next(ref t.SuperTrend, high, low, close, t.PrevClose, atr, SuperTrendMultiplier);
        }

        SarState.Next(ref t.Sar, high, low, SarStep, SarStep, SarMax, out _);
        t.Obv = Obv.Next(t.HasPrevious, t.PrevClose, t.Obv, close, volume);
        (t.HasPrevious, t.PrevClose) = (true, close);

        // 20-bar rings: SMA's RollingSum and Bollinger's RollingMoments of the closes, CCI's of the typical prices,
        // the VWAP's of price-volumes and volumes, sharing one position. Bollinger first: it reads the leaving close.
        var full = p.RingCount == W;
        var next = p.RingNext;
        var priceVolume = tp * volume;
        p.Bb.Push(close, p.RingCount, full, c.Closes[next]);
        RingSum.Add(ref c.SmaSum, close, full, c.Closes[next]);
        RingSum.Add(ref c.TypicalSum, tp, full, p.Typical[next]);
        RingSum.Add(ref c.PriceVolumeSum, priceVolume, full, c.PriceVolumes[next]);
        RingSum.Add(ref c.VolumeSum, volume, full, c.Volumes[next]);
        if (!full)
        {
            p.RingCount++;
        }

        c.Closes[next] = close;
        p.Typical[next] = tp;
        c.PriceVolumes[next] = priceVolume;
        c.Volumes[next] = volume;
        c.Highs20[next] = high;
        c.Lows20[next] = low;
        p.RingNext = next = next + 1 == W ? 0 : next + 1;
        if (++c.SinceAnchor >= W)
        {
            Reanchor(ref p, ref c);
        }

        full = p.RingCount == W;
        p.SmaBase = RingSum.Base(c.SmaSum, full, c.Closes[next]);
        p.TypicalBase = RingSum.Base(c.TypicalSum, full, p.Typical[next]);
        p.PriceVolumeBase = RingSum.Base(c.PriceVolumeSum, full, c.PriceVolumes[next]);
        p.VolumeBase = RingSum.Base(c.VolumeSum, full, c.Volumes[next]);
        p.BbLeaving = full ? c.Closes[next] - p.Bb.Shift : 0;

        // ROC(20) and Donchian(20) of the next forming bar: the close 20 bars before it, the 20 bars' extremes.
        if (full)
        {
            t.RocPast = c.Closes[next];
            (t.DonchianUpper, t.DonchianLower) = Extremes(c.Highs20, c.Lows20);
        }

        // EMAs and MACD
        p.Ema20.Push(close, 20, K20);
        p.Ema50.Push(close, 50, K50);
        p.MacdFast.Push(close, 12, KFast);
        p.MacdSlow.Push(close, 26, KSlow);
        if (!double.IsNaN(macd))
        {
            p.MacdSignal.Push(macd, 9, KSignal);
        }

        p.Rsi = rsi;
        p.Atr.Commit(atr, atrSum, AtrPeriod);

        // Stochastic / Williams %R
        c.Highs.Push(RangePeriod, p.RangeIndex, high, maximum: true);
        c.Lows.Push(RangePeriod, p.RangeIndex, low, maximum: false);
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

        p.Adx.Commit(adx, AdxPeriod);

        // Previous bar (RSI, ATR, ADX, pivots)
        (p.HasPrevious, p.PrevHigh, p.PrevLow, p.PrevClose) = (true, high, low, close);
        c.BarCount++;
    }

    /// <summary>Highest high and lowest low of the full 20-bar rings (Donchian: max and min are exact in any order).</summary>
    private static (double High, double Low) Extremes(ReadOnlySpan<double> highs, ReadOnlySpan<double> lows)
    {
        double hh = double.MinValue, ll = double.MaxValue;
        for (var i = 0; i < highs.Length; i++)
        {
            hh = Math.Max(hh, highs[i]);
            ll = Math.Min(ll, lows[i]);
        }

        return (hh, ll);
    }

    /// <summary>Stoch's raw %K (and Williams %R + 100) of a peek: the committed extremes with this bar's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double PeekRaw(ref readonly IndicatorPeekState p, double high, double low, double close) =>
        Math.Min(p.RangeIndex, RangePeriod) + 1 < RangePeriod
            ? double.NaN
            : Stoch.RawK(close, Math.Max(p.RangeMax, high), Math.Min(p.RangeMin, low));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double PeekK(ref readonly IndicatorPeekState p, double raw) =>
        !double.IsNaN(raw) && p.RawCount + 1 >= StochSmooth ? (p.RawBase + raw) / StochSmooth : double.NaN;

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
        ReadOnlySpan<double> closes = c.Closes;
        c.SmaSum = RingSum.Exact(closes[..count]);
        c.TypicalSum = RingSum.Exact(((ReadOnlySpan<double>)p.Typical)[..count]);
        c.PriceVolumeSum = RingSum.Exact(((ReadOnlySpan<double>)c.PriceVolumes)[..count]);
        c.VolumeSum = RingSum.Exact(((ReadOnlySpan<double>)c.Volumes)[..count]);
        p.Bb.Reanchor(closes[..count]);
    }
}
