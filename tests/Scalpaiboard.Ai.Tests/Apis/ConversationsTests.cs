using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Apis;

[Collection(AiAppCollection.Name)]
public sealed class ConversationsTests(AiAppFixture app)
{
    [Fact]
    public async Task Conversations_are_stored_per_user_and_hidden_from_others()
    {
        var alice = app.ClientFor("alice-" + Guid.NewGuid().ToString("N"));
        var bob = app.ClientFor("bob-" + Guid.NewGuid().ToString("N"));
        var first = await Sse.ChatAsync(alice, new
        {
            message = "  add   BTC to my watchlist and then tell me all about its recent performance on the 4h chart please  ",
            provider = "local",
        });
        var id = Sse.Single(first, "done")["conversationId"]!.ToString();
        await Sse.ChatAsync(alice, new { message = "show my portfolio", provider = "local", conversationId = id });

        var list = (await alice.GetFromJsonAsync<JsonArray>("/api/ai/conversations"))!;
        var summary = Assert.Single(list)!;
        Assert.Equal("add BTC to my watchlist and then tell me all about its...", summary["title"]!.ToString());
        Assert.Equal(8, summary["messageCount"]!.GetValue<int>());

        var detail = (await alice.GetFromJsonAsync<JsonObject>($"/api/ai/conversations/{id}"))!;
        var roles = detail["messages"]!.AsArray().Select(m => m!["role"]!.ToString());
        Assert.Equal(["user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"], roles);
        var call = detail["messages"]![1]!["toolCalls"]![0]!;
        Assert.Equal("add_to_watchlist", call["name"]!.ToString());
        Assert.Equal("BTCUSDT", call["arguments"]!["symbol"]!.ToString());
        Assert.Equal("add_to_watchlist", detail["messages"]![2]!["toolName"]!.ToString());

        Assert.Empty((await bob.GetFromJsonAsync<JsonArray>("/api/ai/conversations"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/ai/conversations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/api/ai/conversations/{id}")).StatusCode);
        var hijack = await Sse.ChatAsync(bob, new { message = "show my portfolio", provider = "local", conversationId = id });
        Assert.Contains("was not found", Sse.Single(hijack, "error")["message"]!.ToString());
        Assert.Equal(8, (await alice.GetFromJsonAsync<JsonObject>($"/api/ai/conversations/{id}"))!["messages"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/ai/conversations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/ai/conversations/{id}")).StatusCode);
    }

    [Fact]
    public async Task Requests_without_the_gateway_signature_are_refused()
    {
        using var anonymous = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/ai/conversations")).StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/ai/conversations");
        forged.Headers.Add("X-Scalpaiboard-User", "mallory");
        forged.Headers.Add("X-Scalpaiboard-User-Time", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        forged.Headers.Add("X-Scalpaiboard-User-Signature", "not-a-signature");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task An_empty_message_is_a_validation_problem_naming_the_field()
    {
        var response = await app.ClientFor("v-" + Guid.NewGuid().ToString("N")).PostAsJsonAsync("/api/ai/chat", new { message = " " });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotNull(problem["errors"]!["message"]);
    }

    [Fact]
    public async Task Unknown_provider_is_an_error_event_with_the_choices()
    {
        var events = await Sse.ChatAsync(app.ClientFor("p-" + Guid.NewGuid().ToString("N")), new { message = "hi", provider = "nonsense" });
        var message = Sse.Single(events, "error")["message"]!.ToString();
        Assert.Contains("Unknown provider 'nonsense'", message);
        Assert.Contains("openrouter", message);
        var other = await Sse.ChatAsync(app.ClientFor("p-" + Guid.NewGuid().ToString("N")), new { message = "hi", provider = "openai" });
        Assert.Contains("has not configured 'openai'", Sse.Single(other, "error")["message"]!.ToString());
    }

    [Fact]
    public async Task OpenApi_document_describes_the_assistant_endpoints()
    {
        var doc = (await app.AnonymousClient().GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/ai/chat", paths);
        Assert.Contains("/api/ai/providers/{id}/test", paths);
        Assert.Contains("/api/ai/usage", paths);
    }
}
