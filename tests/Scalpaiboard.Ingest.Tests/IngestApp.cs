using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>The ingest service in-process with real PostgreSQL (and Redis when given), configured per test.</summary>
public sealed class IngestApp(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public static readonly string SampleData = Scalpaiboard.Testing.SharedData.Data("klines-sample");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        if (!settings.ContainsKey("ConnectionStrings:redis"))
        {
            builder.UseSetting("ConnectionStrings:redis", Scalpaiboard.Testing.RedisServer.Shared.ConnectionString);
        }
        foreach (var (k, v) in settings)
        {
            builder.UseSetting(k, v);
        }
        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    /// <summary>
    /// The service with nothing to feed it (a replay of an empty folder, finished once started), on the given
    /// database and Redis: for tests that hand candles to <c>IngestPipeline</c> themselves.
    /// </summary>
    public static Task<IngestApp> StartIdleAsync(string postgres, string redis, Action<IServiceCollection>? services = null) =>
        StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = postgres,
            ["ConnectionStrings:redis"] = redis,
            ["Ingest:Feed"] = "replay",
            ["Ingest:Replay:Path"] = Directory.CreateTempSubdirectory("scalp-empty-").FullName,
            ["Ingest:Replay:Speed"] = "max",
            ["Ingest:RetentionDays"] = "36500",
        }, "completed", services);

    /// <summary>The service on these settings once its feed reports <paramref name="state"/> (disposed when it never does).</summary>
    public static async Task<IngestApp> StartAsync(IReadOnlyDictionary<string, string?> settings, string state, Action<IServiceCollection>? services = null)
    {
        var app = new IngestApp(settings, services);
        try
        {
            await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == state, TimeSpan.FromSeconds(60));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var client = CreateClient();
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls /api/feed/status until the predicate holds (or fails after the timeout).</summary>
    public async Task<JsonElement> WaitForStatusAsync(Func<JsonElement, bool> until, TimeSpan timeout)
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + timeout;
        JsonElement status = default;
        while (DateTime.UtcNow < deadline)
        {
            status = (await client.GetFromJsonAsync<JsonElement>("/api/feed/status"))!;
            if (until(status))
            {
                return status;
            }
            if (status.GetProperty("state").GetString() == "failed")
            {
                Assert.Fail("feed failed: " + status);
            }
            await Task.Delay(100);
        }
        Assert.Fail($"feed status condition not met within {timeout}: {status}");
        return status;
    }
}
