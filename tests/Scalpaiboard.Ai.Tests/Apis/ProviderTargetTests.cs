using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Apis;

/// <summary>
/// Users' provider entries may reach only public addresses (the default); the operator's provider (<c>Ai:BaseUrl</c>)
/// is trusted and stays on 127.0.0.1.
/// </summary>
public sealed class ProviderTargetTests(StrictAiAppFixture app) : IClassFixture<StrictAiAppFixture>
{
    [Theory]
    [InlineData("http://127.0.0.1/v1")]
    [InlineData("http://2130706433/v1")]
    [InlineData("http://0x7f000001/v1")]
    [InlineData("http://[::ffff:127.0.0.1]/v1")]
    [InlineData("http://[::1]:11434/v1")]
    [InlineData("http://localhost/v1")]
    [InlineData("http://ollama.localhost:11434/v1")]
    [InlineData("http://169.254.169.254/latest")]
    [InlineData("http://192.168.1.10:11434/v1")]
    [InlineData("https://user:pass@api.example.com/v1")]
    public async Task Saving_a_provider_with_a_non_public_literal_localhost_or_user_info_base_url_is_a_400_naming_baseUrl(string baseUrl)
    {
        var client = app.ClientFor("ssrf-save-" + Guid.NewGuid().ToString("N"));
        using var created = await client.PostAsJsonAsync("/api/ai/providers", new { name = "x", preset = "custom", baseUrl, model = "m" });
        await AssertBaseUrlProblemAsync(created);

        using var fine = await client.PostAsJsonAsync("/api/ai/providers",
            new { name = "x", preset = "custom", baseUrl = "https://api.example.com/v1", model = "m" });
        Assert.Equal(HttpStatusCode.Created, fine.StatusCode);
        var id = (await fine.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
        using var updated = await client.PutAsJsonAsync($"/api/ai/providers/{id}", new { name = "x", preset = "custom", baseUrl, model = "m" });
        await AssertBaseUrlProblemAsync(updated);
    }

    [Fact]
    public async Task A_preset_whose_default_address_is_loopback_needs_a_public_base_url()
    {
        var client = app.ClientFor("ssrf-ollama-" + Guid.NewGuid().ToString("N"));
        using var created = await client.PostAsJsonAsync("/api/ai/providers", new { name = "o", preset = "ollama" });
        var message = await AssertBaseUrlProblemAsync(created);
        Assert.Contains("'ollama' preset's address", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_url_whose_name_resolves_to_loopback_is_refused_by_test_and_chat_and_the_provider_sees_nothing()
    {
        const string key = "sk-evil-entry-key-0001";
        var client = app.ClientFor("ssrf-evil-" + Guid.NewGuid().ToString("N"));
        using var created = await client.PostAsJsonAsync("/api/ai/providers",
            new { name = "evil", preset = "custom", baseUrl = app.EvilBaseUrl, model = "fake-model", apiKey = key });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode); // a name passes the save-time check; the connection is checked
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();

        var test = (await (await client.PostAsync($"/api/ai/providers/{id}/test", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(test["ok"]!.GetValue<bool>());
        Assert.Contains("Refused to connect to 'evil.example'", test["error"]!.ToString(), StringComparison.Ordinal);

        var events = await Sse.ChatAsync(client, new { message = "hello", provider = id });
        Assert.Contains("Refused to connect to 'evil.example'", Sse.Single(events, "error")["message"]!.ToString(), StringComparison.Ordinal);

        Assert.DoesNotContain(app.Llm.Seen, r => r.Authorization.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_operators_provider_on_loopback_keeps_working()
    {
        var events = await Sse.ChatAsync(app.ClientFor("ssrf-operator-" + Guid.NewGuid().ToString("N")), new { message = "hello" });
        Assert.Equal("FAKE-ANSWER-OK done", Sse.Text(events));
    }

    private static async Task<string> AssertBaseUrlProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["baseUrl"], errors.Select(e => e.Key));
        return errors["baseUrl"]![0]!.ToString();
    }
}
