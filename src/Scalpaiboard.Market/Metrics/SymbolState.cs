using System.Runtime.CompilerServices;

namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// The rolling windows of one symbol (SIGNALS.md): the last 1440 closed 1m candles in an array-of-structs ring
/// buffer, and per window a compensated quote/base volume sum and a trade count, plus one monotonic deque each
/// for the highs and the lows shared by all windows. Updated in O(1) per closed candle without allocating.
/// <para>
/// A window is available once the contiguous history covers it: volume_T (and the rolling bar) needs the N
/// candles ending with t, change_T needs the candle that opened exactly N minutes before t. A gap (open time later
/// than latest + 1 min) restarts the windows from the new candle, so metrics spanning the gap stay unavailable
/// until enough contiguous history follows. The close of the candle 1440 minutes back, which the ring has just
/// overwritten, is kept aside for change_1d.
/// </para>
/// Not thread-safe.
/// </summary>
public sealed partial class SymbolState
{
    public const int Capacity = 1440;

    private const long MinuteMs = Candle.MinuteMs;

    // The ring, array-of-structs: slot p is _ring[4p .. 4p + 3] = close, quote volume, base volume, trades (an int
    // held exactly in a double), so the candle leaving a window (its volumes and trades) and the close change_T
    // divides by are one 32-byte block: one cache line per window and candle instead of four. Highs and lows,
    // which only the extrema deques read, sit in their own ring (_highLow[2p], _highLow[2p + 1]).
    private const int Stride = 4;
    private readonly double[] _ring = new double[Stride * Capacity];
    private readonly double[] _highLow = new double[2 * Capacity];

    // Everything a window updates per candle, packed together (40 bytes each: four lines for all six windows).
    // Inline (fixed-size buffers and structs, not arrays or objects of their own), so the symbol's small hot state
    // is one object: reached at fixed offsets from it rather than through a chain of dependent loads.
    private WindowBuffer _windows;
    private ExtremaDeque _highs = new(maximum: true);
    private ExtremaDeque _lows = new(maximum: false);

    private int _pos = Capacity - 1;
    private int _count;
    private long _run;
    private double _closeDayAgo = double.NaN;

    /// <summary>Open time of the latest accepted candle; <see cref="long.MinValue"/> before the first.</summary>
    public long LatestOpenTime { get; private set; } = long.MinValue;

    /// <summary>Contiguous 1m candles ending with the latest (not capped at <see cref="Capacity"/>).</summary>
    public long ContiguousCandles => _run;

    public long Rejected { get; private set; }

    public long Duplicates { get; private set; }

    public long Replacements { get; private set; }

    public long Gaps { get; private set; }

    public double LatestClose => _count > 0 ? _ring[Stride * _pos] : double.NaN;

    /// <summary>Close of the candle one minute before the latest, when it is known.</summary>
    public double PreviousClose => _count > 1 ? _ring[(Stride * Back(1))] : double.NaN;

    public CandleStatus Apply(in Candle candle)
    {
        var latest = LatestOpenTime;
        if (_count == 0 || candle.OpenTime == latest + MinuteMs)
        {
            Push(candle);
            return CandleStatus.Appended;
        }
        if (candle.OpenTime > latest)
        {
            Gaps++;
            Restart();
            Push(candle);
            return CandleStatus.AppendedAfterGap;
        }
        if (candle.OpenTime == latest)
        {
            if (SameAs(0, candle))
            {
                Duplicates++;
                return CandleStatus.Duplicate;
            }
            Write(_pos, candle, PreviousClose);
            RebuildWindows();
            Replacements++;
            return CandleStatus.Replaced;
        }

        var delta = latest - candle.OpenTime;
        if (delta % MinuteMs == 0 && delta / MinuteMs < _count && SameAs((int)(delta / MinuteMs), candle))
        {
            Duplicates++;
            return CandleStatus.Duplicate;
        }
        Rejected++;
        return CandleStatus.Rejected;
    }

    /// <summary>Forgets the history (counters are kept), e.g. before rebuilding the state from a store.</summary>
    public void Reset()
    {
        Restart();
        LatestOpenTime = long.MinValue;
    }

    /// <summary>change_T in percent, or NaN while the candle N minutes back is not known.</summary>
    public double Change(Window window)
    {
        var n = Windows.Minutes[(int)window];
        if (_run <= n)
        {
            return double.NaN;
        }
        var then = n == Capacity ? _closeDayAgo : _ring[(Stride * Back(n))];
        return (_ring[Stride * _pos] / then - 1) * 100;
    }

    /// <summary>volume_T: quote volume over the N candles ending with the latest, or NaN.</summary>
    public double QuoteVolume(Window window) => Covers(window) ? _windows[(int)window].Quote.Value : double.NaN;

    public double BaseVolume(Window window) => Covers(window) ? _windows[(int)window].Base.Value : double.NaN;

    public double Trades(Window window) => Covers(window) ? _windows[(int)window].Trades : double.NaN;

    public double Open(Window window) => Covers(window) ? OpenAt(Windows.Minutes[(int)window] - 1) : double.NaN;

    public double High(Window window) => Covers(window) ? _highs.Value((int)window) : double.NaN;

    public double Low(Window window) => Covers(window) ? _lows.Value((int)window) : double.NaN;

    /// <summary>
    /// Asks for the lines the next appended candle reads: in the rings the slot it overwrites, each window's leaving
    /// candle and its high/low slot (scattered over the symbol's 69 KB of rings, so each is a miss of its own), the
    /// window sums in this object, and the old high/low slots the deques' heads move to. Only a hint.
    /// </summary>
    internal void PrefetchNext()
    {
        if (_count == 0)
        {
            return;
        }

        var pos = _pos + 1 == Capacity ? 0 : _pos + 1;
        CacheHints.Prefetch(ref _windows);
        CacheHints.Prefetch(_highLow, 2 * pos);
        CacheHints.Prefetch(_ring, Stride * pos);
        var minutes = Windows.Minutes;
        for (var w = 0; w < Windows.Count - 1; w++) // the 1d window's leaving slot is pos itself
        {
            var n = minutes[w];
            CacheHints.Prefetch(_ring, Stride * (pos - n < 0 ? pos - n + Capacity : pos - n));
        }

        _highs.PrefetchAdvances(_highLow, pos);
        _lows.PrefetchAdvances(_highLow, pos);
    }

    /// <summary>Writes price, previous price and every window into the snapshot (NaN where unavailable).</summary>
    public void Fill(MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.OpenTime = LatestOpenTime;
        snapshot.Price = LatestClose;
        snapshot.PreviousPrice = PreviousClose;
        var change = snapshot.Change;
        var quote = snapshot.QuoteVolume;
        var baseVolume = snapshot.BaseVolume;
        var trades = snapshot.Trades;
        var open = snapshot.Open;
        var high = snapshot.High;
        var low = snapshot.Low;
        var minutes = Windows.Minutes;
        for (var w = 0; w < Windows.Count; w++)
        {
            ref readonly var ws = ref _windows[w];
            var n = minutes[w];
            change[w] = _run > n ? (_ring[Stride * _pos] / (n == Capacity ? _closeDayAgo : _ring[(Stride * Back(n))]) - 1) * 100 : double.NaN;
            if (_run >= n)
            {
                quote[w] = ws.Quote.Value;
                baseVolume[w] = ws.Base.Value;
                trades[w] = ws.Trades;
                open[w] = OpenAt(n - 1);
                high[w] = _highs.Value(w);
                low[w] = _lows.Value(w);
            }
            else
            {
                quote[w] = baseVolume[w] = trades[w] = open[w] = high[w] = low[w] = double.NaN;
            }
        }
    }

    private bool Covers(Window window) => _run >= Windows.Minutes[(int)window];

    /// <summary>Ring position of the candle <paramref name="k"/> minutes before the latest (k &lt; Capacity).</summary>
    private int Back(int k)
    {
        var p = _pos - k;
        return p < 0 ? p + Capacity : p;
    }

    private void Push(in Candle c)
    {
        var pos = _pos + 1 == Capacity ? 0 : _pos + 1;
        var full = _count == Capacity;
        var previousClose = _count > 0 ? _ring[Stride * _pos] : double.NaN;
        var dayAgo = full ? _ring[Stride * pos] : double.NaN;

        // Each window: the leaving candle out, the new one in (one pass, so each window's sums are loaded and
        // stored once). The ring is read before Write below: for the 1d window the leaving slot is the one it
        // overwrites. Trades enter as the ring stores them (clamped to int).
        var minutes = Windows.Minutes;
        var trades = (long)(c.Trades > int.MaxValue ? int.MaxValue : (int)c.Trades);
        for (var w = 0; w < Windows.Count; w++)
        {
            ref var ws = ref _windows[w];
            var n = minutes[w];
            if (_count >= n)
            {
                var leaving = pos - n < 0 ? pos - n + Capacity : pos - n;
                ws.Quote.Add(-_ring[(Stride * leaving) + 1]);
                ws.Base.Add(-_ring[(Stride * leaving) + 2]);
                ws.Trades -= (long)_ring[(Stride * leaving) + 3];
            }
            ws.Quote.Add(c.QuoteVolume);
            ws.Base.Add(c.Volume);
            ws.Trades += trades;
        }
        if (full)
        {
            _highs.Expire(_highLow, pos);
            _lows.Expire(_highLow, pos);
        }

        Write(pos, c, previousClose);
        _closeDayAgo = dayAgo;
        _pos = pos;
        if (!full)
        {
            _count++;
        }
        _run++;
        LatestOpenTime = c.OpenTime;

        _highs.Push(_highLow, pos);
        _lows.Push(_highLow, pos);
    }

    /// <summary>Recomputes sums and deques from the ring (after the latest candle was replaced; O(window)).</summary>
    private void RebuildWindows()
    {
        _highs.Clear();
        _lows.Clear();
        for (var w = 0; w < Windows.Count; w++)
        {
            _windows[w].Clear();
        }
        for (var age = _count - 1; age >= 0; age--)
        {
            var p = Back(age);
            for (var w = 0; w < Windows.Count; w++)
            {
                ref var ws = ref _windows[w];
                if (age < Windows.Minutes[w])
                {
                    ws.Quote.Add(_ring[(Stride * p) + 1]);
                    ws.Base.Add(_ring[(Stride * p) + 2]);
                    ws.Trades += (long)_ring[(Stride * p) + 3];
                }
            }
            _highs.Push(_highLow, p);
            _lows.Push(_highLow, p);
        }
    }

    private void Restart()
    {
        _count = 0;
        _run = 0;
        _closeDayAgo = double.NaN;
        for (var w = 0; w < Windows.Count; w++)
        {
            _windows[w].Clear();
        }
        _highs.Clear();
        _lows.Clear();
        ClearOpens();
    }

    private void Write(int pos, in Candle c, double previousClose)
    {
        // The open first: while spilling, the opens still read the closes this write replaces.
        WriteOpen(pos, c.Open, previousClose);
        _highLow[2 * pos] = c.High;
        _highLow[(2 * pos) + 1] = c.Low;
        _ring[Stride * pos] = c.Close;
        _ring[(Stride * pos) + 1] = c.QuoteVolume;
        _ring[(Stride * pos) + 2] = c.Volume;
        _ring[(Stride * pos) + 3] = c.Trades > int.MaxValue ? int.MaxValue : (int)c.Trades;
    }

    private bool SameAs(int age, in Candle c)
    {
        var pos = Back(age);
        return OpenAt(age) == c.Open && _highLow[2 * pos] == c.High && _highLow[(2 * pos) + 1] == c.Low && _ring[Stride * pos] == c.Close
            && _ring[(Stride * pos) + 1] == c.QuoteVolume && _ring[(Stride * pos) + 2] == c.Volume && (long)_ring[(Stride * pos) + 3] == c.Trades;
    }

    [InlineArray(Windows.Count)] // window w spans Windows.Minutes[w]
    private struct WindowBuffer
    {
        private WindowState _element;
    }

    private struct WindowState
    {
        public NeumaierSum Quote;
        public NeumaierSum Base;
        public long Trades;

        public void Clear()
        {
            Quote.Reset();
            Base.Reset();
            Trades = 0;
        }
    }
}
