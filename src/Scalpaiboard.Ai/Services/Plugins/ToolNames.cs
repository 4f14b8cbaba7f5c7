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
    public const string Backtests = "Backtests";

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
    public const string BacktestPreset = "backtest_preset";

    public static readonly string[] Plugins = [Screener, Alerts, Watchlist, Backtests];

    private static readonly Dictionary<string, string> PluginOf = new(StringComparer.Ordinal)
    {
        [FilterCoins] = Screener, [GetCoinAnalysis] = Screener, [AnalyzePattern] = Screener, [ExportResults] = Screener,
        [CreateAlert] = Alerts, [ListAlerts] = Alerts, [PauseAlert] = Alerts, [DeleteAlert] = Alerts,
        [AddToWatchlist] = Watchlist, [RemoveFromWatchlist] = Watchlist, [GetPortfolio] = Watchlist,
        [BacktestPreset] = Backtests,
    };

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

    /// <summary>The name a function is offered under through an IChatClient (<c>Watchlist_add_to_watchlist</c>); an
    /// unknown or already prefixed name stays as it is.</summary>
    public static string Wire(string name) => PluginOf.TryGetValue(name, out var plugin) ? plugin + "_" + name : name;

    /// <summary>Whether a tool offered under <paramref name="wireName"/> is the function <paramref name="function"/>.</summary>
    public static bool Is(string wireName, string function) => Bare(wireName) == function;
}
