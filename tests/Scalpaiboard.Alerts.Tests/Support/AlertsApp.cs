using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Net;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>
/// The Alerts service in-process (WebApplicationFactory) against a real PostgreSQL database and a real redis-server.
/// Each instance gets its own database unless one is passed (restart tests pass the same one).
/// </summary>
public sealed class AlertsApp : WebApplicationFactory<Program>
{
    public const string SigningKey = "alerts-tests-signing-key-0123456789";

    /// <summary>How to start the service as its own process on <paramref name="port"/> (output redirected).</summary>
    public static System.Diagnostics.ProcessStartInfo ProcessStartInfo(string postgres, RedisServer redis, int port)
    {
        var bin = AppContext.BaseDirectory;
        var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(bin, "Scalpaiboard.Alerts"))
        {
            WorkingDirectory = bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (k, v) in ProcessEnvironment(postgres, redis))
        {
            psi.Environment[k] = v;
        }
        return psi;
    }

    /// <summary>What the service needs as a process of its own: the servers, the signing key and key ring, no Ingest.</summary>
    public static Dictionary<string, string> ProcessEnvironment(string postgres, RedisServer redis) => new()
    {
        ["ConnectionStrings__postgres"] = postgres,
        ["ConnectionStrings__redis"] = redis.ConnectionString,
        ["Identity__SigningKey"] = SigningKey,
        ["Security__KeyRingCertificate"] = TestKeyRing.Certificate,
        ["services__ingest__http__0"] = "http://127.0.0.1:9",
    };

    private readonly Dictionary<string, string?> _settings;
    private readonly HostAddressResolver? _resolver;

    /// <param name="resolver">Replaces DNS for user-target connections (maps test names to addresses).</param>
    public AlertsApp(string postgres, RedisServer redis, IDictionary<string, string?>? settings = null, HostAddressResolver? resolver = null)
    {
        _resolver = resolver;
        Postgres = postgres;
        Redis = redis;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = postgres,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            [UserContextSigner.ConfigurationKey] = SigningKey,
            [TestKeyRing.ConfigurationKey] = TestKeyRing.Certificate,
            // Nothing listens there: symbol checks fall back to the stream's symbols quickly.
            ["services:ingest:http:0"] = "http://127.0.0.1:9",
            // the test candles lie in March 2026: keep them whatever the wall clock says (as the e2e run does)
            ["Alerts:RetentionHours"] = "87600",
            ["Alerts:Consumer:BlockMilliseconds"] = "100",
            ["Alerts:Consumer:ClaimIdleSeconds"] = "1",
            ["Alerts:Consumer:ClaimIntervalSeconds"] = "1",
            ["Alerts:Delivery:BaseDelayMilliseconds"] = "100",
            ["Alerts:Delivery:MaxDelaySeconds"] = "2",
            ["Alerts:Jobs:OutboxSweepSchedule"] = "* * * * * *",
            ["Alerts:Jobs:WatchdogSchedule"] = "* * * * * *",
            ["Alerts:Jobs:Workers"] = "2",
            ["Logging:LogLevel:Default"] = "Warning",
            // The receivers of these tests listen on 127.0.0.1: users' webhooks may reach them as on a single-user
            // install. The outbound-request tests set it back to false.
            ["Security:AllowPrivateNetworks"] = "true",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    public string Postgres { get; }

    public RedisServer Redis { get; }

    public static async Task<AlertsApp> StartAsync(RedisServer redis, IDictionary<string, string?>? settings = null, string? postgres = null,
        HostAddressResolver? resolver = null)
    {
        var app = new AlertsApp(postgres ?? await PostgresServer.Shared.CreateDatabaseAsync("alerts"), redis, settings, resolver);
        using var client = app.CreateClient();
        using var health = await client.GetAsync(new Uri("/alive", UriKind.Relative));
        health.EnsureSuccessStatusCode();
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
        if (_resolver is { } resolver)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(resolver));
        }
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    public IEventStream Stream => Service<IEventStream>();

    /// <summary>A client whose requests carry the Gateway's signed headers for <paramref name="userId"/>.</summary>
    public HttpClient UserClient(string userId) => CreateDefaultClient(SignedAs(userId));

    /// <summary>A handler that signs each request for <paramref name="userId"/> as the Gateway would.</summary>
    public static DelegatingHandler SignedAs(string userId) => new SignedUserHandler(new UserContextSigner(SigningKey), userId);

    private sealed class SignedUserHandler(UserContextSigner signer, string userId) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await signer.SignAsync(request, userId, cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}

public static class HttpJson
{
    public static async Task<System.Text.Json.JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = System.Text.Json.JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PostAsJsonAsync(new Uri(url, UriKind.Relative), body);

    public static Task<HttpResponseMessage> PutJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PutAsJsonAsync(new Uri(url, UriKind.Relative), body);

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string url) => client.GetAsync(new Uri(url, UriKind.Relative));

    public static Task<HttpResponseMessage> DeleteAsync(this HttpClient client, string url) => client.DeleteAsync(new Uri(url, UriKind.Relative));
}
