using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services.Feeds;

/// <summary>A source of 1m candles (simulated, replay, Binance), chosen by <c>Ingest:Feed</c>.</summary>
public interface IMarketFeed
{
    string Name { get; }

    /// <summary>
    /// Runs the feed until it ends (replay) or is cancelled. <paramref name="lastStored"/> holds the newest stored
    /// open time per symbol: the feed continues after it (no duplicates, no gaps).
    /// </summary>
    Task RunAsync(IFeedSink sink, IReadOnlyDictionary<string, long> lastStored, CancellationToken cancellationToken);
}

/// <summary>Where a feed delivers what it receives (the ingest pipeline).</summary>
public interface IFeedSink
{
    FeedStatus Status { get; }

    /// <summary>Announces the symbols the feed covers.</summary>
    void SetSymbols(IReadOnlyList<string> symbols);

    /// <summary>Closed 1m candles, all with the same open time, in symbol order or any order.</summary>
    ValueTask OnClosedAsync(long openTime, IReadOnlyList<SymbolCandle> candles, CancellationToken cancellationToken);

    /// <summary>The forming (unclosed) 1m candle of a symbol.</summary>
    void OnForming(string symbol, in Candle candle);

    void OnOrderBook(OrderBookSnapshot book);

    /// <summary>
    /// Derivatives samples (open interest, funding, mark price, liquidations), each known from its time: the candles
    /// that close at or after it read it. Deliver them before the candles of the minute they fall in. The list stays the
    /// caller's: it is read during the call only.
    /// </summary>
    void OnDerivatives(IReadOnlyList<DerivativesUpdate> updates);

    /// <summary>Says the feed reports liquidations, so a window without one totals 0 rather than being unavailable.</summary>
    void TrackLiquidations();

    /// <summary>Waits until everything delivered so far is stored and published.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
