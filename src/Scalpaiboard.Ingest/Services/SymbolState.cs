using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// What the ingest knows in memory about one symbol: the latest closed and forming 1m candles, the current
/// calendar bar of each timeframe (the market engine's own bars), the latest metrics, the order book and recent preset
/// firings. Readers (API, live publisher) and the one writer (the pipeline) synchronise on <see cref="Gate"/>.
/// </summary>
public sealed class SymbolState(string symbol)
{
    private const int RecentCapacity = 1440;
    private readonly Candle[] _recent = new Candle[RecentCapacity];
    private readonly Queue<long> _signalTimes = new();

    /// <summary>The market engine's aligned bars of this symbol (changed by the engine only under <see cref="Gate"/>).</summary>
    private BarBuilder? _bars;
    private int _recentStart;
    private int _recentCount;

    public string Symbol { get; } = symbol;

    public Lock Gate { get; } = new();

    public Candle? LastClosed { get; private set; }

    public Candle? Forming { get; private set; }

    /// <summary>The latest metrics (the engine's snapshot of the symbol, changed only under <see cref="Gate"/>), or null before the first closed candle.</summary>
    public MetricsSnapshot? Metrics { get; private set; }

    /// <summary>The latest metrics as the API shows them, built on first use after each closed candle.</summary>
    public SymbolMetrics? MetricsDto => _dto ??= Metrics is { } m && LastClosed is { } c ? SymbolMetrics.From(m, c, _presets) : null;

    private SymbolMetrics? _dto;
    private string[] _presets = [];

    public OrderBookSnapshot? Book { get; set; }

    /// <summary>Newest open time known to be in PostgreSQL (set by the writer after commit).</summary>
    public long StoredOpenTime { get; set; } = long.MinValue;

    /// <summary>Set when the forming candle changed since the live publisher last looked.</summary>
    public bool FormingDirty { get; set; }

    /// <summary>Latest price: the forming candle's close when it is newer than the last closed candle.</summary>
    public double Price => Forming is { } f && (LastClosed is not { } c || f.OpenTime > c.OpenTime) ? f.Close
        : LastClosed?.Close ?? double.NaN;

    /// <summary>
    /// Records a closed candle, its metrics and the symbol's bars after it. <paramref name="metrics"/> and
    /// <paramref name="bars"/> are kept by reference, not copied: the caller (the pipeline, with the engine's own
    /// snapshot and bars of this symbol) changes them only while holding <see cref="Gate"/>, so a reader under the
    /// Gate never sees them half-written. The bars already hold the candle (a corrected candle replaced in them).
    /// </summary>
    public void ApplyClosed(in Candle candle, MetricsSnapshot metrics, BarBuilder bars, string[] presets, int firedCount)
    {
        LastClosed = candle;
        if (Forming is { } f && f.OpenTime <= candle.OpenTime)
        {
            Forming = null;
        }
        Metrics = metrics;
        _bars = bars;
        _presets = presets;
        _dto = null;
        AddRecent(candle);
        for (var i = 0; i < firedCount; i++)
        {
            _signalTimes.Enqueue(candle.OpenTime);
        }
        while (_signalTimes.Count > 0 && _signalTimes.Peek() <= candle.OpenTime - 3_600_000)
        {
            _signalTimes.Dequeue();
        }
    }

    public void ApplyForming(in Candle candle)
    {
        if (LastClosed is { } c && candle.OpenTime <= c.OpenTime)
        {
            return;
        }
        Forming = candle;
        FormingDirty = true;
    }

    /// <summary>Preset firings in the hour up to the latest closed candle.</summary>
    public int SignalsLastHour => _signalTimes.Count;

    /// <summary>
    /// The current bar of a timeframe: closed 1m candles of the aligned period plus the forming 1m candle.
    /// <paramref name="closed"/> tells whether the period is over (its last minute has closed).
    /// </summary>
    public bool TryCurrentBar(Timeframe tf, out Candle bar, out bool closed)
    {
        closed = false;
        if (Forming is { } f)
        {
            var open = tf.AlignedOpen(f.OpenTime);
            bar = _bars is { HasForming: true } held && held.Forming(tf).OpenTime == open ? BarBuilder.Merge(held.Forming(tf), f) : f with { OpenTime = open };
            return true;
        }
        return TryClosedBar(tf, out bar, out closed);
    }

    /// <summary>
    /// The bar of a timeframe as it stands after the last closed 1m candle (without the forming one);
    /// <paramref name="closed"/> tells whether that candle ended the period.
    /// </summary>
    public bool TryClosedBar(Timeframe tf, out Candle bar, out bool closed)
    {
        // The bars are set with the last closed candle, so they hold it: complete when it was its period's last minute.
        if (_bars is { HasForming: true } held)
        {
            bar = held.Forming(tf);
            closed = held.IsComplete(tf);
            return true;
        }
        bar = default;
        closed = false;
        return false;
    }

    /// <summary>Closed candles with open time after <paramref name="after"/> held in memory (newest 1440), oldest first.</summary>
    public List<Candle> RecentAfter(long after)
    {
        var list = new List<Candle>();
        for (var i = 0; i < _recentCount; i++)
        {
            var c = _recent[(_recentStart + i) % RecentCapacity];
            if (c.OpenTime > after)
            {
                list.Add(c);
            }
        }
        return list;
    }

    private void AddRecent(in Candle c)
    {
        // Ring indexes wrap with one comparison instead of a division.
        var last = _recentStart + _recentCount - 1;
        if (last >= RecentCapacity)
        {
            last -= RecentCapacity;
        }
        if (_recentCount > 0 && _recent[last].OpenTime == c.OpenTime)
        {
            _recent[last] = c;
            return;
        }
        var next = last + 1 == RecentCapacity ? 0 : last + 1;
        _recent[next] = c;
        if (_recentCount < RecentCapacity)
        {
            _recentCount++;
        }
        else
        {
            _recentStart = _recentStart + 1 == RecentCapacity ? 0 : _recentStart + 1;
        }
    }

    /// <summary>The preset keys that fired with the last closed candle (read under <see cref="Gate"/>; never changed in place).</summary>
    public IReadOnlyList<string> LastPresets => _presets;
}
