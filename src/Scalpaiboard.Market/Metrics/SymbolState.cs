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

    private readonly NeumaierSum[] _quoteSum = new NeumaierSum[Windows.Count];
    private readonly NeumaierSum[] _baseSum = new NeumaierSum[Windows.Count];
    private readonly long[] _tradeSum = new long[Windows.Count];

    // Monotonic deques of ring positions, one circular buffer of length N per window: the front is the
    // position of the window's highest high (lowest low).
    private readonly ushort[] _maxDeque = new ushort[DequeStorage];
    private readonly ushort[] _minDeque = new ushort[DequeStorage];
    private readonly short[] _maxHead = new short[Windows.Count];
    private readonly short[] _maxCount = new short[Windows.Count];
    private readonly short[] _minHead = new short[Windows.Count];
    private readonly short[] _minCount = new short[Windows.Count];

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
    public double QuoteVolume(Window window) => Covers(window) ? _quoteSum[(int)window].Value : double.NaN;

    public double BaseVolume(Window window) => Covers(window) ? _baseSum[(int)window].Value : double.NaN;

    public double Trades(Window window) => Covers(window) ? _tradeSum[(int)window] : double.NaN;

    public double Open(Window window) => Covers(window) ? _open[Back(Windows.Minutes[(int)window] - 1)] : double.NaN;

    public double High(Window window)
    {
        var w = (int)window;
        return Covers(window) ? _high[_maxDeque[DequeOffsets[w] + _maxHead[w]]] : double.NaN;
    }

    public double Low(Window window)
    {
        var w = (int)window;
        return Covers(window) ? _low[_minDeque[DequeOffsets[w] + _minHead[w]]] : double.NaN;
    }

    /// <summary>Writes price, previous price and every window into the snapshot (NaN where unavailable).</summary>
    public void Fill(MetricsSnapshot snapshot)
    {
        snapshot.OpenTime = LatestOpenTime;
        snapshot.Price = LatestClose;
        snapshot.PreviousPrice = PreviousClose;
        for (var w = 0; w < Windows.Count; w++)
        {
            var window = (Window)w;
            snapshot.Change[w] = Change(window);
            snapshot.QuoteVolume[w] = QuoteVolume(window);
            snapshot.BaseVolume[w] = BaseVolume(window);
            snapshot.Trades[w] = Trades(window);
            snapshot.Open[w] = Open(window);
            snapshot.High[w] = High(window);
            snapshot.Low[w] = Low(window);
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

        // The 1d window's leaving candle sits in the slot about to be overwritten: take it out first.
        double leavingQuote = 0, leavingBase = 0;
        var leavingTrades = 0;
        if (full)
        {
            _closeDayAgo = _close[pos];
            leavingQuote = _quote[pos];
            leavingBase = _base[pos];
            leavingTrades = _trades[pos];
        }
        else
        {
            _closeDayAgo = double.NaN;
        }

        for (var w = 0; w < Windows.Count; w++)
        {
            var n = Windows.Minutes[w];
            if (_count < n)
            {
                continue;
            }
            if (n == Capacity)
            {
                _quoteSum[w].Add(-leavingQuote);
                _baseSum[w].Add(-leavingBase);
                _tradeSum[w] -= leavingTrades;
            }
            else
            {
                var leaving = pos - n < 0 ? pos - n + Capacity : pos - n;
                _quoteSum[w].Add(-_quote[leaving]);
                _baseSum[w].Add(-_base[leaving]);
                _tradeSum[w] -= _trades[leaving];
            }
            // The only deque element that can expire is the leaving candle itself.
            var leavingPos = pos - n < 0 ? pos - n + Capacity : pos - n;
            var off = DequeOffsets[w];
            if (_maxCount[w] > 0 && _maxDeque[off + _maxHead[w]] == leavingPos)
            {
                _maxHead[w] = (short)(_maxHead[w] + 1 == n ? 0 : _maxHead[w] + 1);
                _maxCount[w]--;
            }
            if (_minCount[w] > 0 && _minDeque[off + _minHead[w]] == leavingPos)
            {
                _minHead[w] = (short)(_minHead[w] + 1 == n ? 0 : _minHead[w] + 1);
                _minCount[w]--;
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

        for (var w = 0; w < Windows.Count; w++)
        {
            _quoteSum[w].Add(c.QuoteVolume);
            _baseSum[w].Add(c.Volume);
            _tradeSum[w] += _trades[pos];
            PushDeques(w, pos);
        }
    }

    private void PushDeques(int w, int pos)
    {
        var n = Windows.Minutes[w];
        var off = DequeOffsets[w];

        var high = _high[pos];
        int head = _maxHead[w], count = _maxCount[w];
        while (count > 0 && _high[_maxDeque[off + Wrap(head + count - 1, n)]] <= high)
        {
            count--;
        }
        _maxDeque[off + Wrap(head + count, n)] = (ushort)pos;
        _maxCount[w] = (short)(count + 1);

        var low = _low[pos];
        head = _minHead[w];
        count = _minCount[w];
        while (count > 0 && _low[_minDeque[off + Wrap(head + count - 1, n)]] >= low)
        {
            count--;
        }
        _minDeque[off + Wrap(head + count, n)] = (ushort)pos;
        _minCount[w] = (short)(count + 1);
    }

    private static int Wrap(int i, int n) => i >= n ? i - n : i;

    /// <summary>Recomputes sums and deques from the ring (after the latest candle was replaced; O(window)).</summary>
    private void RebuildWindows()
    {
        for (var w = 0; w < Windows.Count; w++)
        {
            _quoteSum[w].Reset();
            _baseSum[w].Reset();
            _tradeSum[w] = 0;
            _maxHead[w] = _maxCount[w] = _minHead[w] = _minCount[w] = 0;
            var n = Windows.Minutes[w];
            var k = (int)Math.Min(n, Math.Min(_count, _run));
            for (var i = k - 1; i >= 0; i--)
            {
                var p = Back(i);
                _quoteSum[w].Add(_quote[p]);
                _baseSum[w].Add(_base[p]);
                _tradeSum[w] += _trades[p];
                PushDeques(w, p);
            }
        }
    }

    private void Restart()
    {
        _count = 0;
        _run = 0;
        _closeDayAgo = double.NaN;
        for (var w = 0; w < Windows.Count; w++)
        {
            _quoteSum[w].Reset();
            _baseSum[w].Reset();
            _tradeSum[w] = 0;
            _maxHead[w] = _maxCount[w] = _minHead[w] = _minCount[w] = 0;
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
