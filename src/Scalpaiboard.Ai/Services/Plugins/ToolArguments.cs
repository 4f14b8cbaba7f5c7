namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>A tool failure the model (or MCP client) should hear about: bad arguments, a service answering an error.</summary>
public sealed class ToolException(string message) : Exception(message);

/// <summary>Argument checks shared by the plugins.</summary>
public static class ToolArguments
{
    public static readonly string[] Windows = ["5m", "15m", "1h", "4h", "8h", "1d"];
    public static readonly string[] Timeframes = ["1m", "5m", "15m", "1h", "4h", "8h", "1d"];

    /// <summary>Upper case, separators dropped, a bare base asset completed with USDT: "btc" and "BTC/USDT" give BTCUSDT.</summary>
    public static string NormalizeSymbol(string? symbol)
    {
        var s = new string((symbol ?? "").Where(char.IsAsciiLetterOrDigit).ToArray()).ToUpperInvariant();
        if (s.Length is < 2 or > 20)
        {
            throw new ToolException($"symbol: '{symbol}' is not a symbol like BTCUSDT");
        }
        return s.EndsWith("USDT", StringComparison.Ordinal) || s.EndsWith("USDC", StringComparison.Ordinal) ? s : s + "USDT";
    }

    public static string NormalizeTimeframe(string? timeframe)
    {
        var tf = string.IsNullOrWhiteSpace(timeframe) ? "1h" : timeframe.Trim().ToLowerInvariant();
        if (!Timeframes.Contains(tf))
        {
            throw new ToolException($"timeframe: '{timeframe}' is not one of {string.Join(", ", Timeframes)}");
        }
        return tf;
    }

    public static double Round(double v) =>
        !double.IsFinite(v) ? 0 : Math.Abs(v) >= 100 ? Math.Round(v, 2) : Math.Abs(v) >= 1 ? Math.Round(v, 4) : Math.Round(v, 8);
}
