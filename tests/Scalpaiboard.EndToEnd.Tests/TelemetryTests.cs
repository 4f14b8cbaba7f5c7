using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>What the AppHost gives every service for its telemetry (docs/operations.md, "Dashboard").</summary>
[Collection(SystemCollection.Name)]
[RunOrder(40)]
public sealed class TelemetryTests(SystemFixture system)
{
    [Fact]
    public async Task Every_service_exports_over_otlp_with_metrics_every_five_seconds_and_a_short_last_flush()
    {
        var services = (await system.ResourcesAsync()).Where(r => r.Name is "ingest" or "alerts" or "ai" or "gateway" or "web").ToList();
        Assert.Equal(5, services.Count);
        foreach (var service in services)
        {
            Assert.True(service.Pid is > 0, $"{service.Name} has no pid: {service}");
            var environment = File.ReadAllText($"/proc/{service.Pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => v.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
            Assert.False(string.IsNullOrEmpty(environment.GetValueOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT")), $"{service.Name} has no OTLP endpoint");
            Assert.Equal("5000", environment.GetValueOrDefault("OTEL_METRIC_EXPORT_INTERVAL"));
            Assert.Equal("1000", environment.GetValueOrDefault("OTEL_EXPORTER_OTLP_TIMEOUT"));
        }
    }
}
