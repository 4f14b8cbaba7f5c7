namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// The rolling windows of one symbol (SIGNALS.md): the last 1440 closed 1m candles in a struct-of-arrays ring
/// buffer, and per window a compensated quote/base volume sum, a trade count and monotonic deques for the high
/// and the low, all updated in O(1) per closed candle without allocating.
/// <para>
/// A window is available once the contiguous history covers it: volume_T (and the rolling bar) needs the N
/// candles ending with t, change_T needs the candle that opened exactly N minutes before t. A gap (open time later
/// than latest + 1 min) restarts the windows from the new candle, so metrics spanning the gap stay unavailable
/// until enough contiguous history follows. The close of the candle 1440 minutes back, which the ring has just
/// overwritten, is kept aside for change_1d.
/// </para>
/// Not thread-safe.
/// </summary>
public sealed class SymbolState
{
    public const int Capacity = 1440;

    private const long MinuteMs = Candle.MinuteMs;

    /// <summary>Start of each window's deque storage in the shared deque arrays (sum of the shorter lengths).</summary>
    private static readonly int[] DequeOffsets = BuildOffsets();

    private static readonly int DequeStorage = DequeOffsets[^1] + Windows.Minutes[^1];

    private readonly double[] _open = new double[Capacity];
    private readonly double[] _high = new double[Capacity];
    private readonly double[] _low = new double[Capacity];
    private readonly double[] _close = new double[Capacity];
    private readonly double[] _quote = new double[Capacity];
    private readonly double[] _base = new double[Capacity];
    private readonly int[] _trades = new int[Capacity];

    // Everything a window updates per candle, packed together (a few cache lines for all six windows).
    private readonly WindowState[] _windows = NewWindows();

    // Monotonic deques of ring positions, one circular buffer of length N per window: the front is the
    // position of the window's highest high (lowest low).
    private readonly ushort[] _maxDeque = new ushort[DequeStorage];
    private readonly ushort[] _minDeque = new ushort[DequeStorage];

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

    public double LatestClose => _count > 0 ? _close[_pos] : double.NaN;

    /// <summary>Close of the candle one minute before the latest, when it is known.</summary>
    public double PreviousClose => _count > 1 ? _close[Back(1)] : double.NaN;

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
            if (SameAs(_pos, candle))
            {
                Duplicates++;
                return CandleStatus.Duplicate;
            }
            Write(_pos, candle);
            RebuildWindows();
            Replacements++;
            return CandleStatus.Replaced;
        }

        var delta = latest - candle.OpenTime;
        if (delta % MinuteMs == 0 && delta / MinuteMs < _count && SameAs(Back((int)(delta / MinuteMs)), candle))
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
        var then = n == Capacity ? _closeDayAgo : _close[Back(n)];
        return (_close[_pos] / then - 1) * 100;
    }

    /// <summary>volume_T: quote volume over the N candles ending with the latest, or NaN.</summary>
    public double QuoteVolume(Window window) => Covers(window) ? _windows[(int)window].Quote.Value : double.NaN;

    public double BaseVolume(Window window) => Covers(window) ? _windows[(int)window].Base.Value : double.NaN;

    public double Trades(Window window) => Covers(window) ? _windows[(int)window].Trades : double.NaN;

    public double Open(Window window) => Covers(window) ? _open[Back(Windows.Minutes[(int)window] - 1)] : double.NaN;

    public double High(Window window)
    {
        ref readonly var ws = ref _windows[(int)window];
        return Covers(window) ? _high[_maxDeque[ws.Offset + ws.MaxHead]] : double.NaN;
    }

    public double Low(Window window)
    {
        ref readonly var ws = ref _windows[(int)window];
        return Covers(window) ? _low[_minDeque[ws.Offset + ws.MinHead]] : double.NaN;
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
        var windows = _windows;
        for (var w = 0; w < windows.Length; w++)
        {
            ref readonly var ws = ref windows[w];
            var n = ws.Length;
            change[w] = _run > n ? (_close[_pos] / (n == Capacity ? _closeDayAgo : _close[Back(n)]) - 1) * 100 : double.NaN;
            if (_run >= n)
            {
                quote[w] = ws.Quote.Value;
                baseVolume[w] = ws.Base.Value;
                trades[w] = ws.Trades;
                open[w] = _open[Back(n - 1)];
                high[w] = _high[_maxDeque[ws.Offset + ws.MaxHead]];
                low[w] = _low[_minDeque[ws.Offset + ws.MinHead]];
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
        _closeDayAgo = full ? _close[pos] : double.NaN;

        var windows = _windows;
        for (var w = 0; w < windows.Length; w++)
        {
            ref var ws = ref windows[w];
            var n = ws.Length;
            if (_count < n)
            {
                continue;
            }
            // The candle leaving this window; for the 1d window it is the slot about to be overwritten.
            var leaving = pos - n < 0 ? pos - n + Capacity : pos - n;
            ws.Quote.Add(-_quote[leaving]);
            ws.Base.Add(-_base[leaving]);
            ws.Trades -= _trades[leaving];
            // The only deque element that can expire is the leaving candle itself.
            if (ws.MaxCount > 0 && _maxDeque[ws.Offset + ws.MaxHead] == leaving)
            {
                ws.MaxHead = (short)(ws.MaxHead + 1 == n ? 0 : ws.MaxHead + 1);
                ws.MaxCount--;
            }
            if (ws.MinCount > 0 && _minDeque[ws.Offset + ws.MinHead] == leaving)
            {
                ws.MinHead = (short)(ws.MinHead + 1 == n ? 0 : ws.MinHead + 1);
                ws.MinCount--;
            }
        }

        Write(pos, c);
        _pos = pos;
        if (!full)
        {
            _count++;
        }
        _run++;
        LatestOpenTime = c.OpenTime;

        var trades = _trades[pos];
        for (var w = 0; w < windows.Length; w++)
        {
            ref var ws = ref windows[w];
            ws.Quote.Add(c.QuoteVolume);
            ws.Base.Add(c.Volume);
            ws.Trades += trades;
            PushDeques(ref ws, pos);
        }
    }

    private void PushDeques(ref WindowState ws, int pos)
    {
        var n = ws.Length;
        var off = ws.Offset;

        var high = _high[pos];
        int head = ws.MaxHead, count = ws.MaxCount;
        while (count > 0 && _high[_maxDeque[off + Wrap(head + count - 1, n)]] <= high)
        {
            count--;
        }
        _maxDeque[off + Wrap(head + count, n)] = (ushort)pos;
        ws.MaxCount = (short)(count + 1);

        var low = _low[pos];
        head = ws.MinHead;
        count = ws.MinCount;
        while (count > 0 && _low[_minDeque[off + Wrap(head + count - 1, n)]] >= low)
        {
            count--;
        }
        _minDeque[off + Wrap(head + count, n)] = (ushort)pos;
        ws.MinCount = (short)(count + 1);
    }

    private static int Wrap(int i, int n) => i >= n ? i - n : i;

    /// <summary>Recomputes sums and deques from the ring (after the latest candle was replaced; O(window)).</summary>
    private void RebuildWindows()
    {
        for (var w = 0; w < _windows.Length; w++)
        {
            ref var ws = ref _windows[w];
            ws.Clear();
            var k = (int)Math.Min(ws.Length, Math.Min(_count, _run));
            for (var i = k - 1; i >= 0; i--)
            {
                var p = Back(i);
                ws.Quote.Add(_quote[p]);
                ws.Base.Add(_base[p]);
                ws.Trades += _trades[p];
                PushDeques(ref ws, p);
            }
        }
    }

    private void Restart()
    {
        _count = 0;
        _run = 0;
        _closeDayAgo = double.NaN;
        for (var w = 0; w < _windows.Length; w++)
        {
            _windows[w].Clear();
        }
    }

    private void Write(int pos, in Candle c)
    {
        _open[pos] = c.Open;
        _high[pos] = c.High;
        _low[pos] = c.Low;
        _close[pos] = c.Close;
        _quote[pos] = c.QuoteVolume;
        _base[pos] = c.Volume;
        _trades[pos] = c.Trades > int.MaxValue ? int.MaxValue : (int)c.Trades;
    }

    private bool SameAs(int pos, in Candle c) =>
        _open[pos] == c.Open && _high[pos] == c.High && _low[pos] == c.Low && _close[pos] == c.Close
        && _quote[pos] == c.QuoteVolume && _base[pos] == c.Volume && _trades[pos] == c.Trades;

    private static WindowState[] NewWindows()
    {
        var windows = new WindowState[Windows.Count];
        for (var w = 0; w < windows.Length; w++)
        {
            windows[w].Length = Windows.Minutes[w];
            windows[w].Offset = DequeOffsets[w];
        }
        return windows;
    }

    private struct WindowState
    {
        public NeumaierSum Quote;
        public NeumaierSum Base;
        public long Trades;
        public int Length;
        public int Offset;
        public short MaxHead;
        public short MaxCount;
        public short MinHead;
        public short MinCount;

        public void Clear()
        {
            Quote.Reset();
            Base.Reset();
            Trades = 0;
            MaxHead = MaxCount = MinHead = MinCount = 0;
        }
    }

    private static int[] BuildOffsets()
    {
        var offsets = new int[Windows.Count];
        for (var w = 1; w < Windows.Count; w++)
        {
            offsets[w] = offsets[w - 1] + Windows.Minutes[w - 1];
        }
        return offsets;
    }
}
