using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>
/// The assistant's plugin functions as MCP tools through the Gateway, against the real Alerts and Ingest services and
/// PostgreSQL: each acts for the calling user only.
/// </summary>
[Collection(SystemCollection.Name)]
[RunOrder(42)]
public sealed class McpToolsTests(SystemFixture system)
{
    private sealed record ToolResult(bool IsError, string Text)
    {
        public JsonNode? Json => Text.TrimStart().StartsWith('{') ? JsonNode.Parse(Text) : null;
    }

    private async Task<ToolResult> CallAsync(string token, string tool, object arguments)
    {
        var message = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 1,
            ["method"] = "tools/call",
            ["params"] = new JsonObject { ["name"] = tool, ["arguments"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(arguments)) },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        using var response = await system.Gateway.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"tools/call {tool} -> {(int)response.StatusCode} {text}");
        var body = text.TrimStart().StartsWith('{')
            ? text
            : text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim()).Last(l => l.StartsWith('{'));
        var result = JsonNode.Parse(body)!["result"] ?? throw new InvalidOperationException($"tools/call {tool}: no result in {body}");
        var content = string.Concat(result["content"]!.AsArray().Select(c => (string?)c!["text"] ?? ""));
        return new ToolResult((bool?)result["isError"] ?? false, content);
    }

    [Fact]
    public async Task Each_tool_acts_for_the_calling_user_only()
    {
        var alice = await Api.RegisterAndLoginAsync(system.Gateway, "mcp-alice");
        var bob = await Api.RegisterAndLoginAsync(system.Gateway, "mcp-bob");
        var symbol = system.Sample.Symbols[^1];

        // watchlist
        Assert.False((await CallAsync(alice, "add_to_watchlist", new { symbol })).IsError);
        Assert.Contains(symbol, (await CallAsync(alice, "get_portfolio", new { })).Text, StringComparison.Ordinal);
        Assert.DoesNotContain(symbol, (await CallAsync(bob, "get_portfolio", new { })).Text, StringComparison.Ordinal);

        // alerts: create, list, pause, delete; Bob can neither see nor touch Alice's
        var created = await CallAsync(alice, "create_alert", new { symbol, condition = "price_above", value = 1e12, note = "mcp e2e" });
        Assert.False(created.IsError, created.Text);
        var listed = await CallAsync(alice, "list_alerts", new { symbol });
        var alert = listed.Json!["alerts"]!.AsArray().Single(a => (string?)a!["symbol"] == symbol)!;
        var id = (long)alert["id"]!;
        Assert.DoesNotContain(symbol, (await CallAsync(bob, "list_alerts", new { })).Text, StringComparison.Ordinal);
        var bobPause = await CallAsync(bob, "pause_alert", new { alertId = id });
        Assert.True(bobPause.IsError || bobPause.Text.Contains("error", StringComparison.OrdinalIgnoreCase), bobPause.Text);
        var bobDelete = await CallAsync(bob, "delete_alert", new { alertId = id });
        Assert.True(bobDelete.IsError || bobDelete.Text.Contains("error", StringComparison.OrdinalIgnoreCase), bobDelete.Text);
        Assert.False((await CallAsync(alice, "pause_alert", new { alertId = id })).IsError);
        var paused = (await CallAsync(alice, "list_alerts", new { symbol })).Json!["alerts"]!.AsArray().Single(a => (long)a!["id"]! == id)!;
        Assert.False((bool)paused["enabled"]!);
        Assert.False((await CallAsync(alice, "delete_alert", new { alertId = id })).IsError);
        Assert.DoesNotContain((await CallAsync(alice, "list_alerts", new { symbol })).Json!["alerts"]!.AsArray(), a => (long)a!["id"]! == id);

        Assert.False((await CallAsync(alice, "remove_from_watchlist", new { symbol })).IsError);
        Assert.DoesNotContain(symbol, (await CallAsync(alice, "get_portfolio", new { })).Text, StringComparison.Ordinal);

        // the screener reads the live market
        var screened = await CallAsync(bob, "filter_coins", new { });
        Assert.False(screened.IsError, screened.Text);
        Assert.Contains(system.Sample.Symbols, s => screened.Text.Contains(s, StringComparison.Ordinal));
        var analysis = await CallAsync(bob, "get_coin_analysis", new { symbol });
        Assert.False(analysis.IsError, analysis.Text);
        Assert.Contains(symbol, analysis.Text, StringComparison.Ordinal);
    }
}
