using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Apis;

/// <summary>The MCP endpoint of the Ai service, called directly (the Gateway forwards /mcp to it with the signed identity).</summary>
[Collection(AiAppCollection.Name)]
public sealed class McpTests(AiAppFixture app)
{
    private static readonly string[] Tools =
    [
        "add_to_watchlist", "analyze_pattern", "backtest_preset", "create_alert", "delete_alert", "export_results", "filter_coins", "get_coin_analysis",
        "get_portfolio", "list_alerts", "pause_alert", "remove_from_watchlist",
    ];

    private Task<McpClient> ConnectAsync(string user) =>
        McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(app.BaseAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            app.ClientFor(user), ownsHttpClient: true));

    [Fact]
    public async Task Anonymous_requests_get_401()
    {
        using var client = app.AnonymousClient();
        using var response = await client.SendAsync(Rpc(1, "initialize", Initialize()));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            await using var mcp = await McpClient.CreateAsync(new HttpClientTransport(
                new HttpClientTransportOptions { Endpoint = new Uri(app.BaseAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
                app.AnonymousClient(), ownsHttpClient: true));
        });
    }

    [Fact]
    public async Task An_mcp_client_lists_the_tools_and_add_to_watchlist_changes_only_the_callers_watchlist()
    {
        var (alice, bob) = ("mcp-alice-" + Guid.NewGuid().ToString("N"), "mcp-bob-" + Guid.NewGuid().ToString("N"));
        await using var mcp = await ConnectAsync(alice);

        var tools = await mcp.ListToolsAsync();
        Assert.Equal(Tools, tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var add = tools.Single(t => t.Name == "add_to_watchlist");
        Assert.False(string.IsNullOrWhiteSpace(add.Description));
        Assert.Contains("symbol", add.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));

        var result = await mcp.CallToolAsync("add_to_watchlist", new Dictionary<string, object?> { ["symbol"] = "ETHUSDT" });

        Assert.NotEqual(true, result.IsError);
        Assert.Contains("ETHUSDT", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(["ETHUSDT"], app.Market.Watchlist(alice));
        Assert.Empty(app.Market.Watchlist(bob));
        Assert.All(app.Market.CallsFor(alice), c => Assert.True(c.SignatureValid));

        // the same tools for bob act for bob
        await using var asBob = await ConnectAsync(bob);
        var portfolio = await asBob.CallToolAsync("get_portfolio");
        Assert.NotEqual(true, portfolio.IsError);
        Assert.DoesNotContain("ETHUSDT", Assert.IsType<TextContentBlock>(Assert.Single(portfolio.Content)).Text);
    }

    [Fact]
    public async Task A_tool_error_is_an_mcp_tool_error_with_the_reason()
    {
        await using var mcp = await ConnectAsync("mcp-err-" + Guid.NewGuid().ToString("N"));

        var result = await mcp.CallToolAsync("get_coin_analysis", new Dictionary<string, object?> { ["symbol"] = "NOPEUSDT" });

        Assert.True(result.IsError);
        Assert.Contains("404", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task Filter_coins_over_mcp_takes_the_derivatives_bounds_as_json_numbers()
    {
        var user = "mcp-deriv-" + Guid.NewGuid().ToString("N");
        await using var mcp = await ConnectAsync(user);

        var filter = (await mcp.ListToolsAsync()).Single(t => t.Name == "filter_coins");
        var properties = filter.JsonSchema.GetProperty("properties");
        foreach (var name in new[] { "minFundingRate", "maxFundingRate", "minOiChange_1h", "maxOiChange_4h", "minOiChange_1d", "minOpenInterestValue", "maxLongShortRatio" })
        {
            Assert.Equal("number", properties.GetProperty(name).GetProperty("type").GetString());
        }
        Assert.Contains("0.0001 = 0.01 %", properties.GetProperty("maxFundingRate").GetProperty("description").GetString());

        // the strict bound as a client writes it in JSON: 5e-324 is the smallest number above 0
        var result = await mcp.CallToolAsync("filter_coins", new Dictionary<string, object?>
        {
            ["maxFundingRate"] = JsonNode.Parse("-5e-324"), ["minOiChange_4h"] = 2.5, ["sortBy"] = "oiChange_4h",
        });

        Assert.NotEqual(true, result.IsError);
        var query = Assert.Single(app.Market.CallsFor(user), c => c.Path == "/api/coins").Query;
        Assert.Contains("maxFundingRate=-5E-324", query);
        Assert.Contains("minOiChange_4h=2.5", query);
        Assert.Contains("sortBy=oiChange_4h", query);
        var coins = JsonNode.Parse(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text)!["coins"]!.AsArray();
        Assert.Equal(6.1, coins.Single(c => c!["symbol"]!.ToString() == "ETHUSDT")!["oiChange_4h"]!.GetValue<double>());
    }

    [Fact]
    public async Task Raw_streamable_http_as_the_acceptance_script_speaks_it()
    {
        var user = "mcp-raw-" + Guid.NewGuid().ToString("N");
        using var client = app.ClientFor(user);

        using var init = await client.SendAsync(Rpc(1, "initialize", Initialize()));
        Assert.Equal(HttpStatusCode.OK, init.StatusCode);
        Assert.Equal("Scalpaiboard", (await ResultOf(init, 1))!["serverInfo"]!["name"]!.ToString());
        using var initialized = await client.SendAsync(Rpc(null, "notifications/initialized", null));
        Assert.True(initialized.IsSuccessStatusCode);

        using var list = await client.SendAsync(Rpc(2, "tools/list", new JsonObject()));
        var names = (await ResultOf(list, 2))!["tools"]!.AsArray().Select(t => t!["name"]!.ToString()).ToList();
        Assert.Contains("add_to_watchlist", names);

        using var call = await client.SendAsync(Rpc(3, "tools/call",
            new JsonObject { ["name"] = "add_to_watchlist", ["arguments"] = new JsonObject { ["symbol"] = "SOLUSDT" } }));
        Assert.NotEqual(true, (await ResultOf(call, 3))!["isError"]?.GetValue<bool>());
        Assert.Equal(["SOLUSDT"], app.Market.Watchlist(user));
    }

    private static JsonObject Initialize() => new()
    {
        ["protocolVersion"] = "2025-06-18",
        ["capabilities"] = new JsonObject(),
        ["clientInfo"] = new JsonObject { ["name"] = "tests", ["version"] = "1" },
    };

    private static HttpRequestMessage Rpc(int? id, string method, JsonObject? parameters)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (id is not null)
        {
            message["id"] = id;
        }
        if (parameters is not null)
        {
            message["params"] = parameters;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        return request;
    }

    /// <summary>The result of the JSON-RPC answer with this id, from a JSON body or from its SSE data lines.</summary>
    private static async Task<JsonNode?> ResultOf(HttpResponseMessage response, int id)
    {
        var text = await response.Content.ReadAsStringAsync();
        var bodies = text.TrimStart().StartsWith('{')
            ? [text]
            : text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim());
        foreach (var body in bodies)
        {
            if (JsonNode.Parse(body) is JsonObject o && o["id"]?.GetValue<int>() == id)
            {
                Assert.Null(o["error"]);
                return o["result"];
            }
        }
        Assert.Fail("no answer with id " + id + " in: " + text);
        return null;
    }
}
