using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>The reference sample through the real stream: the stored signal set equals what `scalp scan` must give.</summary>
public sealed class SampleReplayTests
{
    private static async Task<HashSet<(string, long, string)>> StoredAsync(AlertsApp app, int expected)
    {
        using var client = app.CreateClient();
        var body = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/api/signals?limit=10000&type=")).JsonAsync(),
            b => b.GetProperty("total").GetInt64() >= expected, TimeSpan.FromSeconds(120));
        var stream = app.Stream;
        await Eventually.WaitAsync(
            async () => await stream.PendingAsync(Scalpaiboard.Infrastructure.Events.EventNames.MetricsStream, "alerts", 10, CancellationToken.None),
            p => p.Count == 0, TimeSpan.FromSeconds(120));
        body = await (await client.GetAsync("/api/signals?limit=10000")).JsonAsync();
        return body.GetProperty("signals").EnumerateArray()
            .Where(s => s.GetProperty("type").GetString()!.StartsWith("futures_", StringComparison.Ordinal))
            .Select(s => (s.GetProperty("symbol").GetString()!, s.GetProperty("openTime").GetInt64(), s.GetProperty("type").GetString()!))
            .ToHashSet();
    }

    [Fact]
    public async Task Replaying_the_sample_with_a_restart_midway_gives_exactly_the_scan_signals()
    {
        var expected = SampleReplay.Expected();
        var batches = SampleReplay.Batches();
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        var half = batches.Count / 2;
        await using (var first = await AlertsApp.StartAsync(redis, postgres: db))
        {
            await SampleReplay.AppendAsync(first.Stream, batches.Take(half));
            // stop while it is still working through the stream: the rest is pending or unread
            await Task.Delay(500);
        }
        await using var second = await AlertsApp.StartAsync(redis, postgres: db);
        await SampleReplay.AppendAsync(second.Stream, batches.Skip(half));
        // and the whole first half again, as an ingest restart would re-publish it
        await SampleReplay.AppendAsync(second.Stream, batches.Take(half));
        var stored = await StoredAsync(second, expected.Count);

        Assert.Empty(expected.Except(stored));
        Assert.Empty(stored.Except(expected));
    }
}
