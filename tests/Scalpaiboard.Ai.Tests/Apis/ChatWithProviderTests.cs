using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Services.Plugins;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Apis;

/// <summary>The chat endpoint against the fake OpenAI-compatible provider, as the acceptance script drives it.</summary>
[Collection(AiAppCollection.Name)]
public sealed class ChatWithProviderTests(AiAppFixture app)
{
    /// <summary>The seven tools of CONTRACT.md and the alert and watchlist functions added with the plugins.</summary>
    private static readonly string[] Tools =
    [
        "add_to_watchlist", "analyze_pattern", "backtest_preset", "create_alert", "delete_alert", "export_results", "filter_coins", "get_coin_analysis",
        "get_portfolio", "list_alerts", "pause_alert", "remove_from_watchlist",
    ];

    [Fact]
    public async Task Operator_provider_gets_the_plugin_functions_tool_runs_as_user_result_goes_back_and_answer_streams()
    {
        var user = "alice-" + Guid.NewGuid().ToString("N");
        var before = app.Llm.RequestsFor("fake-model").Count;

        var events = await Sse.ChatAsync(app.ClientFor(user), new { message = "find coins with the biggest 1h volume" });

        var requests = app.Llm.RequestsFor("fake-model").Skip(before).ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("Bearer " + AiAppFixture.OperatorKey, r.Authorization));
        Assert.True(requests[0].Body["stream"]!.GetValue<bool>());
        Assert.True(requests[0].Body["stream_options"]?["include_usage"]?.GetValue<bool>());

        // every plugin function (the plugin's name as prefix), each with an object schema whose required names are declared properties
        var tools = requests[0].Tools.Select(t => t!["function"]!).ToList();
        Assert.Equal(Tools, tools.Select(t => ToolNames.Bare(t["name"]!.ToString())).Order(StringComparer.Ordinal));
        Assert.Contains("Screener_filter_coins", tools.Select(t => t["name"]!.ToString()));
        foreach (var fn in tools)
        {
            Assert.False(string.IsNullOrWhiteSpace(fn["description"]?.ToString()));
            var parameters = fn["parameters"]!.AsObject();
            Assert.Equal("object", parameters["type"]!.ToString());
            var properties = parameters["properties"]?.AsObject() ?? [];
            foreach (var required in parameters["required"]?.AsArray() ?? [])
            {
                Assert.True(properties.ContainsKey(required!.ToString()), $"{fn["name"]}: required {required} is not a property");
            }
            Assert.All(properties, p => Assert.NotNull(p.Value!["description"]));
        }
        var filter = tools.Single(t => ToolNames.Is(t["name"]!.ToString(), "filter_coins"))["parameters"]!;
        Assert.Contains("minQuoteVolume_1h", filter["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("number", filter["properties"]!["minQuoteVolume_1h"]!["type"]!.ToString());
        Assert.Contains("symbol", tools.Single(t => ToolNames.Is(t["name"]!.ToString(), "add_to_watchlist"))["parameters"]!["required"]!.AsArray().Select(n => n!.ToString()));

        // the tool ran as the user against the stand-in ingest service
        var call = Assert.Single(app.Market.CallsFor(user), c => c.Path == "/api/coins");
        Assert.True(call.SignatureValid);

        // its result went back to the model in round two
        var toolMessage = Assert.Single(requests[1].Messages, m => m?["role"]?.ToString() == "tool");
        Assert.Equal("call_1", toolMessage!["tool_call_id"]!.ToString());
        Assert.Contains("SOLUSDT", toolMessage["content"]!.ToString());
        Assert.Contains(requests[1].Messages, m => m?["role"]?.ToString() == "assistant" && m["tool_calls"] is JsonArray { Count: 1 });

        // events: tool_call, tool_result, the streamed words, done with summed usage and cost
        var toolCall = Sse.Single(events, "tool_call");
        Assert.Equal("filter_coins", toolCall["name"]!.ToString());
        Assert.Equal("call_1", toolCall["callId"]!.ToString());
        var result = Sse.Single(events, "tool_result");
        Assert.Equal("call_1", result["callId"]!.ToString());
        Assert.True(events.IndexOf(toolCall) < events.IndexOf(result));
        var coins = result["result"]!["coins"]!.AsArray();
        Assert.Equal(["BTCUSDT", "ETHUSDT", "SOLUSDT"], coins.Select(c => c!["symbol"]!.ToString()));
        Assert.Null(coins[0]!["adx14_1h"]); // only headline fields unless filtered or sorted on
        Assert.Equal(1_500_000, coins[0]!["quoteVolume_1h"]!.GetValue<double>());
        Assert.Equal(["FAKE", "-ANSWER", "-OK", " done"], events.Where(e => Sse.Type(e) == "content").Select(e => e["content"]!.ToString()));
        var done = Sse.Single(events, "done");
        Assert.Equal("done", Sse.Type(events[^1]));
        Assert.Equal(123, done["usage"]!["promptTokens"]!.GetValue<long>());
        Assert.Equal(45, done["usage"]!["completionTokens"]!.GetValue<long>());
        Assert.Equal(0.000606m, done["usage"]!["cost"]!.GetValue<decimal>());
        Assert.True(Guid.TryParse(done["conversationId"]!.ToString(), out _));
    }

    [Fact]
    public async Task Text_reaches_the_client_while_the_provider_is_still_streaming()
    {
        app.Llm.ResetGate();
        var user = "streamer-" + Guid.NewGuid().ToString("N");
        var provider = await CreateEntryAsync(user, "fake-gated");
        var sawFirstWordWhileGateClosed = false;

        var events = await Sse.ChatAsync(app.ClientFor(user), new { message = "hello", provider }, e =>
        {
            if (Sse.Type(e) == "content" && !app.Llm.Gate.Task.IsCompleted)
            {
                // The provider holds the rest of its answer until we have seen this first word.
                sawFirstWordWhileGateClosed = e["content"]!.ToString() == "FAKE";
                app.Llm.Gate.TrySetResult();
            }
            return Task.CompletedTask;
        });

        Assert.True(sawFirstWordWhileGateClosed);
        Assert.Equal("FAKE-ANSWER-OK done", Sse.Text(events));
    }

    [Fact]
    public async Task Usage_and_cost_are_recorded_per_provider_and_day()
    {
        var user = "usage-" + Guid.NewGuid().ToString("N");
        var client = app.ClientFor(user);
        await Sse.ChatAsync(client, new { message = "first" });
        await Sse.ChatAsync(client, new { message = "second" });

        var usage = (await client.GetFromJsonAsync<JsonObject>("/api/ai/usage"))!;
        var day = Assert.Single(usage["days"]!.AsArray());
        Assert.Equal("custom", day!["provider"]!.ToString());
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), day["day"]!.ToString());
        Assert.Equal(2, day["requests"]!.GetValue<int>());
        Assert.Equal(246, day["promptTokens"]!.GetValue<long>());
        Assert.Equal(90, day["completionTokens"]!.GetValue<long>());
        Assert.Equal(0.001212m, day["cost"]!.GetValue<decimal>());
        Assert.Equal(0.001212m, usage["monthCost"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Budget_warns_at_80_percent_and_refuses_at_100_percent_without_calling_the_provider()
    {
        var user = "budget-" + Guid.NewGuid().ToString("N");
        var client = app.ClientFor(user);
        // one chat costs 0.000606 USD at 2/8 USD per 1M tokens: 86% of 0.0007, then over 100%
        var provider = await CreateEntryAsync(user, "fake-model", monthlyBudget: 0.0007m);

        var first = await Sse.ChatAsync(client, new { message = "one", provider });
        Assert.DoesNotContain(first, e => Sse.Type(e) == "warning");
        var second = await Sse.ChatAsync(client, new { message = "two", provider });
        var warning = Sse.Single(second, "warning");
        Assert.Contains("86%", warning["message"]!.ToString());
        // its first round brings the month to 0.000886 USD: the round's tools and the second call are not made
        Assert.Contains("stopped before the next call", Sse.Single(second, "error")["message"]!.ToString());
        Assert.DoesNotContain(second, e => Sse.Type(e) == "done");

        var calls = app.Llm.Requests.Count(r => r.Authorization == "Bearer sk-user-entry-key-000001");
        var third = await Sse.ChatAsync(client, new { message = "three", provider });
        var error = Sse.Single(third, "error");
        Assert.Contains("budget", error["message"]!.ToString());
        Assert.DoesNotContain(third, e => Sse.Type(e) is "done" or "content");
        Assert.Equal(calls, app.Llm.Requests.Count(r => r.Authorization == "Bearer sk-user-entry-key-000001"));

        var budgets = (await client.GetFromJsonAsync<JsonObject>("/api/ai/usage"))!["budgets"]!.AsArray();
        var status = Assert.Single(budgets, b => b!["provider"]!.ToString() == provider);
        Assert.True(status!["exceeded"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Provider_answering_500_gives_an_error_event_and_a_stored_failed_message()
    {
        var user = "five-hundred-" + Guid.NewGuid().ToString("N");
        var client = app.ClientFor(user);
        var provider = await CreateEntryAsync(user, "fake-500");

        var events = await Sse.ChatAsync(client, new { message = "hello there", provider });

        var error = Sse.Single(events, "error");
        Assert.Contains("500", error["message"]!.ToString());
        await AssertLastMessageFailedAsync(client, error);
    }

    [Fact]
    public async Task A_failure_in_round_two_still_records_the_usage_of_round_one()
    {
        var user = "half-" + Guid.NewGuid().ToString("N");
        var client = app.ClientFor(user);
        var provider = await CreateEntryAsync(user, "fake-fail-second");

        var events = await Sse.ChatAsync(client, new { message = "hello", provider });

        Assert.Contains("500", Sse.Single(events, "error")["message"]!.ToString());
        var day = Assert.Single((await client.GetFromJsonAsync<JsonObject>("/api/ai/usage"))!["days"]!.AsArray())!;
        Assert.Equal(provider, day["provider"]!.ToString());
        Assert.Equal(1, day["failedRequests"]!.GetValue<int>());
        Assert.Equal(100, day["promptTokens"]!.GetValue<long>());
        Assert.Equal(10, day["completionTokens"]!.GetValue<long>());
        Assert.Equal(0.00028m, day["cost"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Provider_that_never_answers_times_out_with_an_error_event()
    {
        var user = "timeout-" + Guid.NewGuid().ToString("N");
        var client = app.ClientFor(user);
        var provider = await CreateEntryAsync(user, "fake-hang");

        var events = await Sse.ChatAsync(client, new { message = "are you there?", provider }, timeout: TimeSpan.FromSeconds(20));

        var error = Sse.Single(events, "error");
        Assert.Contains("did not answer within 3 s", error["message"]!.ToString());
        await AssertLastMessageFailedAsync(client, error);
    }

    [Fact]
    public async Task Client_disconnecting_cancels_the_provider_call()
    {
        var user = "leaver-" + Guid.NewGuid().ToString("N");
        var client = app.ClientFor(user);
        var provider = await CreateEntryAsync(user, "fake-hang");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Sse.ChatAsync(client, new { message = "bye", provider }, cancellationToken: cts.Token));

        // The hanging provider request is aborted, and the turn is stored as broken by the disconnect (not by the
        // 3 s inactivity timeout, which would store its own message).
        await app.Llm.HangAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        JsonNode? last = null;
        for (var i = 0; i < 100 && last?["status"]?.ToString() != "failed"; i++)
        {
            await Task.Delay(50);
            var list = (await client.GetFromJsonAsync<JsonArray>("/api/ai/conversations"))!;
            if (list.Count == 1)
            {
                var detail = (await client.GetFromJsonAsync<JsonObject>($"/api/ai/conversations/{list[0]!["id"]}"))!;
                last = detail["messages"]!.AsArray()[^1];
            }
        }
        Assert.Equal("failed", last?["status"]?.ToString());
        Assert.Equal("The client disconnected before the answer was complete.", last!["error"]!.ToString());
    }

    [Fact]
    public async Task A_tool_error_goes_back_to_the_model_as_a_result()
    {
        var user = "badargs-" + Guid.NewGuid().ToString("N");
        var provider = await CreateEntryAsync(user, "fake-badargs");

        var events = await Sse.ChatAsync(app.ClientFor(user), new { message = "make an alert", provider });

        var result = Sse.Single(events, "tool_result");
        Assert.Contains("condition: 'nonsense' is not one of", result["result"]!["error"]!.ToString());
        var second = app.Llm.RequestsFor("fake-badargs").Last(r => r.HasToolResult);
        Assert.Contains("\"error\"", second.Messages.Single(m => m?["role"]?.ToString() == "tool")!["content"]!.ToString());
        Assert.Equal("FAKE-ANSWER-OK done", Sse.Text(events));
        Assert.Empty(app.Market.Alerts(user));
    }

    [Fact]
    public async Task Tool_calls_of_one_round_run_concurrently()
    {
        var user = "parallel-" + Guid.NewGuid().ToString("N");
        var provider = await CreateEntryAsync(user, "fake-parallel");
        // The portfolio call blocks until the watchlist call has arrived: run one after the other, it would time out.
        app.Market.PortfolioWaitsForWatchlist = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var events = await Sse.ChatAsync(app.ClientFor(user), new { message = "watch btc and show me", provider });

            Assert.Equal(["add_to_watchlist", "get_portfolio"], events.Where(e => Sse.Type(e) == "tool_call").Select(e => e["name"]!.ToString()).Order());
            var results = events.Where(e => Sse.Type(e) == "tool_result").ToList();
            Assert.Equal(2, results.Count);
            Assert.All(results, r => Assert.Null(r["result"]!["error"]));
            Assert.Equal(["BTCUSDT"], app.Market.Watchlist(user));
            var second = app.Llm.RequestsFor("fake-parallel").Last(r => r.HasToolResult);
            Assert.Equal(2, second.Messages.Count(m => m?["role"]?.ToString() == "tool"));
        }
        finally
        {
            app.Market.PortfolioWaitsForWatchlist = null;
        }
    }

    [Fact]
    public async Task The_round_limit_stops_a_model_that_keeps_calling_tools()
    {
        var user = "looper-" + Guid.NewGuid().ToString("N");
        var provider = await CreateEntryAsync(user, "fake-loop");
        var before = app.Llm.RequestsFor("fake-loop").Count;

        var events = await Sse.ChatAsync(app.ClientFor(user), new { message = "loop", provider });

        var requests = app.Llm.RequestsFor("fake-loop").Skip(before).ToList();
        Assert.Equal(6, requests.Count); // 5 rounds with tools (Ai:MaxToolRounds default), then one with tool_choice none
        Assert.Equal("none", requests[^1].Body["tool_choice"]!.ToString());
        Assert.Equal(5, events.Count(e => Sse.Type(e) == "tool_call"));
        Assert.Equal("FAKE-ANSWER-OK done", Sse.Text(events));
    }

    [Fact]
    public async Task A_continued_conversation_replays_its_tool_calls_under_the_offered_names()
    {
        var user = "continue-" + Guid.NewGuid().ToString("N");
        var provider = await CreateEntryAsync(user, "fake-loop");
        var first = await Sse.ChatAsync(app.ClientFor(user), new { message = "loop", provider });
        var conversationId = Sse.Single(first, "done")["conversationId"]!.ToString();
        var before = app.Llm.RequestsFor("fake-loop").Count;

        await Sse.ChatAsync(app.ClientFor(user), new { message = "and again", provider, conversationId });

        var replayed = app.Llm.RequestsFor("fake-loop")[before].Messages;
        var calls = replayed.Where(m => m?["role"]?.ToString() == "assistant" && m["tool_calls"] is JsonArray)
            .SelectMany(m => m!["tool_calls"]!.AsArray()).Select(c => c!["function"]!["name"]!.ToString()).ToList();
        Assert.Equal(5, calls.Count);
        Assert.All(calls, name => Assert.Equal("Watchlist_get_portfolio", name));
        Assert.Equal(5, replayed.Count(m => m?["role"]?.ToString() == "tool"));
    }

    [Fact]
    public async Task The_budget_stops_the_turn_before_the_call_that_would_exceed_it()
    {
        var user = "spender-" + Guid.NewGuid().ToString("N");
        // round one costs 100 x 2 + 10 x 8 per 1M tokens = 0.00028 USD: more than this budget
        var provider = await CreateEntryAsync(user, "fake-model", monthlyBudget: 0.0002m);
        var before = app.Llm.RequestsFor("fake-model").Count;

        var events = await Sse.ChatAsync(app.ClientFor(user), new { message = "find coins", provider });

        Assert.Equal(1, app.Llm.RequestsFor("fake-model").Count - before); // no second, billed call
        Assert.DoesNotContain(events, e => Sse.Type(e) is "tool_call" or "tool_result" or "done");
        Assert.Empty(app.Market.CallsFor(user)); // the tool did not run either
        var error = Sse.Single(events, "error");
        Assert.Contains("budget", error["message"]!.ToString());
        await AssertLastMessageFailedAsync(app.ClientFor(user), error);
        var usage = (await app.ClientFor(user).GetFromJsonAsync<JsonObject>("/api/ai/usage"))!.ToJsonString();
        Assert.Contains("0.00028", usage);

        // the month is used up now: the next message is refused before any provider call
        var again = await Sse.ChatAsync(app.ClientFor(user), new { message = "again", provider });
        Assert.Contains("budget", Sse.Single(again, "error")["message"]!.ToString());
        Assert.Equal(1, app.Llm.RequestsFor("fake-model").Count - before);
    }

    [Fact]
    public async Task A_stream_breaking_off_gives_an_error_event_and_keeps_the_partial_answer()
    {
        var user = "broken-" + Guid.NewGuid().ToString("N");
        var provider = await CreateEntryAsync(user, "fake-break");

        var events = await Sse.ChatAsync(app.ClientFor(user), new { message = "tell me something", provider });

        Assert.Equal("PARTIAL-WORDS", Sse.Text(events));
        var error = Sse.Single(events, "error");
        Assert.Equal("error", Sse.Type(events[^1]));
        await AssertLastMessageFailedAsync(app.ClientFor(user), error);
        var conversation = (await app.ClientFor(user).GetFromJsonAsync<JsonObject>($"/api/ai/conversations/{error["conversationId"]}"))!;
        var messages = conversation["messages"]!.AsArray();
        Assert.Equal("tell me something", messages[0]!["content"]!.ToString());
        Assert.Equal("PARTIAL-WORDS", messages[^1]!["content"]!.ToString());
    }

    private async Task<string> CreateEntryAsync(string user, string model, decimal? monthlyBudget = null)
    {
        var response = await app.ClientFor(user).PostAsJsonAsync("/api/ai/providers", new
        {
            name = "fake " + model,
            preset = "custom",
            baseUrl = app.Llm.BaseUrl,
            model,
            apiKey = "sk-user-entry-key-000001",
            monthlyBudget,
            inputPricePer1M = 2m,
            outputPricePer1M = 8m,
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
    }

    private static async Task AssertLastMessageFailedAsync(HttpClient client, JsonObject error)
    {
        var conversationId = error["conversationId"]!.ToString();
        var conversation = (await client.GetFromJsonAsync<JsonObject>($"/api/ai/conversations/{conversationId}"))!;
        var last = conversation["messages"]!.AsArray()[^1]!;
        Assert.Equal("assistant", last["role"]!.ToString());
        Assert.Equal("failed", last["status"]!.ToString());
        Assert.Equal(error["message"]!.ToString(), last["error"]!.ToString());
    }
}
