namespace Scalpaiboard.Infrastructure.Events;

/// <summary>
/// Names shared by producers and consumers of events between services.
/// Live (pub/sub) channels are named <c>live:</c> + the WebSocket channel name, and carry the complete JSON frame
/// the Gateway sends to clients (<c>{"type", "channel", "ts", "data"}</c>), so the hub forwards bytes untouched.
/// </summary>
public static class EventNames
{
    /// <summary>Redis stream of per-candle metrics batches (field <c>data</c>: JSON), consumed by the Alerts group.</summary>
    public const string MetricsStream = "market.metrics";

    /// <summary>Consumer group of the Alerts service on <see cref="MetricsStream"/>.</summary>
    public const string AlertsGroup = "alerts";

    /// <summary>Prefix of every live channel; the Gateway subscribes to those its WebSocket clients listen to.</summary>
    public const string LivePrefix = "live:";

    public const string Tickers = "tickers";
    public const string Signals = "signals";
    public const string Alerts = "alerts";

    public static string Candles(string symbol, string timeframe) => $"candles:{symbol}:{timeframe}";
    public static string Metrics(string symbol) => $"metrics:{symbol}";
    /// <summary>Prefix of the order-book channels (<see cref="OrderBook"/>).</summary>
    public const string OrderBookPrefix = "orderbook:";

    public static string OrderBook(string symbol) => OrderBookPrefix + symbol;

    /// <summary>The pub/sub channel of a user's alert triggers: <c>live:alerts:{userId}</c> (client channel <c>alerts</c>).</summary>
    public static string UserAlerts(string userId) => $"{LivePrefix}{Alerts}:{userId}";

    public static string Live(string wsChannel) => LivePrefix + wsChannel;
}
