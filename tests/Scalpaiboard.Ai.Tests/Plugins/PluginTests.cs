using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Services;
using Scalpaiboard.Ai.Services.Plugins;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Plugins;

/// <summary>
/// Every plugin function invoked through a kernel of the running Ai service (its filters, its PostgreSQL database for
/// exports) for two users: each acts for its own user only, and sees only that user's data.
/// </summary>
[Collection(AiAppCollection.Name)]
public sealed class PluginTests(AiAppFixture app)
{
    private (Kernel Kernel, ToolSession Session, IServiceScope Scope) KernelFor(string user)
    {
        var scope = app.Services.CreateScope();
        var session = new ToolSession(user, conversationId: null);
        return (scope.ServiceProvider.GetRequiredService<AssistantKernelFactory>().Create(session), session, scope);
    }

    private static async Task<JsonObject> InvokeAsync(Kernel kernel, string plugin, string function, KernelArguments? arguments = null)
    {
        var result = await kernel.InvokeAsync(plugin, function, arguments ?? []);
        return Assert.IsType<JsonObject>(result.GetValue<object>());
    }

    private static string NewUser(string name) => name + "-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Watchlist_functions_change_and_read_only_the_callers_watchlist()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var (a, _, scopeA) = KernelFor(alice);
        var (b, _, scopeB) = KernelFor(bob);
        using (scopeA)
        using (scopeB)
        {
            var added = await InvokeAsync(a, ToolNames.Watchlist, ToolNames.AddToWatchlist, new() { ["symbol"] = "sol" });
            Assert.Equal("SOLUSDT", added["symbol"]!.ToString());
            await InvokeAsync(b, ToolNames.Watchlist, ToolNames.AddToWatchlist, new() { ["symbol"] = "BTCUSDT" });
            Assert.Equal(["SOLUSDT"], app.Market.Watchlist(alice));
            Assert.Equal(["BTCUSDT"], app.Market.Watchlist(bob));

            var portfolio = await InvokeAsync(a, ToolNames.Watchlist, ToolNames.GetPortfolio);
            Assert.Equal(["SOLUSDT"], portfolio["portfolio"]!["items"]!.AsArray().Select(i => i!["symbol"]!.ToString()));

            // bob cannot remove alice's coin: his own watchlist does not have it
            var refused = await InvokeAsync(b, ToolNames.Watchlist, ToolNames.RemoveFromWatchlist, new() { ["symbol"] = "SOLUSDT" });
            Assert.Contains("404", refused["error"]!.ToString());
            Assert.Equal(["SOLUSDT"], app.Market.Watchlist(alice));
            var removed = await InvokeAsync(a, ToolNames.Watchlist, ToolNames.RemoveFromWatchlist, new() { ["symbol"] = "SOLUSDT" });
            Assert.True(removed["removed"]!.GetValue<bool>());
            Assert.Empty(app.Market.Watchlist(alice));
            Assert.Equal(["BTCUSDT"], app.Market.Watchlist(bob));
        }
        Assert.All(app.Market.CallsFor(alice).Concat(app.Market.CallsFor(bob)), c => Assert.True(c.SignatureValid));
    }

    [Fact]
    public async Task Alert_functions_create_list_pause_and_delete_only_the_callers_alerts()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var (a, _, scopeA) = KernelFor(alice);
        var (b, _, scopeB) = KernelFor(bob);
        using (scopeA)
        using (scopeB)
        {
            var created = await InvokeAsync(a, ToolNames.Alerts, ToolNames.CreateAlert,
                new() { ["symbol"] = "eth", ["condition"] = "change_above", ["value"] = 3.5, ["window"] = "1h" });
            var id = created["alert"]!["id"]!.GetValue<long>();
            Assert.Equal("ETHUSDT", created["alert"]!["symbol"]!.ToString());
            Assert.Equal("1h", created["alert"]!["conditions"]![0]!["window"]!.ToString());

            var listedA = await InvokeAsync(a, ToolNames.Alerts, ToolNames.ListAlerts);
            Assert.Equal(1, listedA["count"]!.GetValue<int>());
            var listedB = await InvokeAsync(b, ToolNames.Alerts, ToolNames.ListAlerts);
            Assert.Equal(0, listedB["count"]!.GetValue<int>());
            Assert.Equal(0, (await InvokeAsync(a, ToolNames.Alerts, ToolNames.ListAlerts, new() { ["symbol"] = "BTC" }))["count"]!.GetValue<int>());

            // bob can neither pause nor delete alice's alert
            Assert.Contains("404", (await InvokeAsync(b, ToolNames.Alerts, ToolNames.PauseAlert, new() { ["alertId"] = id }))["error"]!.ToString());
            Assert.Contains("404", (await InvokeAsync(b, ToolNames.Alerts, ToolNames.DeleteAlert, new() { ["alertId"] = id }))["error"]!.ToString());

            var paused = await InvokeAsync(a, ToolNames.Alerts, ToolNames.PauseAlert, new() { ["alertId"] = id });
            Assert.False(paused["alert"]!["enabled"]!.GetValue<bool>());
            Assert.Equal("change_above", paused["alert"]!["conditions"]![0]!["type"]!.ToString());
            var resumed = await InvokeAsync(a, ToolNames.Alerts, ToolNames.PauseAlert, new() { ["alertId"] = id, ["pause"] = false });
            Assert.True(resumed["alert"]!["enabled"]!.GetValue<bool>());

            var deleted = await InvokeAsync(a, ToolNames.Alerts, ToolNames.DeleteAlert, new() { ["alertId"] = id });
            Assert.True(deleted["deleted"]!.GetValue<bool>());
            Assert.Equal(0, (await InvokeAsync(a, ToolNames.Alerts, ToolNames.ListAlerts))["count"]!.GetValue<int>());

            // a bad argument is the model's to hear about, and nothing is created
            var bad = await InvokeAsync(a, ToolNames.Alerts, ToolNames.CreateAlert, new() { ["symbol"] = "eth", ["condition"] = "change_above", ["value"] = 1 });
            Assert.Contains("needs a window", bad["error"]!.ToString());
        }
        Assert.Empty(app.Market.Alerts(bob));
    }

    [Fact]
    public async Task Create_alert_takes_the_derivatives_conditions_with_their_window_and_side()
    {
        var user = NewUser("deriv");
        var (k, _, scope) = KernelFor(user);
        using (scope)
        {
            await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert, new() { ["symbol"] = "eth", ["condition"] = "funding_above", ["value"] = 0.0005 });
            await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert,
                new() { ["symbol"] = "btc", ["condition"] = "oi_change_below", ["value"] = -5.0, ["window"] = "4h" });
            await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert,
                new() { ["symbol"] = "sol", ["condition"] = "liquidations_above", ["value"] = 1e6, ["window"] = "5m", ["side"] = "long" });
            var sent = app.Market.Alerts(user).Select(a => a["conditions"]![0]!.ToJsonString()).ToList();
            Assert.Equal(
            [
                """{"type":"funding_above","value":0.0005}""",
                """{"type":"oi_change_below","value":-5,"window":"4h"}""",
                """{"type":"liquidations_above","value":1000000,"window":"5m","side":"long"}""",
            ], sent);

            // what the Alerts service would refuse is the model's to hear about, named, and nothing is created
            (string Condition, double Value, string? Window, string? Side, string Error)[] bad =
            [
                ("funding_above", 0.05 * 100, null, null, "value: a funding rate is a fraction"),
                ("oi_change_above", 10, "15m", null, "window: oi_change_above takes one of 1h, 4h, 1d"),
                ("liquidations_above", 1e6, "4h", null, "window: liquidations_above takes one of 5m, 1h"),
                ("liquidations_above", -1, null, null, "value: liquidations_above needs a USDT amount"),
            ];
            foreach (var (condition, value, window, side, error) in bad)
            {
                var args = new KernelArguments { ["symbol"] = "eth", ["condition"] = condition, ["value"] = value, ["window"] = window, ["side"] = side };
                var refused = await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert, args);
                Assert.Contains(error, refused["error"]!.ToString());
            }
        }
        Assert.Equal(3, app.Market.Alerts(user).Count);
    }

    [Fact]
    public async Task Create_alert_takes_the_trend_conditions_with_a_timeframe_and_a_direction()
    {
        var user = NewUser("trend");
        var (k, _, scope) = KernelFor(user);
        using (scope)
        {
            await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert,
                new() { ["symbol"] = "btc", ["condition"] = "supertrend_flip", ["window"] = "4h", ["direction"] = "up" });
            await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert, new() { ["symbol"] = "eth", ["condition"] = "donchian_breakout" });
            Assert.Equal(
            [
                """{"type":"supertrend_flip","window":"4h","direction":"up"}""",
                """{"type":"donchian_breakout"}""",
            ], app.Market.Alerts(user).Select(a => a["conditions"]![0]!.ToJsonString()));

            var refused = await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert,
                new() { ["symbol"] = "eth", ["condition"] = "supertrend_flip", ["direction"] = "sideways" });
            Assert.Contains("direction: one of up, down, any", refused["error"]!.ToString());
            refused = await InvokeAsync(k, ToolNames.Alerts, ToolNames.CreateAlert,
                new() { ["symbol"] = "eth", ["condition"] = "donchian_breakout", ["window"] = "2h" });
            Assert.Contains("window: donchian_breakout takes a timeframe", refused["error"]!.ToString());
        }
        Assert.Equal(2, app.Market.Alerts(user).Count);
    }

    [Fact]
    public async Task Screener_functions_run_as_the_caller_and_exports_are_stored_for_the_caller_only()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var (a, sessionA, scopeA) = KernelFor(alice);
        var (b, _, scopeB) = KernelFor(bob);
        using (scopeA)
        using (scopeB)
        {
            var coins = await InvokeAsync(a, ToolNames.Screener, ToolNames.FilterCoins, new() { ["minQuoteVolume_1h"] = 2_000_000.0, ["limit"] = 5 });
            Assert.Equal(3, coins["count"]!.GetValue<int>());
            Assert.Contains("minQuoteVolume_1h=2000000", Assert.Single(app.Market.CallsFor(alice), c => c.Path == "/api/coins").Query);

            var analysis = await InvokeAsync(a, ToolNames.Screener, ToolNames.GetCoinAnalysis, new() { ["symbol"] = "BTC", ["timeframe"] = "4h" });
            Assert.Equal("BTCUSDT", analysis["symbol"]!.ToString());
            Assert.Equal(200, analysis["bars"]!.GetValue<int>());

            var patterns = await InvokeAsync(a, ToolNames.Screener, ToolNames.AnalyzePattern, new() { ["symbol"] = "ETHUSDT", ["bars"] = 120 });
            Assert.Equal(120, patterns["bars"]!.GetValue<int>());

            // the export takes the session's last result, which the chat's tool events filter keeps; here set by hand
            sessionA.RememberResult("Screener_filter_coins", coins);
            var export = await InvokeAsync(a, ToolNames.Screener, ToolNames.ExportResults, new() { ["format"] = "csv" });
            Assert.Equal(3, export["rows"]!.GetValue<int>());
            Assert.Equal("filter_coins", export["source"]!.ToString());
            var url = export["url"]!.ToString();
            using var asAlice = await app.ClientFor(alice).GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, asAlice.StatusCode);
            Assert.StartsWith("symbol,", await asAlice.Content.ReadAsStringAsync());
            using var asBob = await app.ClientFor(bob).GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, asBob.StatusCode);

            // bob has no result of his own to export
            Assert.Contains("no earlier tool result", (await InvokeAsync(b, ToolNames.Screener, ToolNames.ExportResults))["error"]!.ToString());
        }
        Assert.All(app.Market.CallsFor(alice), c => Assert.True(c.SignatureValid));
        Assert.Empty(app.Market.CallsFor(bob));
    }

    [Fact]
    public async Task Backtest_preset_starts_a_backtest_as_the_user_waits_for_it_and_answers_with_the_statistics()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var (a, _, scopeA) = KernelFor(alice);
        using var _ = scopeA;

        var result = await InvokeAsync(a, ToolNames.Backtests, ToolNames.BacktestPreset, new() { ["rule"] = "Pioneer Bull", ["days"] = 7 });

        Assert.Equal("completed", result["status"]!.ToString());
        Assert.Equal("futures_pioneer_bull", result["rule"]!.ToString());
        Assert.Equal(4, result["summary"]!["trades"]!.GetValue<int>());
        Assert.Equal(0.75, result["summary"]!["winRate"]!.GetValue<double>());
        var inputs = Assert.Single(app.Market.Backtests(alice));
        Assert.Equal("futures_pioneer_bull", inputs["rule"]!.ToString());
        // from: 7 days back, on a minute
        var from = inputs["from"]!.GetValue<long>();
        Assert.Equal(0, from % 60_000);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - from, 7 * 86_400_000L, 7 * 86_400_000L + 120_000);
        var calls = app.Market.CallsFor(alice).Where(c => c.Path.StartsWith("/api/backtests", StringComparison.Ordinal)).ToList();
        Assert.Equal(["POST", "GET", "GET"], calls.Select(c => c.Method));
        Assert.All(calls, c => Assert.True(c.SignatureValid));
        Assert.Empty(app.Market.Backtests(bob));

        // the local provider's answer reads the statistics
        var answer = Scalpaiboard.Ai.Services.Local.LocalAnswerWriter.Write(ToolNames.BacktestPreset, result);
        Assert.Contains("4 trades", answer);
        Assert.Contains("win rate 75%", answer);
        Assert.Contains("profit factor 3.2", answer);
    }

    [Fact]
    public async Task Backtest_preset_still_running_at_the_end_of_the_wait_answers_with_its_id_and_progress()
    {
        var user = NewUser("carol");
        var (k, _, scope) = KernelFor(user);
        using var _ = scope;
        app.Market.BacktestPollsToComplete = int.MaxValue;
        try
        {
            var started = DateTime.UtcNow;
            var result = await InvokeAsync(k, ToolNames.Backtests, ToolNames.BacktestPreset,
                new() { ["rule"] = "futures_top_hunter", ["days"] = 2, ["symbols"] = "btc, ETHUSDT", ["waitSeconds"] = 2 });

            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
            Assert.Equal("running", result["status"]!.ToString());
            Assert.Equal(0.5, result["progress"]!.GetValue<double>());
            Assert.Contains(result["id"]!.ToString(), result["note"]!.ToString());
            Assert.Equal(["BTCUSDT", "ETHUSDT"], Assert.Single(app.Market.Backtests(user))["symbols"]!.AsArray().Select(s => s!.ToString()));

            // a second one while it runs: the service's 409 comes back as the tool's error
            var refused = await InvokeAsync(k, ToolNames.Backtests, ToolNames.BacktestPreset, new() { ["rule"] = "futures_top_hunter", ["waitSeconds"] = 0 });
            Assert.Contains("409", refused["error"]!.ToString());
            var bad = await InvokeAsync(k, ToolNames.Backtests, ToolNames.BacktestPreset, new() { ["rule"] = "moon shot" });
            Assert.Contains("rule", bad["error"]!.ToString());
        }
        finally
        {
            app.Market.BacktestPollsToComplete = 2;
        }
    }

    [Fact]
    public async Task A_kernel_without_a_user_runs_no_function()
    {
        using var scope = app.Services.CreateScope();
        var anonymous = scope.ServiceProvider.GetRequiredService<AssistantKernelFactory>().Create(new ToolSession("", null));
        var calls = app.Market.Calls.Count;

        var result = await InvokeAsync(anonymous, ToolNames.Watchlist, ToolNames.AddToWatchlist, new() { ["symbol"] = "BTCUSDT" });

        Assert.Contains("not authorized", result["error"]!.ToString());
        Assert.Equal(calls, app.Market.Calls.Count);
    }
}
