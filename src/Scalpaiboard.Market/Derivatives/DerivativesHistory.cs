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

    /// <summary>Old samples are dropped this many at a time (a <c>RemoveRange</c> moves the rest of the list).</summary>
    private const int PruneChunk = 32;

    private readonly List<OpenInterestSample> _oi = [];
    private readonly List<FundingSample> _funding = [];
    private readonly MarkPriceSample[] _marks = new MarkPriceSample[MarkSamples];
    private int _markCount;
    private readonly List<LiquidationPoint> _liquidations = [];
    private double _baseLong, _baseShort;

    // The open-interest and liquidation fields of the last evaluation, and the close times [from, until) for which they
    // stay the same (no lookup would find another sample): samples arrive every 5 minutes, liquidations now and then,
    // so most closes copy these instead of reading the lists (whose arrays are cold in the cache with many symbols).
    // Adding a sample empties the range.
    private long _oiFrom, _oiUntil, _liqFrom, _liqUntil;
    private double _oiValue, _oiContracts, _oiLongShort, _oiTop, _oiTaker, _oi1hChange, _oi4hChange, _oi1dChange;
    private double _liqLong5m, _liqShort5m, _liqLong1h, _liqShort1h, _liqLong1d, _liqShort1d;

    // Cursors of the lookups (index of the last answer), each moving forward with the close time.
    private int _oiNow = -1, _oi1h = -1, _oi4h = -1, _oi1d = -1, _fundingNow = -1;
    private int _liqNow = -1, _liq5m = -1, _liq1h = -1, _liq1d = -1;

    public int OpenInterestCount => _oi.Count;

    /// <summary>Asks for the lines a close reads when nothing new arrived: the cached fields and the latest mark prices (a hint only).</summary>
    internal void Prefetch()
    {
        CacheHints.Prefetch(ref _oiFrom, 16 * sizeof(double));
        CacheHints.Prefetch(ref _marks[0], _marks.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<MarkPriceSample>());
    }

    public void Add(in OpenInterestSample sample)
    {
        _oiUntil = long.MinValue;
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
        _liqUntil = long.MinValue;
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
        // Sorted: more than 64 are old exactly when item 64 is (one read instead of a scan over the oldest items).
        if (_liquidations.Count <= 2 * PruneChunk || _liquidations[2 * PruneChunk].Time >= keepFrom)
        {
            return;
        }
        var drop = 0;
        while (drop < _liquidations.Count && _liquidations[drop].Time < keepFrom)
        {
            drop++;
        }
        _baseLong = _liquidations[drop - 1].CumLong;
        _baseShort = _liquidations[drop - 1].CumShort;
        _liquidations.RemoveRange(0, drop);
        ResetLiquidationCursors();
    }

    /// <summary>
    /// Writes every field at <paramref name="closeTime"/> (a 1m candle's close, Unix ms). Liquidation totals are 0 when
    /// <paramref name="liquidationsTracked"/> and none fell in the window, NaN when no feed reports them.
    /// </summary>
    public void Evaluate(long closeTime, bool liquidationsTracked, ref DerivativesValues v)
    {
        if (closeTime < _oiFrom || closeTime >= _oiUntil)
        {
            EvaluateOpenInterest(closeTime);
        }
        v.OpenInterest = _oiContracts;
        v.OpenInterestValue = _oiValue;
        v.LongShortRatio = _oiLongShort;
        v.TopTraderLongShortRatio = _oiTop;
        v.TakerBuySellRatio = _oiTaker;
        v.OiChange1h = _oi1hChange;
        v.OiChange4h = _oi4hChange;
        v.OiChange1d = _oi1dChange;

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
        if (closeTime < _liqFrom || closeTime >= _liqUntil)
        {
            EvaluateLiquidations(closeTime);
        }
        v.LiquidationsLong5m = _liqLong5m;
        v.LiquidationsShort5m = _liqShort5m;
        v.LiquidationsLong1h = _liqLong1h;
        v.LiquidationsShort1h = _liqShort1h;
        v.LiquidationsLong1d = _liqLong1d;
        v.LiquidationsShort1d = _liqShort1d;
    }

    private void EvaluateOpenInterest(long closeTime)
    {
        var now = Latest(_oi, closeTime, ref _oiNow);
        var (from, until) = Holds(_oi, now, 0);
        if (now >= 0)
        {
            var row = _oi[now];
            _oiContracts = row.OpenInterest;
            _oiValue = row.OpenInterestValue;
            _oiLongShort = row.LongShortRatio;
            _oiTop = row.TopTraderLongShortRatio;
            _oiTaker = row.TakerBuySellRatio;
            var h1 = Latest(_oi, closeTime - HourMs, ref _oi1h);
            var h4 = Latest(_oi, closeTime - (4 * HourMs), ref _oi4h);
            var d1 = Latest(_oi, closeTime - (24 * HourMs), ref _oi1d);
            _oi1hChange = Change(_oiValue, h1);
            _oi4hChange = Change(_oiValue, h4);
            _oi1dChange = Change(_oiValue, d1);
            (from, until) = Intersect((from, until), Holds(_oi, h1, HourMs));
            (from, until) = Intersect((from, until), Holds(_oi, h4, 4 * HourMs));
            (from, until) = Intersect((from, until), Holds(_oi, d1, 24 * HourMs));
        }
        else
        {
            _oiContracts = _oiValue = _oiLongShort = _oiTop = _oiTaker = double.NaN;
            _oi1hChange = _oi4hChange = _oi1dChange = double.NaN;
        }
        (_oiFrom, _oiUntil) = (from, until);
    }

    private void EvaluateLiquidations(long closeTime)
    {
        var end = Latest(_liquidations, closeTime, ref _liqNow);
        var m5 = Latest(_liquidations, closeTime - (5 * 60_000), ref _liq5m);
        var h1 = Latest(_liquidations, closeTime - HourMs, ref _liq1h);
        var d1 = Latest(_liquidations, closeTime - (24 * HourMs), ref _liq1d);
        var (endLong, endShort) = Cumulative(end);
        var (l5, s5) = Cumulative(m5);
        var (l1h, s1h) = Cumulative(h1);
        var (l1d, s1d) = Cumulative(d1);
        _liqLong5m = endLong - l5;
        _liqShort5m = endShort - s5;
        _liqLong1h = endLong - l1h;
        _liqShort1h = endShort - s1h;
        _liqLong1d = endLong - l1d;
        _liqShort1d = endShort - s1d;
        var range = Intersect(Holds(_liquidations, end, 0), Holds(_liquidations, m5, 5 * 60_000));
        range = Intersect(range, Holds(_liquidations, h1, HourMs));
        (_liqFrom, _liqUntil) = Intersect(range, Holds(_liquidations, d1, 24 * HourMs));
    }

    /// <summary>
    /// The close times for which a lookup <paramref name="offset"/> ms back still finds <paramref name="index"/>: from
    /// its time to the next item's (shifted by the offset).
    /// </summary>
    private static (long From, long Until) Holds<T>(List<T> list, int index, long offset) where T : ITimed
    {
        var from = index < 0 ? long.MinValue : list[index].Time + offset;
        var until = index + 1 < list.Count ? list[index + 1].Time + offset : long.MaxValue;
        return (from, until);
    }

    private static (long From, long Until) Intersect((long From, long Until) a, (long From, long Until) b) =>
        (Math.Max(a.From, b.From), Math.Min(a.Until, b.Until));

    /// <summary>The liquidation totals per side over (<paramref name="from"/>, <paramref name="to"/>] (Unix ms).</summary>
    public (double Long, double Short) LiquidationsBetween(long from, long to)
    {
        var a = -1;
        var b = -1;
        var (l0, s0) = Cumulative(Latest(_liquidations, from, ref a));
        var (l1, s1) = Cumulative(Latest(_liquidations, to, ref b));
        return (l1 - l0, s1 - s0);
    }

    /// <summary>The change in percent from the open-interest value of sample <paramref name="thenIndex"/> to <paramref name="now"/>.</summary>
    private double Change(double now, int thenIndex)
    {
        if (thenIndex < 0)
        {
            return double.NaN;
        }
        var then = _oi[thenIndex].OpenInterestValue;
        // A zero value has no relative change either.
        return double.IsFinite(now) && double.IsFinite(then) && then != 0 ? ((now / then) - 1) * 100 : double.NaN;
    }

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
        // the value at keepFrom. The list is sorted, so a chunk is due exactly when item 32 is old enough: one read
        // per sample instead of a scan over up to 32 of the oldest (coldest) items.
        if (list.Count <= PruneChunk || list[PruneChunk].Time > keepFrom)
        {
            return;
        }
        var drop = 0;
        while (drop + 1 < list.Count && list[drop + 1].Time <= keepFrom)
        {
            drop++;
        }
        list.RemoveRange(0, drop);
        ResetCursors();
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
