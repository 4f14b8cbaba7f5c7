using System.Net;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>The Quartz jobs on the advisory-lock leader: stale-data watchdog and retention.</summary>
public sealed class JobsTests
{
    [Fact]
    public async Task A_symbol_silent_for_three_feed_minutes_raises_a_system_signal_and_degrades_health()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(0),
            new FeedItem("AAAUSDT", 1, 1, MetricsFeed.Quiet), new FeedItem("BBBUSDT", 2, 2, MetricsFeed.Quiet));
        for (var i = 1; i <= 4; i++)
        {
            await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 1, 1, MetricsFeed.Quiet));
        }
        using var client = app.CreateClient();
        var body = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/api/signals?type=system_stale_data")).JsonAsync(),
            b => b.GetProperty("total").GetInt64() >= 1);
        var signal = Assert.Single(body.GetProperty("signals").EnumerateArray());
        Assert.Equal("BBBUSDT", signal.GetProperty("symbol").GetString());
        Assert.Equal(MetricsFeed.Minute(0), signal.GetProperty("openTime").GetInt64());

        using var health = await client.GetAsync("/health");
        var report = await health.JsonAsync();
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        Assert.Contains("BBBUSDT", report.GetProperty("checks").GetProperty("feed").GetProperty("description").GetString());

        // the symbol speaks again: healthy, and the same silence never raises a second signal
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(5),
            new FeedItem("AAAUSDT", 1, 1, MetricsFeed.Quiet), new FeedItem("BBBUSDT", 2, 2, MetricsFeed.Quiet));
        var healthy = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/health")).JsonAsync(),
            r => r.GetProperty("checks").GetProperty("feed").GetProperty("status").GetString() == "Healthy");
        Assert.Equal("Healthy", healthy.GetProperty("checks").GetProperty("feed").GetProperty("status").GetString());
        await Task.Delay(1500);
        Assert.Equal(1, (await (await client.GetAsync("/api/signals?type=system_stale_data")).JsonAsync()).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Retention_deletes_signals_older_than_the_configured_hours()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Alerts:RetentionHours"] = "1",
            ["Alerts:Jobs:RetentionIntervalSeconds"] = "1",
        });
        // one signal from the past (March 2026) and one from this minute
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "OLDUSDT");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        await MetricsFeed.AppendAsync(app.Stream, now, new FeedItem("NEWUSDT", 1, 1, MetricsFeed.PioneerBull));
        using var client = app.CreateClient();
        var body = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/api/signals?type=futures_pioneer_bull")).JsonAsync(),
            b => b.GetProperty("signals").EnumerateArray().Any(s => s.GetProperty("symbol").GetString() == "NEWUSDT")
                && b.GetProperty("total").GetInt64() == 1);
        Assert.Equal("NEWUSDT", Assert.Single(body.GetProperty("signals").EnumerateArray()).GetProperty("symbol").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }
}
