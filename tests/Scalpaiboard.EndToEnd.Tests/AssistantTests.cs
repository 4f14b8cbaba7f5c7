using System.Text.Json.Nodes;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>The assistant with its default provider (local, offline): its tools act on the user's real data.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(40)]
public sealed class AssistantTests(SystemFixture system, ITestOutputHelper output)
{
    [Fact]
    public async Task Add_to_my_watchlist_puts_the_symbol_on_the_watchlist()
    {
        var token = await Api.RegisterAndLoginAsync(system.Gateway, "ai-w");
        var symbol = system.Sample.Symbols[1];
        var events = await Api.ChatAsync(system.Gateway, token, $"add {symbol} to my watchlist");
        AssertDone(events);
        var watchlist = await Api.GetAsync(system.Gateway, "/api/watchlist", token);
        Assert.Contains($"\"{symbol}\"", watchlist.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alert_me_when_creates_the_alert()
    {
        var token = await Api.RegisterAndLoginAsync(system.Gateway, "ai-a");
        var symbol = system.Sample.Symbols[2];
        var events = await Api.ChatAsync(system.Gateway, token, $"alert me when {symbol} goes above 123456");
        AssertDone(events);
        var alerts = await Api.GetAsync(system.Gateway, "/api/alerts", token);
        var list = alerts is JsonArray a ? a : alerts["alerts"]!.AsArray();
        Assert.Contains(list, x => (string?)x!["symbol"] == symbol
            && x["conditions"]!.AsArray().Any(c => (string?)c!["type"] == "price_above" && (double)c["value"]! == 123456));
    }

    [Theory]
    [InlineData("find coins with 1h volume over 1M and 5m change above 1%", "minQuoteVolume_1h=1000000&minChange_5m=1")]
    [InlineData("find coins with 1h volume over 5M", "minQuoteVolume_1h=5000000")]
    public async Task Screening_question_returns_what_the_coins_endpoint_returns(string question, string query)
    {
        var token = await Api.RegisterAndLoginAsync(system.Gateway, "ai-f");
        var events = await Api.ChatAsync(system.Gateway, token, question);
        AssertDone(events);
        var all = string.Join('\n', events.Select(e => e.ToJsonString()));
        var call = events.LastOrDefault(e => (string?)e["type"] == "tool_call" && (string?)e["name"] == "filter_coins");
        Assert.True(call is not null, "no filter_coins tool_call in " + all);
        // The bounds the question names, and no others.
        var bounds = query.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        var arguments = call!["arguments"]!.AsObject();
        var given = arguments.Where(kv => kv.Key.StartsWith("min", StringComparison.Ordinal) || kv.Key.StartsWith("max", StringComparison.Ordinal))
            .Where(kv => kv.Value is JsonValue)
            .ToDictionary(kv => kv.Key, kv => (double)kv.Value!);
        Assert.Equal(bounds.OrderBy(kv => kv.Key), given.OrderBy(kv => kv.Key));

        var result = events.LastOrDefault(e => (string?)e["type"] == "tool_result" && (string?)e["name"] == "filter_coins");
        Assert.True(result is not null, "no filter_coins tool_result in " + all);
        var fromTool = Symbols(result!["result"]).ToHashSet();
        var coins = await Api.GetAsync(system.Gateway, $"/api/coins?{query}&pageSize=100");
        var fromRest = coins["data"]!.AsArray().Select(c => (string)c!["symbol"]!).ToHashSet();
        output.WriteLine($"{question}: /api/coins?{query} -> [{string.Join(',', fromRest.Order())}]");
        Assert.True(fromTool.SetEquals(fromRest),
            $"filter_coins gave [{string.Join(',', fromTool.Order())}], /api/coins gave [{string.Join(',', fromRest.Order())}]; result {result["result"]?.ToJsonString()}");
    }

    [Fact]
    public async Task A_screening_question_with_matches_names_them()
    {
        // The sample's last hour: at least one coin traded more than 5M USDT (the bound of the question above).
        var coins = await Api.GetAsync(system.Gateway, "/api/coins?minQuoteVolume_1h=5000000&pageSize=100");
        Assert.NotEmpty(coins["data"]!.AsArray());
    }

    private static void AssertDone(List<JsonObject> events)
    {
        var all = string.Join('\n', events.Select(e => e.ToJsonString()));
        Assert.DoesNotContain(events, e => (string?)e["type"] == "error");
        Assert.True(events.Count > 0 && (string?)events[^1]["type"] == "done", "the stream should end with done:\n" + all);
    }

    /// <summary>Every `symbol` named in a tool result (whatever its nesting).</summary>
    private static IEnumerable<string> Symbols(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => kv.Key == "symbol" && kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [s] : Symbols(kv.Value)),
        JsonArray a => a.SelectMany(Symbols),
        _ => [],
    };
}
