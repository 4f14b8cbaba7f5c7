using Scalpaiboard.Infrastructure.Events;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>The WebSocket channels a client may subscribe to (CONTRACT.md), validated and normalised.</summary>
public static class LiveChannelNames
{
    public static readonly string[] Timeframes = ["1m", "5m", "15m", "1h", "4h", "8h", "1d"];

    private const string Help = "tickers, signals, alerts, candles:<SYMBOL>:<1m|5m|15m|1h|4h|8h|1d>, metrics:<SYMBOL>, orderbook:<SYMBOL>";

    /// <summary>
    /// Checks a channel name; on success <paramref name="normalized"/> is the name with the symbol in upper case,
    /// otherwise <paramref name="error"/> says what is wrong, naming the channel.
    /// </summary>
    public static bool TryNormalize(string? channel, out string normalized, out string error)
    {
        normalized = "";
        error = "";
        if (string.IsNullOrWhiteSpace(channel))
        {
            error = "empty channel name; channels are " + Help;
            return false;
        }
        if (channel is EventNames.Tickers or EventNames.Signals or EventNames.Alerts)
        {
            normalized = channel;
            return true;
        }
        var parts = channel.Split(':');
        switch (parts[0])
        {
            case "candles" when parts.Length == 3 && IsSymbol(parts[1]) && Array.IndexOf(Timeframes, parts[2]) >= 0:
                normalized = EventNames.Candles(parts[1].ToUpperInvariant(), parts[2]);
                return true;
            case "candles" when parts.Length == 3 && IsSymbol(parts[1]):
                error = $"unknown timeframe '{parts[2]}' in channel '{channel}'; use one of {string.Join(", ", Timeframes)}";
                return false;
            case "metrics" when parts.Length == 2 && IsSymbol(parts[1]):
                normalized = EventNames.Metrics(parts[1].ToUpperInvariant());
                return true;
            case "orderbook" when parts.Length == 2 && IsSymbol(parts[1]):
                normalized = EventNames.OrderBook(parts[1].ToUpperInvariant());
                return true;
            default:
                error = $"unknown channel '{Truncate(channel)}'; channels are " + Help;
                return false;
        }
    }

    private static bool IsSymbol(string s)
    {
        if (s.Length is < 2 or > 32)
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "...";
}
