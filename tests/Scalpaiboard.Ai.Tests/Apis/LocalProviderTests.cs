using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Apis;

/// <summary>The built-in local provider end to end: same loop, same tools, stand-in services, readable answers.</summary>
[Collection(AiAppCollection.Name)]
public sealed class LocalProviderTests(AiAppFixture app)
{
    [Fact]
    public async Task Screening_request_calls_filter_coins_with_the_bounds_and_lists_the_coins()
    {
        var user = NewUser();
        var llmCalls = app.Llm.Requests.Count;

        var events = await Chat(user, "find coins with 1h volume over 1M and 5m change above 1%");

        var call = Sse.Single(events, "tool_call");
        Assert.Equal("filter_coins", call["name"]!.ToString());
        Assert.Equal(1_000_000, call["arguments"]!["minQuoteVolume_1h"]!.GetValue<double>());
        Assert.Equal(1, call["arguments"]!["minChange_5m"]!.GetValue<double>());
        var query = Assert.Single(app.Market.CallsFor(user), c => c.Path == "/api/coins").Query;
        Assert.Contains("minQuoteVolume_1h=1000000", query);
        Assert.Contains("minChange_5m=1", query);
        var text = Sse.Text(events);
        Assert.Contains("Found 3 coins with change_5m >= 1% and quoteVolume_1h >= 1M", text);
        Assert.Contains("1. BTCUSDT", text);
        Assert.Contains("3. SOLUSDT", text);
        var done = Sse.Single(events, "done");
        Assert.Equal(0m, done["usage"]!["cost"]!.GetValue<decimal>());
        Assert.True(done["usage"]!["promptTokens"]!.GetValue<long>() > 0);
        Assert.Equal(llmCalls, app.Llm.Requests.Count); // offline: no remote provider involved
    }

    [Fact]
    public async Task Negative_funding_and_rising_open_interest_screens_with_strict_bounds_and_answers_with_the_values()
    {
        var user = NewUser();

        var events = await Chat(user, "coins with negative funding and rising open interest");

        var call = Sse.Single(events, "tool_call");
        Assert.Equal("filter_coins", call["name"]!.ToString());
        Assert.Equal(-double.Epsilon, call["arguments"]!["maxFundingRate"]!.GetValue<double>());
        Assert.Equal(double.Epsilon, call["arguments"]!["minOiChange_1h"]!.GetValue<double>());
        var query = Assert.Single(app.Market.CallsFor(user), c => c.Path == "/api/coins").Query;
        Assert.Contains("maxFundingRate=-5E-324", query);
        Assert.Contains("minOiChange_1h=5E-324", query);
        var text = Sse.Text(events);
        Assert.Contains("coins with fundingRate < 0% and oiChange_1h > 0%", text);
        Assert.Contains("2. ETHUSDT at 2,000, fundingRate -0.025%, oiChange_1h 3.4%", text);

        var highest = await Chat(user, "highest funding");
        Assert.Equal("fundingRate", Sse.Single(highest, "tool_call")["arguments"]!["sortBy"]!.ToString());
        Assert.Contains("1. BTCUSDT at 1,000, fundingRate +0.01%", Sse.Text(highest));

        var percent = await Chat(user, "funding above 0.05%");
        Assert.Equal(0.0005, Sse.Single(percent, "tool_call")["arguments"]!["minFundingRate"]!.GetValue<double>());
        Assert.Contains(app.Market.CallsFor(user), c => c.Path == "/api/coins" && c.Query.Contains("minFundingRate=0.0005"));
        Assert.Contains("with fundingRate >= 0.05%", Sse.Text(percent));
    }

    [Fact]
    public async Task A_backtest_phrase_runs_backtest_preset_and_answers_with_the_statistics()
    {
        var user = NewUser();

        var events = await Chat(user, "How did Pioneer Bull do over the last 3 days?");

        var call = Sse.Single(events, "tool_call");
        Assert.Equal("backtest_preset", call["name"]!.ToString());
        Assert.Equal("futures_pioneer_bull", Assert.Single(app.Market.Backtests(user))["rule"]!.ToString());
        var text = Sse.Text(events);
        Assert.StartsWith("Backtest of futures_pioneer_bull over the last 3 days: 4 trades (3 won, 1 lost), win rate 75%", text);
        Assert.Contains("max drawdown 0.9%", text);
    }

    [Fact]
    public async Task Watchlist_alert_portfolio_analysis_and_patterns_do_what_they_say()
    {
        var user = NewUser();

        var watch = await Chat(user, "add BTC to my watchlist");
        Assert.Equal(["BTCUSDT"], app.Market.Watchlist(user));
        Assert.Contains("Added BTCUSDT to your watchlist.", Sse.Text(watch));

        var alert = await Chat(user, "alert me when ETHUSDT goes above 4000");
        var created = Assert.Single(app.Market.Alerts(user));
        Assert.Equal("ETHUSDT", created["symbol"]!.ToString());
        Assert.Equal("price_above", created["conditions"]![0]!["type"]!.ToString());
        Assert.Equal(4000, created["conditions"]![0]!["value"]!.GetValue<double>());
        Assert.Contains("the price goes above 4,000", Sse.Text(alert));

        var portfolio = await Chat(user, "show my portfolio");
        Assert.Contains("- BTCUSDT at 100, +25% since added at 80", Sse.Text(portfolio));
        Assert.Contains("Average: +25%; best BTCUSDT, worst BTCUSDT.", Sse.Text(portfolio));

        var analysis = await Chat(user, "analyze SOLUSDT on 15m");
        Assert.Contains(app.Market.CallsFor(user), c => c.Path == "/api/coins/SOLUSDT/candles" && c.Query.Contains("timeframe=15m"));
        var result = Sse.Single(analysis, "tool_result")["result"]!;
        Assert.Equal("SOLUSDT", result["symbol"]!.ToString());
        Assert.NotNull(result["indicators"]!["rsi14"]);
        Assert.NotEmpty(result["recentSignals"]!.AsArray());
        Assert.StartsWith("SOLUSDT on 15m: price", Sse.Text(analysis));

        var patterns = await Chat(user, "find patterns on BTCUSDT 1h");
        Assert.Equal("analyze_pattern", Sse.Single(patterns, "tool_call")["name"]!.ToString());
        Assert.Contains("BTCUSDT 1h", Sse.Text(patterns));
    }

    [Fact]
    public async Task Alerts_and_the_watchlist_are_managed_through_the_plugins()
    {
        var user = NewUser();
        await Chat(user, "alert me when ETHUSDT goes above 4000");
        var id = Assert.Single(app.Market.Alerts(user))["id"]!.ToString();

        var listed = await Chat(user, "show my alerts");
        Assert.Contains($"- {id}: ETHUSDT when the price goes above 4,000", Sse.Text(listed));

        var paused = await Chat(user, $"pause alert {id}");
        Assert.Equal("pause_alert", Sse.Single(paused, "tool_call")["name"]!.ToString());
        Assert.False(Assert.Single(app.Market.Alerts(user))["enabled"]!.GetValue<bool>());
        Assert.Contains("(paused)", Sse.Text(await Chat(user, "show my alerts")));

        await Chat(user, $"delete alert {id}");
        Assert.Contains("You have no alerts.", Sse.Text(await Chat(user, "list my alerts")));

        await Chat(user, "add SOL to my watchlist");
        var removed = await Chat(user, "remove SOL from my watchlist");
        Assert.Contains("Removed SOLUSDT from your watchlist.", Sse.Text(removed));
        Assert.Empty(app.Market.Watchlist(user));
    }

    [Fact]
    public async Task Export_that_as_csv_exports_the_previous_result_of_the_conversation()
    {
        var user = NewUser();
        var client = app.ClientFor(user);
        var first = await Sse.ChatAsync(client, new { message = "find coins with the biggest 1h volume", provider = "local" });
        var conversationId = Sse.Single(first, "done")["conversationId"]!.ToString();

        var export = await Sse.ChatAsync(client, new { message = "export that as CSV", provider = "local", conversationId });

        var result = Sse.Single(export, "tool_result")["result"]!;
        Assert.Equal("filter_coins", result["source"]!.ToString());
        var url = result["url"]!.ToString();
        Assert.Contains($"]({url})", Sse.Text(export));
        using var file = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
        var lines = (await file.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("symbol,price,", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("BTCUSDT,1000,", lines[1]);

        // another user cannot download it
        using var other = await app.ClientFor(NewUser()).GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Export_with_nothing_to_export_explains_instead_of_failing()
    {
        var events = await Chat(NewUser(), "export that as json");
        Assert.Contains("no earlier tool result", Sse.Single(events, "tool_result")["result"]!["error"]!.ToString());
        Assert.Contains("I could not complete export results", Sse.Text(events));
        Assert.Contains(events, e => Sse.Type(e) == "done");
    }

    [Fact]
    public async Task Filters_on_any_metric_reach_the_screener_and_keep_that_field()
    {
        var user = NewUser();
        var events = await Chat(user, "find coins with adx above 25");
        // "adx" is no metric the local grammar knows: it says so rather than guessing
        Assert.DoesNotContain(events, e => Sse.Type(e) == "tool_call");
        Assert.Contains("I do not know which metric \"adx above 25\" means", Sse.Text(events));

        var provider = "local";
        var body = new { message = "find coins with 1h rsi above 52", provider };
        var rsi = await Sse.ChatAsync(app.ClientFor(user), body);
        Assert.Equal(52, Sse.Single(rsi, "tool_call")["arguments"]!["minRsi14_1h"]!.GetValue<double>());
        Assert.Contains(app.Market.CallsFor(user), c => c.Path == "/api/coins" && c.Query.Contains("minRsi14_1h=52"));
    }

    [Fact]
    public async Task Unknown_request_says_so_and_lists_what_it_can_do()
    {
        var events = await Chat(NewUser(), "what's the weather in Paris");
        Assert.DoesNotContain(events, e => Sse.Type(e) == "tool_call");
        var text = Sse.Text(events);
        Assert.Contains("did not understand", text);
        Assert.Contains("export the last result", text);
        Assert.Contains("analyze SOLUSDT on 15m", text);
    }

    [Fact]
    public async Task Unknown_symbol_comes_back_as_a_readable_tool_error()
    {
        var events = await Chat(NewUser(), "analyze DOESNOTEXISTUSDT on 1h");
        Assert.Contains("404", Sse.Single(events, "tool_result")["result"]!["error"]!.ToString());
        Assert.StartsWith("I could not complete get coin analysis: 404", Sse.Text(events));
    }

    private static string NewUser() => "local-" + Guid.NewGuid().ToString("N");

    private Task<List<JsonObject>> Chat(string user, string message) =>
        Sse.ChatAsync(app.ClientFor(user), new { message, provider = "local" });
}
