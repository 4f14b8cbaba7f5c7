namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// The assistant's function names (the tool names of CONTRACT.md) and its plugins. On the wire a function carries its
/// plugin's name as a prefix (<c>Watchlist_add_to_watchlist</c> through an IChatClient, <c>Watchlist-add_to_watchlist</c>
/// through Semantic Kernel's connectors); <see cref="Bare"/> takes it off again.
/// </summary>
public static class ToolNames
{
    public const string Screener = "Screener";
    public const string Alerts = "Alerts";
    public const string Watchlist = "Watchlist";

    public const string FilterCoins = "filter_coins";
    public const string GetCoinAnalysis = "get_coin_analysis";
    public const string AnalyzePattern = "analyze_pattern";
    public const string ExportResults = "export_results";
    public const string CreateAlert = "create_alert";
    public const string ListAlerts = "list_alerts";
    public const string PauseAlert = "pause_alert";
    public const string DeleteAlert = "delete_alert";
    public const string AddToWatchlist = "add_to_watchlist";
    public const string RemoveFromWatchlist = "remove_from_watchlist";
    public const string GetPortfolio = "get_portfolio";

    public static readonly string[] Plugins = [Screener, Alerts, Watchlist];

    /// <summary>The function name without a plugin prefix: <c>Watchlist_add_to_watchlist</c> gives <c>add_to_watchlist</c>.</summary>
    public static string Bare(string name)
    {
        foreach (var plugin in Plugins)
        {
            if (name.Length > plugin.Length + 1 && name.StartsWith(plugin, StringComparison.Ordinal) && name[plugin.Length] is '_' or '-' or '.')
            {
                return name[(plugin.Length + 1)..];
            }
        }
        return name;
    }

    /// <summary>Whether a tool offered under <paramref name="wireName"/> is the function <paramref name="function"/>.</summary>
    public static bool Is(string wireName, string function) => Bare(wireName) == function;
}
