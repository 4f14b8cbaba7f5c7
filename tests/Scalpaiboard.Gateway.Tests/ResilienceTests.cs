using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Scalpaiboard.Gateway.Tests.Support;
using Scalpaiboard.ServiceDefaults;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Gateway.Tests;

/// <summary>Services that are down, health aggregation, rate limits, request size limits.</summary>
public sealed class ResilienceTests
{
    [Fact]
    public async Task A_stopped_service_gives_502_problem_details_and_the_gateway_stays_healthy()
    {
        await using var alerts = await Downstream.StartAsync(app =>
        {
            app.MapGet("/health", () => Results.Json(new { status = "Healthy" }));
            app.MapGet("/api/signals", () => Results.Json(new { signals = Array.Empty<object>() }));
        });
        var nothingListens = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["services:ingest:http:0"] = nothingListens,
            ["services:alerts:http:0"] = alerts.Address.ToString(),
        });
        using var http = gateway.CreateHttpClient();

        var down = await http.GetAsync("/api/coins?page=1");
        Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        var problem = await down.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(502, problem.GetProperty("status").GetInt32());
        Assert.Contains("ingest", problem.GetProperty("detail").GetString());

        // ai has no address at all: also 502, naming the setting.
        var unconfigured = await http.PostAsJsonAsync("/api/ai/chat", new { message = "hi" });
        Assert.Equal(HttpStatusCode.BadGateway, unconfigured.StatusCode);
        Assert.Contains("services__ai__http__0", (await unconfigured.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/signals")).StatusCode);

        var health = await http.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        var services = body.GetProperty("services");
        Assert.Equal("Unhealthy", services.GetProperty("ingest").GetString());
        Assert.Equal("Healthy", services.GetProperty("alerts").GetString());
        Assert.Equal("Unhealthy", services.GetProperty("ai").GetString());
        Assert.Equal("Healthy", services.GetProperty("gateway").GetString());
    }

    [Fact]
    public async Task Api_health_is_healthy_when_every_service_is()
    {
        await using var service = await Downstream.StartAsync(app => app.MapGet("/health", () => Results.Json(new { status = "Healthy" })));
        var address = service.Address.ToString();
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["services:ingest:http:0"] = address,
            ["services:alerts:http:0"] = address,
            ["services:ai:http:0"] = address,
        });
        using var http = gateway.CreateHttpClient();
        var body = await http.GetFromJsonAsync<JsonElement>("/api/health");
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal(4, body.GetProperty("services").EnumerateObject().Count());
    }

    [Fact]
    public async Task Over_the_limit_gets_429_with_retry_after_per_user_and_per_signed_client_address()
    {
        await using var gateway = await LimitedGateway.StartAsync(permitsPerMinute: 5);
        var http = gateway.Http;

        // Account calls count too; take the token first as a different browser behind the Web server.
        var token = await LoginAsync(http, Browser("10.9.9.9"));

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            codes.Add((await SendAsync(http, Browser("10.0.0.1"))).StatusCode);
        }
        Assert.Equal(5, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(5, codes.Count(c => c == HttpStatusCode.TooManyRequests));

        var limited = await SendAsync(http, Browser("10.0.0.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds");
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        // Another end user behind the Web server has a budget of their own...
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, Browser("10.0.0.2"))).StatusCode);
        // ...and so has a logged-in user, whatever address the calls come from.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, Browser("10.0.0.1"), token)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(http, Browser("10.0.0.3"), token)).StatusCode);
    }

    [Fact]
    public async Task An_anonymous_caller_rotating_X_Forwarded_For_or_forging_the_client_header_still_hits_its_limit()
    {
        await using var gateway = await LimitedGateway.StartAsync(permitsPerMinute: 5);
        var http = gateway.Http;

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            var headers = new Dictionary<string, string>
            {
                ["X-Forwarded-For"] = $"10.1.{i}.1",
                [ClientAddressSignature.Header] = ClientAddressSignature.Create("not-the-signing-key-0123456789", IPAddress.Parse($"10.2.{i}.1"), DateTimeOffset.UtcNow),
            };
            codes.Add((await SendAsync(http, headers)).StatusCode);
        }
        Assert.Equal(5, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(5, codes.Count(c => c == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task X_Forwarded_For_counts_when_the_connection_comes_from_a_configured_proxy()
    {
        await using var gateway = await LimitedGateway.StartAsync(permitsPerMinute: 2, ("Gateway:KnownProxies:0", "127.0.0.1"));
        var http = gateway.Http;

        foreach (var client in new[] { "203.0.113.1", "203.0.113.2" })
        {
            var codes = new List<HttpStatusCode>();
            for (var i = 0; i < 3; i++)
            {
                codes.Add((await SendAsync(http, new Dictionary<string, string> { ["X-Forwarded-For"] = client })).StatusCode);
            }
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        }
    }

    [Fact]
    public async Task Websocket_connections_are_limited_per_client_address()
    {
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:WebSocket:MaxConnectionsPerClient"] = "2",
        });
        using var a = new System.Net.WebSockets.ClientWebSocket();
        using var b = new System.Net.WebSockets.ClientWebSocket();
        await a.ConnectAsync(gateway.WebSocketUri, CancellationToken.None);
        await b.ConnectAsync(gateway.WebSocketUri, CancellationToken.None);
        using var c = new System.Net.WebSockets.ClientWebSocket();
        using var http = new HttpClient();
        var ex = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => c.ConnectAsync(gateway.WebSocketUri, http, CancellationToken.None));
        Assert.Contains("429", ex.Message);

        await a.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        // Once one closes, a new connection is accepted again.
        await WaitUntilAsync(async () =>
        {
            try
            {
                using var probe = new System.Net.WebSockets.ClientWebSocket();
                await probe.ConnectAsync(gateway.WebSocketUri, CancellationToken.None);
                await probe.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return true;
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                return false;
            }
        });
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413()
    {
        await using var service = await Downstream.StartAsync(app => app.MapPost("/api/watchlist", async (HttpContext c) =>
        {
            await c.Request.Body.CopyToAsync(Stream.Null);
            return Results.Ok();
        }));
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["services:alerts:http:0"] = service.Address.ToString(),
            ["Gateway:MaxRequestBodyBytes"] = "100000",
        });
        using var http = gateway.CreateHttpClient();
        var small = await http.PostAsync("/api/watchlist", new ByteArrayContent(new byte[50_000]));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        var large = await http.PostAsync("/api/watchlist", new ByteArrayContent(new byte[200_000]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task A_route_takes_at_most_its_own_body_limit_and_forwards_nothing_over_it()
    {
        var reached = 0;
        await using var service = await Downstream.StartAsync(app => app.MapPost("/api/alerts", async (HttpContext c) =>
        {
            Interlocked.Increment(ref reached);
            await c.Request.Body.CopyToAsync(Stream.Null);
            return Results.Ok();
        }));
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?> { ["services:alerts:http:0"] = service.Address.ToString() });
        using var http = gateway.CreateHttpClient();

        var large = await http.PostAsync("/api/alerts", new ByteArrayContent(new byte[Scalpaiboard.Gateway.Services.Forwarding.ServiceRoutes.SmallBody + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("application/problem+json", large.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, reached);
        var fits = await http.PostAsync("/api/alerts", new ByteArrayContent(new byte[Scalpaiboard.Gateway.Services.Forwarding.ServiceRoutes.SmallBody]));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    /// <summary>A Gateway with a low rate limit in front of an ingest that answers <c>/api/symbols</c>.</summary>
    private sealed class LimitedGateway(Downstream service, GatewayFactory gateway) : IAsyncDisposable
    {
        public HttpClient Http { get; } = gateway.CreateHttpClient();

        public static async Task<LimitedGateway> StartAsync(int permitsPerMinute, params (string Key, string Value)[] settings)
        {
            var service = await Downstream.StartAsync(app => app.MapGet("/api/symbols", () => Results.Json(new[] { "BTCUSDT" })));
            var configuration = new Dictionary<string, string?>
            {
                ["services:ingest:http:0"] = service.Address.ToString(),
                ["Gateway:RateLimit:PermitsPerMinute"] = permitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in settings)
            {
                configuration[key] = value;
            }
            return new LimitedGateway(service, await GatewayFactory.StartAsync(configuration));
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await gateway.DisposeAsync();
            await service.DisposeAsync();
        }
    }

    /// <summary>The header the Web server adds for a browser at <paramref name="address"/>.</summary>
    private static Dictionary<string, string> Browser(string address) => new()
    {
        [ClientAddressSignature.Header] = ClientAddressSignature.Create(GatewayFactory.SigningKey, IPAddress.Parse(address), DateTimeOffset.UtcNow),
    };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Dictionary<string, string> headers, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/symbols");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request);
    }

    private static async Task<string> LoginAsync(HttpClient http, Dictionary<string, string> headers)
    {
        var email = $"rl-{Guid.NewGuid():N}@example.com";
        foreach (var path in new[] { "/api/auth/register", "/api/auth/login" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { email, password = "Good-pass-123" }) };
            foreach (var (name, value) in headers)
            {
                request.Headers.Add(name, value);
            }
            var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            if (path.EndsWith("login", StringComparison.Ordinal))
            {
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
            }
        }
        throw new InvalidOperationException();
    }
}
