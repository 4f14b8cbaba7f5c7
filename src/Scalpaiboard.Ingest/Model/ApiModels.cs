using System.Text.Json.Serialization;

namespace Scalpaiboard.Ingest.Model;

/// <summary><c>GET /api/feed/status</c>.</summary>
public sealed record FeedStatusResponse(
    string Feed,
    string State,
    int Symbols,
    long CandlesIngested,
    long? LastOpenTime,
    long? LagMs,
    long MalformedRows,
    long MalformedFrames,
    long Rejected,
    long Reconnects,
    double? Progress,
    int Connections,
    int WeightUsed,
    int WeightLimit,
    string? Error,
    string? LiquidationsNote);

/// <summary><c>GET /api/coins/{symbol}/candles</c>.</summary>
public sealed record CandlesResponse(string Symbol, string Timeframe, IReadOnlyList<CandleDto> Candles);

/// <summary><c>GET /api/coins/{symbol}/orderbook</c>: levels as [price, quantity] pairs.</summary>
public sealed record OrderBookResponse(
    string Symbol,
    long Time,
    double? Bucket,
    bool Synthetic,
    IReadOnlyList<double[]> Bids,
    IReadOnlyList<double[]> Asks);

/// <summary><c>GET /api/coins</c>.</summary>
public sealed record CoinsPage(IReadOnlyList<Scalpaiboard.Ingest.Services.CoinRow> Data, int Total, int Page, int PageSize);

/// <summary><c>GET /api/symbols</c> item.</summary>
public sealed record SymbolInfo(string Symbol, double? Price, long? LastOpenTime);

/// <summary>A live (pub/sub) frame, exactly what the Gateway forwards to WebSocket clients.</summary>
public sealed record LiveFrame<T>(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("ts")] long Ts,
    [property: JsonPropertyName("data")] T Data);

/// <summary>One entry of the <c>tickers</c> batch.</summary>
public sealed record TickerItem(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("price")] double? Price,
    [property: JsonPropertyName("change_5m")] double? Change5m,
    [property: JsonPropertyName("change_1h")] double? Change1h,
    [property: JsonPropertyName("change_1d")] double? Change1d,
    [property: JsonPropertyName("quoteVolume_1h")] double? QuoteVolume1h,
    [property: JsonPropertyName("quoteVolume_1d")] double? QuoteVolume1d);

/// <summary>Data of a <c>candles:SYMBOL:tf</c> frame.</summary>
public sealed record LiveCandle(string Symbol, string Timeframe, bool Closed, CandleDto Candle);

/// <summary><c>GET /api/coins/{symbol}/derivatives</c>: 5-minute points, oldest first.</summary>
public sealed record DerivativesResponse(string Symbol, IReadOnlyList<Scalpaiboard.Ingest.Infrastructure.DerivativesPoint> Points);
