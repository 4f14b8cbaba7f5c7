namespace Scalpaiboard.Market.Derivatives;

/// <summary>
/// What is known of one symbol's derivatives over the last day or so (open-interest samples, funding, the
/// mark-price stream, liquidations), and the fields of <see cref="DerivativesValues"/> at a given close time, exactly
/// as ../docs/DERIVATIVES.md defines them: each value is that of the latest sample known at or before the time.
/// Samples may arrive in any order (a backfill after live data); each list stays sorted, a sample at a time already
/// held replaces it. Lookups at increasing times (every candle close) are O(1) through per-lookup cursors, falling back
/// to a binary search. Not thread-safe: the engine calls it under its own lock.
/// </summary>
public sealed class DerivativesHistory
{
    /// <summary>How far back samples are kept behind the newest: the 1d change's look-back and an hour of slack.</summary>
    public const long KeepMs = (24 + 1) * 3_600_000L;

    private const long HourMs = 3_600_000L;
    private const long MarkSamples = 8;

    private readonly List<OpenInterestSample> _oi = [];
    private readonly List<FundingSample> _funding = [];
    private readonly MarkPriceSample[] _marks = new MarkPriceSample[MarkSamples];
    private int _markCount;
    private readonly List<LiquidationPoint> _liquidations = [];
    private double _baseLong, _baseShort;

    // Cursors of the lookups (index of the last answer), each moving forward with the close time.
    private int _oiNow = -1, _oi1h = -1, _oi4h = -1, _oi1d = -1, _fundingNow = -1;
    private int _liqNow = -1, _liq5m = -1, _liq1h = -1, _liq1d = -1;

    public int OpenInterestCount => _oi.Count;

    public int FundingCount => _funding.Count;

    public int LiquidationCount => _liquidations.Count;

    public void Add(in OpenInterestSample sample)
    {
        Insert(_oi, sample);
        Prune(_oi, keepFrom: _oi[^1].Time - KeepMs);
    }

    public void Add(in FundingSample sample)
    {
        Insert(_funding, sample);
        // Funding settles every 8 hours (or 4, or 1): keep the last two days, and always the latest.
        Prune(_funding, keepFrom: _funding[^1].Time - (2 * KeepMs));
    }

    /// <summary>The stream's current state; only the last few are kept (a candle close looks a few seconds back at most).</summary>
    public void Add(in MarkPriceSample sample)
    {
        if (_markCount > 0 && sample.Time <= _marks[(_markCount - 1) % MarkSamples].Time)
        {
            return; // older than what the stream already said
        }
        _marks[_markCount % MarkSamples] = sample;
        _markCount++;
    }

    public void Add(in Liquidation liquidation)
    {
        var notional = liquidation.Notional;
        if (!double.IsFinite(notional) || notional < 0)
        {
            return;
        }
        var isLong = liquidation.Side == LiquidationSide.Long;
        var at = _liquidations.Count;
        while (at > 0 && _liquidations[at - 1].Time > liquidation.Time)
        {
            at--;
        }
        var (cumLong, cumShort) = at == 0 ? (_baseLong, _baseShort) : (_liquidations[at - 1].CumLong, _liquidations[at - 1].CumShort);
        _liquidations.Insert(at, new LiquidationPoint(liquidation.Time, cumLong + (isLong ? notional : 0), cumShort + (isLong ? 0 : notional)));
        for (var i = at + 1; i < _liquidations.Count; i++)
        {
            var p = _liquidations[i];
            _liquidations[i] = p with { CumLong = p.CumLong + (isLong ? notional : 0), CumShort = p.CumShort + (isLong ? 0 : notional) };
        }
        if (at < _liquidations.Count - 1)
        {
            ResetLiquidationCursors();
        }
        var keepFrom = _liquidations[^1].Time - KeepMs;
        var drop = 0;
        while (drop < _liquidations.Count && _liquidations[drop].Time < keepFrom)
        {
            drop++;
        }
        if (drop > 64 || (drop > 0 && drop == _liquidations.Count))
        {
            _baseLong = _liquidations[drop - 1].CumLong;
            _baseShort = _liquidations[drop - 1].CumShort;
            _liquidations.RemoveRange(0, drop);
            ResetLiquidationCursors();
        }
    }

    /// <summary>
    /// Writes every field at <paramref name="closeTime"/> (a 1m candle's close, Unix ms). Liquidation totals are 0 when
    /// <paramref name="liquidationsTracked"/> and none fell in the window, NaN when no feed reports them.
    /// </summary>
    public void Evaluate(long closeTime, bool liquidationsTracked, ref DerivativesValues v)
    {
        var now = Latest(_oi, closeTime, ref _oiNow);
        if (now >= 0)
        {
            var row = _oi[now];
            v.OpenInterest = row.OpenInterest;
            v.OpenInterestValue = row.OpenInterestValue;
            v.LongShortRatio = row.LongShortRatio;
            v.TopTraderLongShortRatio = row.TopTraderLongShortRatio;
            v.TakerBuySellRatio = row.TakerBuySellRatio;
            var value = row.OpenInterestValue;
            v.OiChange1h = Change(value, Latest(_oi, closeTime - HourMs, ref _oi1h));
            v.OiChange4h = Change(value, Latest(_oi, closeTime - (4 * HourMs), ref _oi4h));
            v.OiChange1d = Change(value, Latest(_oi, closeTime - (24 * HourMs), ref _oi1d));
        }
        else
        {
            v.OpenInterest = v.OpenInterestValue = v.LongShortRatio = v.TopTraderLongShortRatio = v.TakerBuySellRatio = double.NaN;
            v.OiChange1h = v.OiChange4h = v.OiChange1d = double.NaN;
        }

        var funding = Latest(_funding, closeTime, ref _fundingNow);
        v.FundingRate = funding >= 0 ? _funding[funding].Rate : double.NaN;
        v.MarkPrice = v.NextFundingTime = double.NaN;
        if (LatestMark(closeTime) is { } mark)
        {
            v.MarkPrice = mark.MarkPrice;
            v.NextFundingTime = mark.NextFundingTime > 0 ? mark.NextFundingTime : double.NaN;
            // The stream's current rate, unless a settlement became known after it.
            if (double.IsFinite(mark.FundingRate) && (funding < 0 || _funding[funding].Time <= mark.Time))
            {
                v.FundingRate = mark.FundingRate;
            }
        }

        if (!liquidationsTracked)
        {
            v.LiquidationsLong5m = v.LiquidationsShort5m = v.LiquidationsLong1h = v.LiquidationsShort1h = double.NaN;
            v.LiquidationsLong1d = v.LiquidationsShort1d = double.NaN;
            return;
        }
        var (endLong, endShort) = Cumulative(Latest(_liquidations, closeTime, ref _liqNow));
        var (l5, s5) = Cumulative(Latest(_liquidations, closeTime - (5 * 60_000), ref _liq5m));
        var (l1h, s1h) = Cumulative(Latest(_liquidations, closeTime - HourMs, ref _liq1h));
        var (l1d, s1d) = Cumulative(Latest(_liquidations, closeTime - (24 * HourMs), ref _liq1d));
        v.LiquidationsLong5m = endLong - l5;
        v.LiquidationsShort5m = endShort - s5;
        v.LiquidationsLong1h = endLong - l1h;
        v.LiquidationsShort1h = endShort - s1h;
        v.LiquidationsLong1d = endLong - l1d;
        v.LiquidationsShort1d = endShort - s1d;
    }

    /// <summary>The liquidation totals per side over (<paramref name="from"/>, <paramref name="to"/>] (Unix ms).</summary>
    public (double Long, double Short) LiquidationsBetween(long from, long to)
    {
        var a = -1;
        var b = -1;
        var (l0, s0) = Cumulative(Latest(_liquidations, from, ref a));
        var (l1, s1) = Cumulative(Latest(_liquidations, to, ref b));
        return (l1 - l0, s1 - s0);
    }

    private static double Change(double now, int thenIndex, List<OpenInterestSample> list)
    {
        if (thenIndex < 0)
        {
            return double.NaN;
        }
        var then = list[thenIndex].OpenInterestValue;
        // A zero value has no relative change either.
        return double.IsFinite(now) && double.IsFinite(then) && then != 0 ? ((now / then) - 1) * 100 : double.NaN;
    }

    private double Change(double now, int thenIndex) => Change(now, thenIndex, _oi);

    private (double Long, double Short) Cumulative(int index) =>
        index < 0 ? (_baseLong, _baseShort) : (_liquidations[index].CumLong, _liquidations[index].CumShort);

    private MarkPriceSample? LatestMark(long time)
    {
        var n = (int)Math.Min(_markCount, MarkSamples);
        for (var k = 1; k <= n; k++)
        {
            ref readonly var m = ref _marks[(_markCount - k) % MarkSamples];
            if (m.Time <= time)
            {
                return m;
            }
        }
        return null;
    }

    private void ResetLiquidationCursors() => _liqNow = _liq5m = _liq1h = _liq1d = -1;

    /// <summary>The index of the latest item at or before <paramref name="time"/>, or -1; <paramref name="cursor"/> is the last answer.</summary>
    private static int Latest<T>(List<T> list, long time, ref int cursor) where T : ITimed
    {
        var n = list.Count;
        if (n == 0 || list[0].Time > time)
        {
            cursor = -1;
            return -1;
        }
        var c = cursor;
        if ((uint)c < (uint)n && list[c].Time <= time)
        {
            // Usually the answer or a step or two ahead of it.
            for (var steps = 0; steps < 4; steps++)
            {
                if (c + 1 >= n || list[c + 1].Time > time)
                {
                    cursor = c;
                    return c;
                }
                c++;
            }
        }
        int lo = 0, hi = n - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (list[mid].Time <= time)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        cursor = lo;
        return lo;
    }

    private void Insert<T>(List<T> list, in T item) where T : ITimed
    {
        var t = item.Time;
        if (list.Count == 0 || list[^1].Time < t)
        {
            list.Add(item);
            return;
        }
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (list[mid].Time < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        if (lo < list.Count && list[lo].Time == t)
        {
            list[lo] = item;
        }
        else
        {
            list.Insert(lo, item);
        }
        ResetCursors();
    }

    private void Prune<T>(List<T> list, long keepFrom) where T : ITimed
    {
        // Drop in chunks (RemoveRange moves the rest), and always keep the latest item at or before keepFrom: it is
        // the value at keepFrom.
        var drop = 0;
        while (drop + 1 < list.Count && list[drop + 1].Time <= keepFrom)
        {
            drop++;
        }
        if (drop >= 32)
        {
            list.RemoveRange(0, drop);
            ResetCursors();
        }
    }

    private void ResetCursors()
    {
        _oiNow = _oi1h = _oi4h = _oi1d = _fundingNow = -1;
    }

    private readonly record struct LiquidationPoint(long Time, double CumLong, double CumShort) : ITimed;
}

/// <summary>Something known from a time (Unix ms).</summary>
internal interface ITimed
{
    long Time { get; }
}
