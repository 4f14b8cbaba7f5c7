using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

/// <summary>Calls of the Gateway's public REST contract.</summary>
public static class Api
{
    public const string Password = "E2e-pass-12345!";

    public static string NewEmail(string who) => $"e2e-{who}-{Guid.NewGuid():N}@example.com";

    /// <summary>Registers and logs in; returns the access token.</summary>
    public static async Task<string> RegisterAndLoginAsync(HttpClient gateway, string who)
    {
        var email = NewEmail(who);
        using var registered = await gateway.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        Assert.True(registered.IsSuccessStatusCode, $"POST /api/auth/register -> {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
        using var login = await gateway.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var body = await login.Content.ReadAsStringAsync();
        Assert.True(login.IsSuccessStatusCode, $"POST /api/auth/login -> {(int)login.StatusCode} {body}");
        var tokens = JsonNode.Parse(body)!;
        Assert.Equal("Bearer", (string?)tokens["tokenType"]);
        return (string?)tokens["accessToken"] ?? throw new InvalidOperationException($"no accessToken in {body}");
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    public static async Task<(int Status, JsonNode? Body, string Raw)> SendAsync(HttpClient gateway, HttpMethod method, string path,
        string? token = null, object? body = null)
    {
        using var request = Request(method, path, token, body);
        using var response = await gateway.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try { json = raw.Length > 0 ? JsonNode.Parse(raw) : null; } catch (System.Text.Json.JsonException) { }
        return ((int)response.StatusCode, json, raw);
    }

    public static async Task<JsonNode> GetAsync(HttpClient gateway, string path, string? token = null)
    {
        var (status, body, raw) = await SendAsync(gateway, HttpMethod.Get, path, token);
        Assert.True(status == 200, $"GET {path} -> {status} {raw}");
        return body!;
    }

    /// <summary>POST /api/ai/chat and every server-sent event of the answer.</summary>
    public static async Task<List<JsonObject>> ChatAsync(HttpClient gateway, string token, string message, string? provider = null)
    {
        using var request = Request(HttpMethod.Post, "/api/ai/chat", token, new { message, provider });
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/ai/chat -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<JsonObject>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                events.Add(JsonNode.Parse(line[5..].Trim())!.AsObject());
            }
        }
        return events;
    }
}
