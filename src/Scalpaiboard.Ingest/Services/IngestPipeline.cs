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
        var batch = Apply(openTime, candles, restoring: false);
        if (batch is { } b)
        {
            await writer.EnqueueAsync(new WriteBatch(openTime, b.Candles, b.Items!, republish), cancellationToken);
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
