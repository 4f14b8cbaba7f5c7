using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Scalpaiboard.Gateway.Tests.Support;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Gateway.Tests;

public sealed class ForwardingFixture : IAsyncLifetime
{
    public FakeService Fake { get; } = new();
    public Downstream Downstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Downstream = await Support.Downstream.StartAsync(Fake.Map);
        var address = Downstream.Address.ToString().TrimEnd('/');
        Gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["services:ingest:http:0"] = address,
            ["services:alerts:http:0"] = address,
            ["services:ai:http:0"] = address,
            ["Gateway:Forwarding:ActivityTimeout"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Downstream.DisposeAsync();
    }

    /// <summary>Registers and logs in a fresh user; returns its id and access token.</summary>
    public async Task<(string UserId, string Token)> NewUserAsync(HttpClient http)
    {
        var email = $"fw-{Guid.NewGuid():N}@example.com";
        var created = await (await http.PostAsJsonAsync("/api/auth/register", new { email, password = "Good-pass-123" })).Content.ReadFromJsonAsync<JsonElement>();
        var login = await (await http.PostAsJsonAsync("/api/auth/login", new { email, password = "Good-pass-123" })).Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetString()!, login.GetProperty("accessToken").GetString()!);
    }
}

[CollectionDefinition(nameof(ForwardingCollection))]
public sealed class ForwardingCollection : ICollectionFixture<ForwardingFixture>;

[Collection(nameof(ForwardingCollection))]
public sealed class ForwardingTests(ForwardingFixture fixture) : IDisposable
{
    private readonly HttpClient _http = fixture.Gateway.CreateHttpClient();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Anonymous_call_to_alerts_gets_401_from_the_service()
    {
        var response = await _http.GetAsync("/api/alerts");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Authenticated_call_reaches_the_service_as_that_user()
    {
        var (userId, token) = await fixture.NewUserAsync(_http);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(userId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_validly_signed_user_header_from_the_caller_is_stripped()
    {
        // Even a correctly signed header (as if captured from inside) must not pass through the Gateway.
        var (time, signature) = new UserContextSigner(GatewayFactory.SigningKey).Sign("victim", "GET", "/api/alerts", UserContextSigner.EmptyBodyDigest);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts");
        request.Headers.Add(UserContextSigner.UserHeader, "victim");
        request.Headers.Add(UserContextSigner.TimeHeader, time);
        request.Headers.Add(UserContextSigner.SignatureHeader, signature);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_forged_user_header_is_replaced_by_the_callers_real_identity()
    {
        var (userId, token) = await fixture.NewUserAsync(_http);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/signals/echo/x");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(UserContextSigner.UserHeader, "victim");
        request.Headers.Add("X-Scalpaiboard-User-Extra", "forged");
        var echo = await (await _http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(userId, echo.GetProperty("user").GetString());
        var headers = echo.GetProperty("headers");
        Assert.Equal(userId, headers.GetProperty("x-scalpaiboard-user").GetString());
        Assert.False(headers.TryGetProperty("x-scalpaiboard-user-extra", out _));
        Assert.False(headers.TryGetProperty("authorization", out _), "the caller's bearer token must not reach services");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("POST")]
    public async Task Method_path_query_and_headers_are_forwarded(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/signals/echo/a/b?x=1&y=two%20words&z=%2F&x=2");
        request.Headers.Add("X-Custom", "value-1");
        if (method is "PUT" or "PATCH" or "POST")
        {
            request.Content = new StringContent("{\"a\":1}", Encoding.UTF8, "application/json");
        }
        var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(method, echo.GetProperty("method").GetString());
        Assert.Equal("/api/signals/echo/a/b", echo.GetProperty("path").GetString());
        Assert.Equal("?x=1&y=two%20words&z=%2F&x=2", echo.GetProperty("query").GetString());
        var headers = echo.GetProperty("headers");
        Assert.Equal("value-1", headers.GetProperty("x-custom").GetString());
        Assert.Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("http", headers.GetProperty("x-forwarded-proto").GetString());
        Assert.Equal(fixture.Gateway.BaseAddress.Authority, headers.GetProperty("x-forwarded-host").GetString());
        Assert.Equal(fixture.Downstream.Address.Authority, headers.GetProperty("host").GetString());
    }

    [Fact]
    public async Task Status_codes_and_response_headers_pass_through_and_redirects_are_not_followed()
    {
        var teapot = await _http.GetAsync("/api/signals/status/418");
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal("yes", teapot.Headers.GetValues("X-Downstream").Single());

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Gateway.BaseAddress };
        var redirect = await noRedirects.GetAsync("/api/signals/status/302");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/somewhere-else", redirect.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_10_MB_upload_streams_through_without_being_buffered()
    {
        var data = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        fixture.Fake.ResetGates();
        // The content stops after the first 2 MB until the service confirms it has received a megabyte:
        // a Gateway that buffered the request would never deliver it, and the test would time out.
        var content = new GatedContent(data, 2 * 1024 * 1024, fixture.Fake.UploadFirstChunk.Task);
        var response = await _http.PostAsync("/api/signals/upload", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(data.Length, result.GetProperty("length").GetInt64());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), result.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_10_MB_download_streams_through_without_being_buffered()
    {
        const int size = 10 * 1024 * 1024;
        fixture.Fake.ResetGates();
        using var response = await _http.GetAsync($"/api/signals/download?size={size}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long received = 0;
        var bad = 0;
        // The service holds the rest back until we have seen its first megabyte.
        while (received < 1024 * 1024)
        {
            var n = await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(n > 0, "the stream ended early");
            bad += CountWrong(buffer, n, received);
            received += n;
        }
        fixture.Fake.DownloadGate.TrySetResult();
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bad += CountWrong(buffer, read, received);
            received += read;
        }
        Assert.Equal(size, received);
        Assert.Equal(0, bad);
    }

    [Fact]
    public async Task Server_sent_events_arrive_event_by_event()
    {
        fixture.Fake.ResetGates();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ai/chat") { Content = JsonContent.Create(new { message = "hi" }) };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);
        // The first event arrives while the service is still waiting to send the second.
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("data: {\"type\":\"content\",\"content\":\"first\"}", first);
        Assert.False(fixture.Fake.SseGate.Task.IsCompleted);
        fixture.Fake.SseGate.TrySetResult();
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("data: {\"type\":\"done\"}", rest);
    }

    [Fact]
    public async Task A_client_that_leaves_cancels_the_call_to_the_service()
    {
        fixture.Fake.ResetGates();
        using (var response = await _http.GetAsync("/api/ai/hang", HttpCompletionOption.ResponseHeadersRead))
        {
            await fixture.Fake.HangStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64];
            Assert.True(await body.ReadAsync(buffer) > 0);
        }
        // Disposing the response closed our connection; the Gateway must close its own to the service.
        await fixture.Fake.HangAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_service_that_does_not_answer_in_time_is_a_504_problem()
    {
        var response = await _http.GetAsync("/api/coins/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ingest", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_api_paths_are_404_problems_and_not_forwarded()
    {
        var response = await _http.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Mcp_without_a_bearer_token_is_401_from_the_gateway()
    {
        foreach (var path in new[] { "/mcp", "/mcp/sse" })
        {
            var response = await _http.PostAsJsonAsync(path, new { jsonrpc = "2.0", id = 1, method = "tools/list" });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            // The Gateway refused it: the stand-in's echo (which answers anonymous calls too) never saw it.
            Assert.NotEqual("application/json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Mcp_with_a_bearer_token_reaches_the_ai_service_as_that_user()
    {
        var (userId, token) = await fixture.NewUserAsync(_http);
        foreach (var path in new[] { "/mcp", "/mcp/messages" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "tools/list" }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("Cookie", "session=caller");
            var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(path, echo.GetProperty("path").GetString());
            Assert.Equal(userId, echo.GetProperty("user").GetString());
            var headers = echo.GetProperty("headers");
            Assert.False(headers.TryGetProperty("authorization", out _));
            Assert.False(headers.TryGetProperty("cookie", out _));
        }
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        var response = await _http.GetAsync("/api/signals/echo/x");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Cors_allows_the_web_origin_only()
    {
        using var allowed = new HttpRequestMessage(HttpMethod.Options, "/api/signals/echo/x");
        allowed.Headers.Add("Origin", "http://127.0.0.1:5000");
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        allowed.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var ok = await _http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal("http://127.0.0.1:5000", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var other = new HttpRequestMessage(HttpMethod.Options, "/api/signals/echo/x");
        other.Headers.Add("Origin", "http://evil.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");
        var denied = await _http.SendAsync(other);
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static int CountWrong(byte[] buffer, int count, long offset)
    {
        var wrong = 0;
        for (var i = 0; i < count; i++)
        {
            if (buffer[i] != (byte)((offset + i) % 251))
            {
                wrong++;
            }
        }
        return wrong;
    }

    /// <summary>Request content that pauses after <c>pauseAfter</c> bytes until <c>resume</c> completes.</summary>
    private sealed class GatedContent(byte[] data, int pauseAfter, Task resume) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(data.AsMemory(0, pauseAfter));
            await stream.FlushAsync();
            await resume.WaitAsync(TimeSpan.FromSeconds(15));
            await stream.WriteAsync(data.AsMemory(pauseAfter));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }
}
