using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

public sealed class RedisRegistrationTests
{
    private static HostApplicationBuilder Builder(string? connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddMetrics();
        builder.Services.AddLogging();
        if (connectionString is not null)
        {
            builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:redis", connectionString)]);
        }
        return builder;
    }

    [Fact]
    public void AddRedis_MissingConnectionString_ErrorNamesTheKey()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Builder(null).AddRedis());
        Assert.Contains("ConnectionStrings:redis", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRedis_InvalidConnectionString_ErrorNamesTheKeyAndProblem()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Builder("127.0.0.1:6379,frobnicate=1").AddRedis());
        Assert.Contains("ConnectionStrings:redis", ex.Message, StringComparison.Ordinal);
        Assert.Contains("frobnicate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRedis_RegistersOneClientBehindTheThreeInterfaces_AndAHealthyCheck()
    {
        var builder = Builder(RedisServer.Shared.ConnectionString);
        builder.AddRedis();
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<RedisClient>();
        Assert.Same(client, host.Services.GetRequiredService<RedisClient>());
        var cache = host.Services.GetRequiredService<IKeyValueCache>();
        var live = host.Services.GetRequiredService<ILiveChannel>();
        var streams = host.Services.GetRequiredService<IEventStream>();

        var key = "reg:" + Guid.NewGuid().ToString("N");
        await cache.SetAsync(key, "1", TimeSpan.FromSeconds(30), false, CancellationToken.None);
        Assert.Equal(0, await live.PublishAsync("reg:nobody", "x"u8.ToArray(), CancellationToken.None));
        await streams.EnsureGroupAsync(key + ":s", "g", "$", CancellationToken.None);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(CancellationToken.None);
        var entry = report.Entries["redis"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("ready", entry.Tags);
    }

    [Fact]
    public async Task HealthCheck_ServerDown_IsUnhealthyWithTheReason()
    {
        var builder = Builder($"127.0.0.1:{ServerProcess.FreePort()},syncTimeout=500");
        builder.AddRedis();
        using var host = builder.Build();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(CancellationToken.None);
        var entry = report.Entries["redis"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("Redis is not reachable", entry.Description, StringComparison.Ordinal);
        Assert.Contains("refused", entry.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Metrics_CountCommandsAndErrors_OnTheScalpaiboardRedisMeter()
    {
        var measurements = new List<(string Instrument, long Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Scalpaiboard.Redis")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tag = null;
            foreach (var t in tags)
            {
                if (t.Key is "command" or "kind")
                {
                    tag ??= t.Value as string;
                }
            }
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tag));
            }
        });
        listener.Start();

        await using var client = new RedisClient(RedisServer.Shared.ConnectionString);
        var cache = new RedisKeyValueCache(client);
        var key = "m:" + Guid.NewGuid().ToString("N");
        await cache.SetAsync(key, "text", null, false, CancellationToken.None);
        await Assert.ThrowsAsync<RedisServerException>(() => cache.IncrementAsync(key, CancellationToken.None));

        lock (measurements)
        {
            Assert.Contains(("scalpaiboard.redis.commands", 1L, "SET"), measurements);
            Assert.Contains(("scalpaiboard.redis.commands", 1L, "INCR"), measurements);
            Assert.Contains(("scalpaiboard.redis.errors", 1L, "server"), measurements);
        }
    }
}
