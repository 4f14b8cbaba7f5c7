using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Apis;

[Collection(AiAppCollection.Name)]
public sealed class ProvidersTests(AiAppFixture app)
{
    private const string SecretKey = "sk-live-very-secret-value-9f3a";

    [Fact]
    public async Task Api_key_is_encrypted_at_rest_never_returned_and_used_for_the_provider()
    {
        var user = "keys-" + Guid.NewGuid().ToString("N");
        var client = app.ClientFor(user);
        var created = await client.PostAsJsonAsync("/api/ai/providers",
            new { name = "My fake", preset = "custom", baseUrl = app.Llm.BaseUrl, model = "fake-model", apiKey = SecretKey });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain(SecretKey, body);
        var entry = JsonNode.Parse(body)!;
        Assert.Equal("sk-...9f3a", entry["keyHint"]!.ToString());
        Assert.True(entry["hasKey"]!.GetValue<bool>());
        var id = entry["id"]!.ToString();
        Assert.DoesNotContain(SecretKey, await client.GetStringAsync("/api/ai/providers"));

        // the row holds Data Protection ciphertext, and the key ring lives in PostgreSQL
        await using var db = NpgsqlDataSource.Create(app.ConnectionString);
        await using (var cmd = db.CreateCommand("SELECT api_key_protected FROM ai.providers WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(Guid.Parse(id));
            var stored = (string)(await cmd.ExecuteScalarAsync())!;
            Assert.DoesNotContain(SecretKey, stored);
            Assert.DoesNotContain("very-secret", stored);
            Assert.Equal(SecretKey, app.Services.GetRequiredService<ApiKeyProtector>().Unprotect(stored));
        }
        await using (var keys = db.CreateCommand("SELECT count(*) FROM ai.data_protection_keys"))
        {
            Assert.True((long)(await keys.ExecuteScalarAsync())! >= 1);
        }

        var events = await Sse.ChatAsync(client, new { message = "hello", provider = id });
        Assert.Equal("FAKE-ANSWER-OK done", Sse.Text(events));
        Assert.Contains(app.Llm.Requests, r => r.Authorization == "Bearer " + SecretKey);

        var test = (await (await client.PostAsync($"/api/ai/providers/{id}/test", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(test["ok"]!.GetValue<bool>());
        Assert.Equal(["fake-model"], test["models"]!.AsArray().Select(m => m!.ToString()));
    }

    [Fact]
    public async Task An_account_has_at_most_20_provider_entries_even_when_created_concurrently()
    {
        var client = app.ClientFor("many-" + Guid.NewGuid().ToString("N"));
        var max = Scalpaiboard.Ai.Apis.ProvidersApi.MaxProvidersPerUser;
        var statuses = await Task.WhenAll(Enumerable.Range(0, max + 5).Select(async i =>
            (await client.PostAsJsonAsync("/api/ai/providers", new { name = $"p{i}", preset = "custom", baseUrl = app.Llm.BaseUrl, model = "m" })).StatusCode));
        Assert.Equal(max, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(max, JsonNode.Parse(await client.GetStringAsync("/api/ai/providers"))!.AsArray().Count);
    }

    [Fact]
    public async Task Provider_entries_are_private_to_their_user()
    {
        var alice = app.ClientFor("pa-" + Guid.NewGuid().ToString("N"));
        var bob = app.ClientFor("pb-" + Guid.NewGuid().ToString("N"));
        var created = await alice.PostAsJsonAsync("/api/ai/providers", new { name = "A", preset = "openai", apiKey = SecretKey });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();

        Assert.Empty((await bob.GetFromJsonAsync<JsonArray>("/api/ai/providers"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PutAsJsonAsync($"/api/ai/providers/{id}", new { name = "B", preset = "openai" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/api/ai/providers/{id}/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/api/ai/providers/{id}")).StatusCode);
        var stolen = await Sse.ChatAsync(bob, new { message = "hi", provider = id });
        Assert.Contains("no provider entry", Sse.Single(stolen, "error")["message"]!.ToString());

        // update keeps the key when none is given, then delete
        var updated = await alice.PutAsJsonAsync($"/api/ai/providers/{id}", new { name = "Renamed", preset = "openai", model = "gpt-4o", monthlyBudget = 5m });
        var u = (await updated.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Renamed", u["name"]!.ToString());
        Assert.Equal("sk-...9f3a", u["keyHint"]!.ToString());
        Assert.Equal(2.5m, u["inputPricePer1M"]!.GetValue<decimal>());
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/ai/providers/{id}")).StatusCode);
        Assert.Empty((await alice.GetFromJsonAsync<JsonArray>("/api/ai/providers"))!);
    }

    [Fact]
    public async Task Invalid_entries_are_problem_details_naming_the_fields()
    {
        var client = app.ClientFor("pv-" + Guid.NewGuid().ToString("N"));
        var response = await client.PostAsJsonAsync("/api/ai/providers",
            new { name = "", preset = "skynet", baseUrl = "ftp://x", monthlyBudget = -1m });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["baseUrl", "monthlyBudget", "name", "preset"], errors.Select(e => e.Key).Order());
        var noKey = await client.PostAsJsonAsync("/api/ai/providers", new { name = "x", preset = "openai" });
        Assert.Contains("apiKey", (await noKey.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Test_reports_an_unreachable_endpoint_as_an_error()
    {
        var client = app.ClientFor("pt-" + Guid.NewGuid().ToString("N"));
        var created = await client.PostAsJsonAsync("/api/ai/providers",
            new { name = "dead", preset = "custom", baseUrl = $"http://127.0.0.1:{Scalpaiboard.Testing.ServerProcess.FreePort()}/v1", model = "m" });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
        var test = (await (await client.PostAsync($"/api/ai/providers/{id}/test", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(test["ok"]!.GetValue<bool>());
        Assert.Contains("could not be reached", test["error"]!.ToString());
    }

    [Theory]
    [InlineData(401)]
    [InlineData(500)]
    public async Task Test_reports_the_status_code_never_the_endpoints_answer(int status)
    {
        var client = app.ClientFor("pe-" + Guid.NewGuid().ToString("N"));
        var created = await client.PostAsJsonAsync("/api/ai/providers",
            new { name = "talkative", preset = "custom", baseUrl = app.Llm.BaseUrl, model = "m", apiKey = $"sk-status-{status}" });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();

        var text = await (await client.PostAsync($"/api/ai/providers/{id}/test", null)).Content.ReadAsStringAsync();

        Assert.DoesNotContain(FakeLlmServer.PrivateBody, text, StringComparison.Ordinal);
        var test = JsonNode.Parse(text)!;
        Assert.False(test["ok"]!.GetValue<bool>());
        Assert.Contains($"HTTP {status}", test["error"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains(app.Llm.Seen, r => r.Authorization == $"Bearer sk-status-{status}");
    }

    [Fact]
    public async Task Presets_list_models_and_prices()
    {
        var presets = (await app.ClientFor("pp-" + Guid.NewGuid().ToString("N")).GetFromJsonAsync<JsonObject>("/api/ai/presets"))!;
        Assert.Equal("custom", presets["defaultProvider"]!.ToString());
        var names = presets["presets"]!.AsArray().Select(p => p!["name"]!.ToString()).ToList();
        Assert.Equal(["anthropic", "azure", "custom", "deepseek", "gemini", "groq", "mistral", "ollama", "openai", "openrouter", "together", "xai"], names.Order());
        var openai = presets["presets"]!.AsArray().Single(p => p!["name"]!.ToString() == "openai")!;
        Assert.Contains(openai["models"]!.AsArray(), m => m!["id"]!.ToString() == "gpt-4o-mini" && m["inputPer1M"]!.GetValue<decimal>() > 0);
    }
}
