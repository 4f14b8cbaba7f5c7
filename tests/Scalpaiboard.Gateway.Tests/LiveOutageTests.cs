using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalpaiboard.Gateway.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Gateway.Tests;

/// <summary>A Redis outage under the live fan-out: its health says so while it lasts, and frames flow again after it.</summary>
public sealed class LiveOutageTests
{
    [Fact]
    public async Task The_live_fanout_is_not_healthy_while_redis_is_down_and_delivers_again_once_it_is_back()
    {
        using var redis = new RedisServer(); // its own: this test stops it
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString });
        await HubTests.WaitForFanoutAsync(gateway);
        var health = gateway.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Name == "live-fanout")).Status);

        redis.Stop();
        var down = await WaitForAsync(health, s => s != HealthStatus.Healthy, TimeSpan.FromSeconds(20));
        Assert.NotEqual(HealthStatus.Healthy, down.Entries["live-fanout"].Status);
        // Aspire's Redis health check (AddRedisClient) reports the outage too.
        var all = await health.CheckHealthAsync();
        Assert.Contains(all.Entries, e => e.Key.Contains("Redis", StringComparison.OrdinalIgnoreCase) && e.Value.Status == HealthStatus.Unhealthy);

        redis.Start();
        await WaitForAsync(health, s => s == HealthStatus.Healthy, TimeSpan.FromSeconds(60));
        await using var ws = await WsClient.ConnectAsync(gateway);
        await ws.SubscribeAsync("signals");
        var frame = HubTests.Frame("signals", new { id = 1, symbol = "BTCUSDT" });
        await HubTests.PublishAsync(gateway, "live:signals", frame);
        Assert.Equal(frame, await ws.ReceiveTextAsync());
    }

    private static async Task<HealthReport> WaitForAsync(HealthCheckService health, Func<HealthStatus, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var report = await health.CheckHealthAsync(r => r.Name == "live-fanout");
            if (until(report.Status))
            {
                return report;
            }
            Assert.True(DateTime.UtcNow < deadline, $"live-fanout stayed {report.Status}");
            await Task.Delay(100);
        }
    }
}
