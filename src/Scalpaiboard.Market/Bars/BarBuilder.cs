namespace Scalpaiboard.Market.Bars;

/// <summary>
/// Builds calendar-aligned UTC bars of every <see cref="Timeframe"/> (1m, 5m, 15m, 1h, 4h, 8h, 1d; 4h/8h/1d
/// aligned to 00:00 UTC) from a symbol's closed 1m candles, O(1) per candle and allocation-free.
/// <para>
/// The forming bar of a timeframe holds the candles of its period seen so far. A bar is handed over as closed
/// when the first candle of a later period arrives (the returned mask says which timeframes closed; the bar is
/// in <see cref="Closed"/>), so that a correction of the latest 1m candle (<see cref="ReplaceLatest"/>) can
/// never touch a bar already handed over. <see cref="IsComplete"/> tells when a forming bar already holds
/// its period's last minute, for charts that want to show it closed at once. Missing minutes (gaps) are simply
/// absent from the bar, as in an aggregation of the stored candles.
/// </para>
/// Candles must come in increasing open time (the market engine feeds only accepted candles).
/// </summary>
public sealed class BarBuilder
{
    private const int Count = Timeframes.Count;

    // Everything inline in this object (fixed-size buffers, not arrays), so a candle reaches it at fixed offsets from
    // the builder. _bars holds two halves that trade places on every Add: the new forming bars are written into the
    // half holding the bars before the previous candle, which then become "before" without being copied.
    private CandlePairs _bars;
    private int _forming; // offset of the forming half in _bars: 0 or Count
    private Flags _hasBefore;
    private Times _end;
    private bool _started;
    private long _lastOpenTime;

    /// <summary>True once a candle has been added (every timeframe then has a forming bar).</summary>
    public bool HasForming => _started;

    /// <summary>The forming bar of <paramref name="timeframe"/> (open time = the aligned period start).</summary>
    public ref readonly Candle Forming(Timeframe timeframe) => ref _bars[_forming + (int)timeframe];

    /// <summary>
    /// The bar of <paramref name="timeframe"/> that the last <see cref="Add"/> reported closed (valid until the next
    /// <see cref="Add"/>: it shares storage with the forming bar's prefix, which a new period does not need).
    /// </summary>
    public ref readonly Candle Closed(Timeframe timeframe) => ref _bars[Count - _forming + (int)timeframe];

    /// <summary>True when the forming bar already contains the last minute of its period.</summary>
    public bool IsComplete(Timeframe timeframe) => _started && _lastOpenTime + Candle.MinuteMs == _end[(int)timeframe];

    /// <summary>Asks for the cache lines of the bars (see MarketEngine's prefetches).</summary>
    internal void Prefetch() => CacheHints.Prefetch(ref _bars);

    /// <summary>The timeframes whose bar <see cref="Add"/> would close for a candle opening at <paramref name="openTime"/>.</summary>
    internal TimeframeMask WouldClose(long openTime)
    {
        if (!_started)
        {
            return default;
        }

        var closed = 0;
        for (var i = 0; i < Timeframes.Count; i++)
        {
            if (openTime >= _end[i])
            {
                closed |= 1 << i;
            }
        }

        return new TimeframeMask(closed);
    }

    /// <summary>Adds the next closed 1m candle; returns the timeframes whose previous bar it closed.</summary>
    public TimeframeMask Add(in Candle candle)
    {
        var closed = 0;
        var forming = _forming;
        var next = Count - forming;
        for (var i = 0; i < Count; i++)
        {
            if (_started && candle.OpenTime < _end[i])
            {
                _hasBefore[i] = true;
                _bars[next + i] = Merge(_bars[forming + i], candle);
                continue;
            }
            if (_started)
            {
                closed |= 1 << i;
            }
            var tf = (Timeframe)i;
            var duration = tf.DurationMs();
            // The period right after the one that closed starts at its end (an aligned time): no division needed.
            var open = _started && candle.OpenTime - _end[i] < duration ? _end[i] : tf.AlignedOpen(candle.OpenTime);
            _end[i] = open + duration;
            _hasBefore[i] = false;
            _bars[next + i] = Start(open, candle);
        }
        // What was forming is now the bar before this candle: the closed bar where a period ended, the base of a
        // ReplaceLatest elsewhere.
        _forming = next;
        _started = true;
        _lastOpenTime = candle.OpenTime;
        return new TimeframeMask(closed);
    }

    /// <summary>Replaces the latest 1m candle (same open time, corrected values) in every forming bar.</summary>
    public void ReplaceLatest(in Candle candle)
    {
        if (!_started)
        {
            throw new InvalidOperationException("no candle to replace");
        }
        for (var i = 0; i < Timeframes.Count; i++)
        {
            ref var forming = ref _bars[_forming + i];
            forming = _hasBefore[i] ? Merge(_bars[Count - _forming + i], candle) : Start(forming.OpenTime, candle);
        }
    }

    public void Reset()
    {
        _started = false;
        _hasBefore = default;
    }

    /// <summary>
    /// Aggregates time-ordered 1m candles into aligned bars of <paramref name="timeframe"/> (the last one may
    /// be incomplete), for chart requests served from stored candles.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Aggregate(ReadOnlySpan<Candle> candles, Timeframe timeframe, List<Candle> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var hasBar = false;
        Candle bar = default;
        long end = 0;
        foreach (ref readonly var c in candles)
        {
            if (hasBar && c.OpenTime < end && c.OpenTime >= bar.OpenTime)
            {
                bar = Merge(bar, c);
                continue;
            }
            if (hasBar)
            {
                bars.Add(bar);
            }
            var open = timeframe.AlignedOpen(c.OpenTime);
            end = open + timeframe.DurationMs();
            bar = Start(open, c);
            hasBar = true;
        }
        if (hasBar)
        {
            bars.Add(bar);
        }
    }

    [System.Runtime.CompilerServices.InlineArray(2 * Count)]
    private struct CandlePairs
    {
        private Candle _element;
    }

    [System.Runtime.CompilerServices.InlineArray(Count)]
    private struct Flags
    {
        private bool _element;
    }

    [System.Runtime.CompilerServices.InlineArray(Count)]
    private struct Times
    {
        private long _element;
    }

    private static Candle Start(long open, in Candle c) =>
        new(open, c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume, c.Trades, c.TakerBuyVolume, c.TakerBuyQuoteVolume);

    /// <summary>
    /// <paramref name="bar"/> continued by the later candle <paramref name="c"/> of its period (open kept, extremes and
    /// totals combined, the close of <paramref name="c"/>).
    /// </summary>
    public static Candle Merge(in Candle bar, in Candle c) =>
        new(bar.OpenTime, bar.Open, Math.Max(bar.High, c.High), Math.Min(bar.Low, c.Low), c.Close,
            bar.Volume + c.Volume, bar.QuoteVolume + c.QuoteVolume, bar.Trades + c.Trades,
            bar.TakerBuyVolume + c.TakerBuyVolume, bar.TakerBuyQuoteVolume + c.TakerBuyQuoteVolume);
}

/// <summary>A set of <see cref="Timeframe"/>s as bits (bit i = timeframe i).</summary>
public readonly record struct TimeframeMask(int Bits)
{
    public bool Contains(Timeframe timeframe) => (Bits & (1 << (int)timeframe)) != 0;

    public bool IsEmpty => Bits == 0;
}
