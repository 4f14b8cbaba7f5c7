using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using static Scalpaiboard.Ai.Services.Plugins.ToolArguments;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// The user's watchlist and portfolio (the watchlist with each coin's move since it was added), through the Alerts
/// service with the kernel's <see cref="ToolSession"/> user's signed identity.
/// </summary>
public sealed class WatchlistPlugin(MarketServicesClient api)
{
    [KernelFunction(ToolNames.AddToWatchlist)]
    [Description("Adds a coin to the user's watchlist.")]
    public async Task<JsonObject> AddToWatchlistAsync(
        Kernel kernel,
        [Description("Symbol, e.g. BTCUSDT (BTC is read as BTCUSDT)")] string symbol,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        var sym = NormalizeSymbol(symbol);
        var response = await api.PostAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/watchlist",
            new Dictionary<string, string> { ["symbol"] = sym }, cancellationToken);
        return new JsonObject { ["added"] = true, ["symbol"] = sym, ["watchlist"] = response?.DeepClone() };
    }

    [KernelFunction(ToolNames.GetPortfolio)]
    [Description("Shows the user's portfolio: the watchlist with each coin's performance.")]
    public async Task<JsonObject> GetPortfolioAsync(Kernel kernel, CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        var response = await api.GetAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/portfolio", cancellationToken);
        return new JsonObject { ["portfolio"] = response?.DeepClone() };
    }

    [KernelFunction(ToolNames.RemoveFromWatchlist)]
    [Description("Removes a coin from the user's watchlist.")]
    public async Task<JsonObject> RemoveFromWatchlistAsync(
        Kernel kernel,
        [Description("Symbol, e.g. BTCUSDT (BTC is read as BTCUSDT)")] string symbol,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        var sym = NormalizeSymbol(symbol);
        await api.DeleteAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/watchlist/{sym}", cancellationToken);
        return new JsonObject { ["removed"] = true, ["symbol"] = sym };
    }
}
