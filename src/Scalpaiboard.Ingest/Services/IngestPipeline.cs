using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services.Feeds;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Closed candles from the feed -> market engine -> in-memory state -> the writer (events, with PostgreSQL beside them).
/// Called from one feed loop at a time.
/// </summary>
public sealed class IngestPipeline(MarketCalculator calculator, MarketState state, CandleWriter writer, FeedStatus status) : IFeedSink
{
    /// <summary>The preset keys of each set of fired presets (bit i = PresetType i), built on first use and shared.</summary>
    private static readonly string[]?[] PresetKeysByMask = new string[]?[1 << PresetTypes.Count];

    private readonly Lock _gate = new();

    /// <summary>Accepted candles of the current chunk whose symbol state is updated once the chunk is handed over.</summary>
    private readonly List<PendingState> _pending = [];

    /// <summary>
    /// A minute with more candles than this, arriving while the writer is idle, is published as several metrics
    /// entries of at most this many symbols (same open time), each XADDed while the engine computes the next.
    /// </summary>
    public int ChunkSymbols { get; set; } = DefaultChunkSymbols;

    public const int DefaultChunkSymbols = 128;

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
        var accepted = new List<SymbolCandle>(candles.Count);
        var frames = new MinuteFrames();
        if (candles.Count > ChunkSymbols && writer.IsIdle)
        {
            // A big minute while the writer waits for it (live): handed over first, then filled chunk by chunk, each
            // chunk XADDed while the engine computes the next one (docs/ingest.md, "Chunked minutes").
            await writer.EnqueueAsync(new WriteBatch(openTime, accepted, frames, republish), cancellationToken);
            Apply(openTime, candles, accepted, frames, ChunkSymbols);
            return;
        }
        Apply(openTime, candles, accepted, frames, int.MaxValue);
        if (accepted.Count == 0)
        {
            frames.Dispose();
            return;
        }
        await writer.EnqueueAsync(new WriteBatch(openTime, accepted, frames, republish), cancellationToken);
    }

    /// <summary>Feeds stored history through the engine to rebuild state, without storing or publishing.</summary>
    public void Restore(IReadOnlyList<SymbolCandle> candles)
    {
        var accepted = new List<SymbolCandle>(candles.Count);
        Apply(0, candles, accepted, frames: null, int.MaxValue);
        foreach (var (symbol, c) in accepted)
        {
            var s = state.GetOrAdd(symbol);
            lock (s.Gate)
            {
                s.StoredOpenTime = Math.Max(s.StoredOpenTime, c.OpenTime);
            }
        }
    }

    /// <summary>
    /// Runs the candles through the engine and the in-memory state, adding each accepted candle to
    /// <paramref name="accepted"/>. Unless restoring (<paramref name="frames"/> null), writes each accepted candle's
    /// item into a metrics frame (a pooled buffer that the writer stamps, publishes and disposes) and hands the frame
    /// to <paramref name="frames"/> every <paramref name="chunk"/> items; the symbols' states are updated after their
    /// chunk is handed over (off the event's path). <paramref name="frames"/> is completed once
    /// <paramref name="accepted"/> is final, and marked applied once every state is updated, even on a failure. The
    /// frame and the symbol's state read the engine's own snapshot (no copy in between).
    /// </summary>
    private void Apply(long openTime, IReadOnlyList<SymbolCandle> candles, List<SymbolCandle> accepted, MinuteFrames? frames, int chunk)
    {
        lock (_gate)
        {
            MetricsFrameWriter? items = null;
            var added = false;
            try
            {
                for (var i = 0; i < candles.Count; i++)
                {
                    var (symbol, candle) = candles[i];
                    var rejectedBefore = calculator.Rejected;
                    if (!calculator.TryApply(symbol, candle, out var snapshot, out var fired))
                    {
                        if (calculator.Rejected != rejectedBefore)
                        {
                            status.AddRejected();
                        }
                        continue;
                    }
                    if (!state.TryGet(symbol, out var s))
                    {
                        s = state.GetOrAdd(symbol);
                        added = true;
                    }
                    accepted.Add(candles[i]);
                    if (frames is null)
                    {
                        lock (s.Gate)
                        {
                            s.ApplyClosed(candle, snapshot, PresetKeys(fired), 0);
                        }
                        continue;
                    }
                    if (items is null)
                    {
                        items = new MetricsFrameWriter(1024 + (Math.Min(chunk, candles.Count - i) * MetricsFrameWriter.ItemLength(16)));
                        items.Begin(openTime);
                    }
                    items.Add(snapshot, candle, fired.Bits);
                    _pending.Add(new PendingState(s, candle, snapshot, fired));
                    if (items.Count >= chunk && i < candles.Count - 1)
                    {
                        frames.Add(items);
                        items = null;
                        ApplyPending();
                    }
                }
            }
            finally
            {
                if (frames is not null)
                {
                    if (items is not null)
                    {
                        frames.Add(items);
                    }
                    frames.Complete();
                }
                ApplyPending();
                frames?.MarkApplied();
                if (added)
                {
                    status.Symbols = state.All.Count;
                }
                state.Touch();
            }
        }
    }

    /// <summary>The symbol states of the chunk just handed over (under <see cref="_gate"/>).</summary>
    private void ApplyPending()
    {
        foreach (var p in _pending)
        {
            lock (p.State.Gate)
            {
                p.State.ApplyClosed(p.Candle, p.Snapshot, PresetKeys(p.Fired), p.Fired.Count);
            }
        }
        _pending.Clear();
    }

    private readonly record struct PendingState(SymbolState State, Candle Candle, MetricsSnapshot Snapshot, PresetMask Fired);

    private static string[] PresetKeys(PresetMask fired)
    {
        if (fired.IsEmpty)
        {
            return [];
        }
        ref var keys = ref PresetKeysByMask[fired.Bits];
        if (keys is null)
        {
            var list = new List<string>(fired.Count);
            foreach (var p in fired)
            {
                list.Add(p.Key());
            }
            keys = [.. list];
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
