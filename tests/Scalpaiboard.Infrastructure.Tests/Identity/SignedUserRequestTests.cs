using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Infrastructure.Tests.Identity;

/// <summary>
/// A service behind the Gateway on Kestrel: the signed identity works for the one request it was signed for, never
/// for another method, path, query or body, nor after it expired.
/// </summary>
public sealed class SignedUserRequestTests : IAsyncLifetime
{
    private const string Key = "identity-tests-signing-key-0123456789";
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration[UserContextSigner.ConfigurationKey] = Key;
        builder.AddGatewayUserAuthentication();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/api/a", (ClaimsPrincipal user) => user.UserId()).RequireAuthorization();
        _app.MapGet("/api/b", (ClaimsPrincipal user) => user.UserId()).RequireAuthorization();
        _app.MapDelete("/api/a", (ClaimsPrincipal user) => user.UserId()).RequireAuthorization();
        _app.MapPost("/api/orders", (Order order, ClaimsPrincipal user) => new { user = user.UserId(), order }).RequireAuthorization();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    public sealed record Order(string Symbol, int Quantity);

    private static async Task<HttpRequestMessage> SignedAsync(HttpMethod method, string path, object? body = null, TimeProvider? time = null)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri("http://service"), path));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        await new UserContextSigner(Key, time).SignAsync(request, "alice");
        request.RequestUri = new Uri(path, UriKind.Relative);
        return request;
    }

    /// <summary>The same identity headers on another request.</summary>
    private static HttpRequestMessage Replay(HttpRequestMessage signed, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var name in new[] { UserContextSigner.UserHeader, UserContextSigner.TimeHeader, UserContextSigner.SignatureHeader })
        {
            request.Headers.Add(name, signed.Headers.GetValues(name));
        }
        return request;
    }

    [Fact]
    public async Task The_signed_request_is_the_user_and_its_body_still_reaches_the_endpoint()
    {
        using var get = await SignedAsync(HttpMethod.Get, "/api/a?page=2");
        using var ok = await _http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("alice", await ok.Content.ReadAsStringAsync());

        using var post = await SignedAsync(HttpMethod.Post, "/api/orders", new Order("BTCUSDT", 3));
        using var created = await _http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var echo = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("alice", echo.GetProperty("user").GetString());
        Assert.Equal("BTCUSDT", echo.GetProperty("order").GetProperty("symbol").GetString());
    }

    [Fact]
    public async Task Captured_headers_do_not_work_for_another_method_path_query_or_body()
    {
        using var get = await SignedAsync(HttpMethod.Get, "/api/a?page=2");
        using var post = await SignedAsync(HttpMethod.Post, "/api/orders", new Order("BTCUSDT", 3));
        var attempts = new[]
        {
            Replay(get, HttpMethod.Get, "/api/b?page=2"),
            Replay(get, HttpMethod.Get, "/api/a?page=3"),
            Replay(get, HttpMethod.Get, "/api/a"),
            Replay(get, HttpMethod.Delete, "/api/a?page=2"),
            Replay(post, HttpMethod.Post, "/api/orders", JsonContent.Create(new Order("BTCUSDT", 300))),
        };
        foreach (var attempt in attempts)
        {
            using (attempt)
            using (var response = await _http.SendAsync(attempt))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{attempt.Method} {attempt.RequestUri} -> {(int)response.StatusCode}");
            }
        }
        // The original still works (the signature is not single-use; it expires).
        using var again = Replay(get, HttpMethod.Get, "/api/a?page=2");
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task An_expired_or_missing_signature_is_401()
    {
        using var old = await SignedAsync(HttpMethod.Get, "/api/a", time: new ShiftedTime(-UserContextSigner.MaxAge - TimeSpan.FromSeconds(5)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(old)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/api/a")).StatusCode);
        using var unsigned = new HttpRequestMessage(HttpMethod.Get, "/api/a");
        unsigned.Headers.Add(UserContextSigner.UserHeader, "alice");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(unsigned)).StatusCode);
    }

    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
