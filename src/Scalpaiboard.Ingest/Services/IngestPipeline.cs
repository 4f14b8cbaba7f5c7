using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services.Feeds;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Closed candles from the feed -> market engine -> in-memory state -> the writer (events, with PostgreSQL beside them).
/// Called from one feed loop at a time.
/// </summary>
public sealed class IngestPipeline(MarketCalculator calculator, MarketState state, CandleWriter writer, DerivativesRecorder derivatives, FeedStatus status) : IFeedSink
{
    /// <summary>The preset keys of each set of fired presets (bit i = PresetType i), built on first use and shared.</summary>
    private static readonly string[]?[] PresetKeysByMask = new string[]?[1 << PresetTypes.Count];

    private readonly Lock _gate = new();

    /// <summary>
    /// The symbol states in the order of the last batch: feeds hand over every minute's candles in much the same
    /// order, so position i's state is usually the one for candle i, found with one array read and a compare of (usually
    /// the same) string instead of a dictionary lookup whose chain of loads misses the caches with hundreds of symbols.
    /// </summary>
    private SymbolState?[] _lastOrder = [];

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
    /// item into the minute's metrics frame (a pooled buffer that the writer stamps, publishes and disposes). The
    /// frame and the symbol's state read the engine's own snapshot (no copy in between): the state keeps it by
    /// reference, so the engine runs under the symbol's Gate, and API readers (who take the Gate) never see it torn. The
    /// state reads the engine's aligned bars of the symbol the same way.
    /// </summary>
    private (List<SymbolCandle> Candles, MetricsFrameWriter? Items)? Apply(long openTime, IReadOnlyList<SymbolCandle> candles, bool restoring)
    {
        lock (_gate)
        {
            List<SymbolCandle>? accepted = null;
            MetricsFrameWriter? items = null;
            var added = false;
            for (var i = 0; i < candles.Count; i++)
            {
                var (symbol, candle) = candles[i];
                var rejectedBefore = calculator.Rejected;
                MetricsSnapshot? snapshot;
                BarBuilder? bars;
                PresetMask fired;
                // The engine writes the symbol's snapshot, which the symbol's state holds by reference: under the Gate.
                // (A symbol without a state yet has no reader of its snapshot: it gets one only once accepted.)
                var known = TryGetState(i, symbol, out var s);
                bool applied;
                if (known)
                {
                    lock (s.Gate)
                    {
                        applied = calculator.TryApply(symbol, candle, out snapshot, out bars, out fired);
                        if (applied)
                        {
                            s.ApplyClosed(candle, snapshot!, bars!, PresetKeys(fired), restoring ? 0 : fired.Count);
                        }
                    }
                }
                else
                {
                    applied = calculator.TryApply(symbol, candle, out snapshot, out bars, out fired);
                    if (applied)
                    {
                        s = state.GetOrAdd(symbol);
                        _lastOrder[i] = s;
                        added = true;
                        lock (s.Gate)
                        {
                            s.ApplyClosed(candle, snapshot!, bars!, PresetKeys(fired), restoring ? 0 : fired.Count);
                        }
                    }
                }
                if (!applied)
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
                    items.Add(snapshot!, fired.Bits);
                }
                (accepted ??= new List<SymbolCandle>(candles.Count)).Add(candles[i]);
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

    /// <summary>The state of <paramref name="symbol"/>, the candle at <paramref name="position"/> of the batch: last batch's guess first.</summary>
    private bool TryGetState(int position, string symbol, out SymbolState s)
    {
        if (position >= _lastOrder.Length)
        {
            Array.Resize(ref _lastOrder, Math.Max(position + 1, _lastOrder.Length * 2));
        }
        if (_lastOrder[position] is { } guess && string.Equals(guess.Symbol, symbol, StringComparison.Ordinal))
        {
            s = guess;
            return true;
        }
        if (state.TryGet(symbol, out s))
        {
            _lastOrder[position] = s;
            return true;
        }
        return false;
    }

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

    public void OnDerivatives(IReadOnlyList<DerivativesUpdate> updates)
    {
        if (updates.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            calculator.ApplyDerivatives(updates);
        }
        derivatives.Enqueue(updates);
    }

    /// <summary>Feeds stored derivatives through the engine at start-up, without storing them again.</summary>
    public void RestoreDerivatives(IReadOnlyList<DerivativesUpdate> updates)
    {
        lock (_gate)
        {
            calculator.ApplyDerivatives(updates);
        }
    }

    public void TrackLiquidations()
    {
        lock (_gate)
        {
            calculator.TracksLiquidations = true;
        }
    }

    /// <summary>True when the feed reports liquidations (<see cref="TrackLiquidations"/>).</summary>
    public bool TracksLiquidations => calculator.TracksLiquidations;

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        await derivatives.FlushAsync(cancellationToken);
    }
}
