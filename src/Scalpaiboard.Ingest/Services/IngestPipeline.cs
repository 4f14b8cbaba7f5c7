using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services.Feeds;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Closed candles from the feed -> market engine -> in-memory state -> the writer (PostgreSQL, then events).
/// Called from one feed loop at a time.
/// </summary>
public sealed class IngestPipeline(MarketCalculator calculator, MarketState state, CandleWriter writer, FeedStatus status) : IFeedSink
{
    private readonly MetricsSnapshot _snapshot = new();
    private readonly List<PresetType> _fired = [];
    private readonly Lock _gate = new();
    private readonly HashSet<string> _batchSymbols = new(StringComparer.Ordinal);

    public FeedStatus Status => status;

    public void SetSymbols(IReadOnlyList<string> symbols)
    {
        foreach (var s in symbols)
        {
            state.GetOrAdd(s);
        }
        status.Symbols = state.All.Count;
    }

    public ValueTask OnClosedAsync(long openTime, IReadOnlyList<SymbolCandle> candles, CancellationToken cancellationToken) =>
        ProcessAsync(openTime, candles, republish: false, cancellationToken);

    /// <summary>Stored candles whose event may not have been published (a crash after commit): publish them again.</summary>
    public ValueTask RepublishAsync(long openTime, IReadOnlyList<SymbolCandle> candles, CancellationToken cancellationToken) =>
        ProcessAsync(openTime, candles, republish: true, cancellationToken);

    private async ValueTask ProcessAsync(long openTime, IReadOnlyList<SymbolCandle> candles, bool republish, CancellationToken cancellationToken)
    {
        if (!republish && AllNew(openTime, candles))
        {
            // Every candle is newer than its symbol's latest: the engine will accept each one (SymbolState.Apply
            // appends whatever is later than the latest), and the candles do not depend on the metrics. Hand them to
            // the writer first, so their COPY runs while the engine computes; the writer XADDs the frame only once
            // both the commit and the frame are done (the stream never runs ahead of the store).
            var accepted = candles.ToArray();
            var frame = new PendingFrame();
            await writer.EnqueueAsync(new WriteBatch(openTime, accepted, frame, republish), cancellationToken);
            try
            {
                var applied = Apply(openTime, accepted, restoring: false);
                if (applied is not { Items: { } items } || applied.Value.Candles.Count != accepted.Length)
                {
                    applied?.Items?.Dispose();
                    throw new InvalidOperationException($"The engine refused candles of {openTime} that were newer than their symbol's latest.");
                }
                frame.Set(items);
            }
            catch (Exception ex)
            {
                frame.Fail(ex);
                throw;
            }
            return;
        }
        var batch = Apply(openTime, candles, restoring: false);
        if (batch is { } b)
        {
            await writer.EnqueueAsync(new WriteBatch(openTime, b.Candles, PendingFrame.Ready(b.Items!), republish), cancellationToken);
        }
    }

    /// <summary>True when every candle opened at <paramref name="openTime"/>, after its known symbol's latest candle, each symbol once.</summary>
    private bool AllNew(long openTime, IReadOnlyList<SymbolCandle> candles)
    {
        lock (_gate)
        {
            if (candles.Count == 0)
            {
                return false;
            }
            _batchSymbols.Clear();
            foreach (var (symbol, candle) in candles)
            {
                if (candle.OpenTime != openTime || !_batchSymbols.Add(symbol) || !state.TryGet(symbol, out var s))
                {
                    return false;
                }
                lock (s.Gate)
                {
                    // the symbol's latest closed candle, as the engine accepted it
                    if (s.LastClosed is not { } latest || candle.OpenTime <= latest.OpenTime)
                    {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /// <summary>Feeds stored history through the engine to rebuild state, without storing or publishing.</summary>
    public void Restore(IReadOnlyList<SymbolCandle> candles)
    {
        var applied = Apply(0, candles, restoring: true);
        if (applied is { } a)
        {
            a.Items?.Dispose();
            foreach (var (symbol, c) in a.Candles)
            {
                var s = state.GetOrAdd(symbol);
                lock (s.Gate)
                {
                    s.StoredOpenTime = Math.Max(s.StoredOpenTime, c.OpenTime);
                }
            }
        }
    }

    /// <summary>
    /// Runs the candles through the engine and the in-memory state; unless restoring, writes each accepted candle's
    /// item into the minute's metrics frame (a pooled buffer that the writer stamps, publishes and disposes).
    /// </summary>
    private (List<SymbolCandle> Candles, MetricsFrameWriter? Items)? Apply(long openTime, IReadOnlyList<SymbolCandle> candles, bool restoring)
    {
        lock (_gate)
        {
            List<SymbolCandle>? accepted = null;
            MetricsFrameWriter? items = null;
            var added = false;
            foreach (var (symbol, candle) in candles)
            {
                var rejectedBefore = calculator.Rejected;
                if (!calculator.OnClosedCandle(symbol, candle, _snapshot, _fired))
                {
                    if (calculator.Rejected != rejectedBefore)
                    {
                        status.AddRejected();
                    }
                    continue;
                }
                if (!restoring)
                {
                    if (items is null)
                    {
                        items = new MetricsFrameWriter(1024 + (candles.Count * MetricsFrameWriter.ItemLength(16)));
                        items.Begin(openTime);
                    }
                    items.Add(_snapshot, candle, PresetBits(_fired));
                }
                var presets = _fired.Count == 0 ? [] : PresetKeys(_fired);
                if (!state.TryGet(symbol, out var s))
                {
                    s = state.GetOrAdd(symbol);
                    added = true;
                }
                lock (s.Gate)
                {
                    s.ApplyClosed(candle, _snapshot, presets, restoring ? 0 : _fired.Count);
                }
                (accepted ??= new List<SymbolCandle>(candles.Count)).Add(new SymbolCandle(symbol, candle));
            }
            if (added)
            {
                status.Symbols = state.All.Count;
            }
            state.Touch();
            if (accepted is null)
            {
                items?.Dispose();
                return null;
            }
            return (accepted, items);
        }
    }

    private static int PresetBits(List<PresetType> fired)
    {
        var bits = 0;
        foreach (var p in fired)
        {
            bits |= 1 << (int)p;
        }
        return bits;
    }

    private static string[] PresetKeys(List<PresetType> fired)
    {
        var keys = new string[fired.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = fired[i].Key();
        }
        return keys;
    }

    public void OnForming(string symbol, in Candle candle)
    {
        var s = state.GetOrAdd(symbol);
        lock (s.Gate)
        {
            s.ApplyForming(candle);
        }
        state.Touch();
    }

    public void OnOrderBook(OrderBookSnapshot book)
    {
        var s = state.GetOrAdd(book.Symbol);
        lock (s.Gate)
        {
            s.Book = book;
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);
}
