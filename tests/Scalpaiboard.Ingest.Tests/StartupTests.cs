using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class StartupTests
{
    [Theory]
    [InlineData("Ingest:Feed", "bogus", "Ingest:Feed")]
    [InlineData("Ingest:Replay:Speed", "fast", "Ingest:Replay:Speed")]
    [InlineData("Ingest:RetentionDays", "0", "Ingest:RetentionDays")]
    [InlineData("Ingest:Binance:StreamsPerConnection", "500", "Ingest:Binance:StreamsPerConnection")]
    [InlineData("Ingest:Simulated:HistoryMinutes", "10000", "Ingest:Simulated:HistoryMinutes")]
    [InlineData("Ingest:RestoreMinutes", "60", "Ingest:RestoreMinutes")]
    public async Task A_bad_setting_stops_the_service_naming_the_key(string key, string value, string named)
    {
        // The real service process, as an operator starts it (in-process, WebApplicationFactory's deferred host can
        // lose the start-up exception to an ObjectDisposedException when the app fails that early).
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("opts");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(IngestProcess.FindServiceDll());
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        psi.Environment["ConnectionStrings__postgres"] = cs;
        psi.Environment["ConnectionStrings__redis"] = RedisServer.Shared.ConnectionString;
        psi.Environment["Ingest__Feed"] = key.StartsWith("Ingest:Replay", StringComparison.Ordinal) ? "replay" : "simulated";
        psi.Environment["Ingest__Replay__Path"] = IngestApp.SampleData;
        psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the service kept running with {key}={value}");
        }
        var output = await stdout + await stderr;
        Assert.NotEqual(0, process.ExitCode);
        Assert.True(output.Contains("OptionsValidationException", StringComparison.Ordinal), output);
        Assert.True(output.Contains(named, StringComparison.Ordinal), output);
    }

    [Fact]
    public async Task Health_is_unhealthy_when_the_feed_failed()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("health");
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "binance",
            // Nothing listens there: exchangeInfo fails, so does the feed.
            ["Ingest:Binance:RestUrl"] = $"http://127.0.0.1:{ServerProcess.FreePort()}",
            ["Ingest:Binance:StreamUrl"] = $"ws://127.0.0.1:{ServerProcess.FreePort()}",
        });
        await app.WaitForStatusAsync(s => true, TimeSpan.FromSeconds(5));
        using var client = app.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await client.GetAsync("/health");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var feed = body.GetProperty("checks").GetProperty("feed").GetProperty("status").GetString();
            if (feed == "Unhealthy")
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "feed never reported Unhealthy: " + body);
            await Task.Delay(200);
        }
    }
}
