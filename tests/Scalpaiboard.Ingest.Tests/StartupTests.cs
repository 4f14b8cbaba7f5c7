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
        var psi = IngestProcess.StartInfo(ServerProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = cs,
            ["Ingest__Feed"] = key.StartsWith("Ingest:Replay", StringComparison.Ordinal) ? "replay" : "simulated",
            ["Ingest__Replay__Path"] = IngestApp.SampleData,
            [key.Replace(":", "__", StringComparison.Ordinal)] = value,
        });
        var (exitCode, output) = await ServerProcess.RunToExitAsync(psi, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
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
                Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("PostgreSql").GetProperty("status").GetString());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "feed never reported Unhealthy: " + body);
            await Task.Delay(200);
        }
    }
}
