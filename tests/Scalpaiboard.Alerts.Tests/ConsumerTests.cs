using Scalpaiboard.Infrastructure.Redis;
using System.Text.Json;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>The consumer over a real Redis stream and a real PostgreSQL: signals exactly once, in order, across restarts.</summary>
public sealed class ConsumerTests
{
    private static async Task<List<(string Symbol, string Type, long OpenTime, long Id)>> SignalsAsync(AlertsApp app, int expected)
    {
        using var client = app.CreateClient();
        var body = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/api/signals?limit=10000")).JsonAsync(),
            b => b.GetProperty("total").GetInt64() >= expected);
        // settle: nothing more may arrive
        await Task.Delay(300);
        body = await (await client.GetAsync("/api/signals?limit=10000")).JsonAsync();
        return body.GetProperty("signals").EnumerateArray()
            .Select(s => (s.GetProperty("symbol").GetString()!, s.GetProperty("type").GetString()!, s.GetProperty("openTime").GetInt64(),
                s.GetProperty("id").GetInt64()))
            .OrderBy(s => s.Item1).ThenBy(s => s.Item3).ToList();
    }

    private static long[] Expected(params int[] minutes) => minutes.Select(MetricsFeed.Minute).ToArray();

    /// <summary>
    /// StackExchange.Redis never blocks on XREADGROUP: an idle consumer waits for the wake-up each append publishes.
    /// With the fallback poll set to 20 s, every entry is still picked up within a fraction of a second.
    /// </summary>
    [Fact]
    public async Task An_idle_consumer_picks_up_each_new_entry_within_milliseconds_through_the_append_wake_up()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?> { ["Alerts:Consumer:BlockMilliseconds"] = "20000" });
        var state = app.Service<Scalpaiboard.Alerts.Services.ConsumerState>();
        await Eventually.WaitAsync(() => Task.FromResult(state.Running && state.CaughtUp), ok => ok);
        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(300); // the consumer is waiting again
            var before = Interlocked.Read(ref state.Processed);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.Quiet));
            while (Interlocked.Read(ref state.Processed) == before)
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"entry {i} not processed after {sw.Elapsed}");
                await Task.Delay(1);
            }
            latencies.Add(sw.Elapsed);
        }
        Assert.All(latencies, l => Assert.True(l < TimeSpan.FromSeconds(2), $"picked up after {l.TotalMilliseconds:0} ms (the fallback poll is 20 s): {string.Join(", ", latencies.Select(x => x.TotalMilliseconds.ToString("0")))} ms"));
    }

    [Fact]
    public async Task Snapshots_through_the_stream_fire_presets_with_cooldown_exactly_once()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 12, "AAAUSDT", "BBBUSDT");
        // the same candles again (an ingest replay / redelivery): no new signals
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 12, "AAAUSDT");

        var signals = await SignalsAsync(app, 6);
        Assert.Equal(6, signals.Count);
        Assert.All(signals, s => Assert.Equal("futures_pioneer_bull", s.Type));
        Assert.Equal(Expected(0, 5, 10), signals.Where(s => s.Symbol == "AAAUSDT").Select(s => s.OpenTime).ToArray());
        Assert.Equal(Expected(0, 5, 10), signals.Where(s => s.Symbol == "BBBUSDT").Select(s => s.OpenTime).ToArray());
        var pending = await app.Stream.PendingAsync(EventNames.MetricsStream, EventNames.AlertsGroup, 100, CancellationToken.None);
        Assert.Empty(pending);
    }

    [Fact]
    public async Task Signal_api_returns_newest_first_with_metrics_and_filters()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 6, "AAAUSDT", "BBBUSDT");
        await SignalsAsync(app, 4);
        using var client = app.CreateClient();

        var all = await (await client.GetAsync("/api/signals")).JsonAsync();
        var times = all.GetProperty("signals").EnumerateArray().Select(s => s.GetProperty("openTime").GetInt64()).ToList();
        Assert.Equal(times.OrderByDescending(t => t).ToList(), times);
        Assert.Equal(100, all.GetProperty("limit").GetInt32());
        var first = all.GetProperty("signals")[0];
        Assert.Equal(1.5, first.GetProperty("metrics").GetProperty("change_5m").GetDouble());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(first.GetProperty("openTime").GetInt64() + 60_000),
            first.GetProperty("time").GetDateTimeOffset());

        var filtered = await (await client.GetAsync($"/api/signals?symbol=aaausdt&from={MetricsFeed.Minute(1)}&to=2026-03-02T00:05:00Z&limit=1")).JsonAsync();
        Assert.Equal(1, filtered.GetProperty("total").GetInt64());
        Assert.Equal(MetricsFeed.Minute(5), filtered.GetProperty("signals")[0].GetProperty("openTime").GetInt64());

        using var bad = await client.GetAsync("/api/signals?limit=10001&from=yesterday");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("from", out _));
    }

    [Fact]
    public async Task A_restarted_consumer_rebuilds_the_cooldown_from_the_table()
    {
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        await using (var first = await AlertsApp.StartAsync(redis, postgres: db))
        {
            for (var i = 0; i < 3; i++)
            {
                await MetricsFeed.AppendAsync(first.Stream, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
            }
            Assert.Single(await SignalsAsync(first, 1));
        }
        await using var second = await AlertsApp.StartAsync(redis, postgres: db);
        for (var i = 3; i < 7; i++)
        {
            await MetricsFeed.AppendAsync(second.Stream, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
        }
        // minute 3 and 4 are still in the cooldown of minute 0; minute 5 fires
        var signals = await SignalsAsync(second, 2);
        Assert.Equal(Expected(0, 5), signals.Select(s => s.OpenTime).ToArray());
    }

    [Fact]
    public async Task Own_pending_entries_are_reread_and_a_dead_consumers_entries_are_claimed_in_order()
    {
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        // Entries delivered to this consumer name before (its process died before acknowledging), and entries
        // delivered to another consumer that died: both must be processed, in stream order, exactly once.
        await using var connection = await redis.ConnectAsync();
        var events = new Scalpaiboard.Infrastructure.Redis.RedisEventStream(connection);
        await events.EnsureGroupAsync(EventNames.MetricsStream, EventNames.AlertsGroup, "0", CancellationToken.None);
        await MetricsFeed.AppendPioneerRunAsync(events, 3, "AAAUSDT");
        Assert.Equal(3, (await events.ReadGroupAsync(EventNames.MetricsStream, EventNames.AlertsGroup, "dead-1", ">", 3, TimeSpan.Zero, CancellationToken.None)).Count);
        for (var i = 3; i < 6; i++)
        {
            await MetricsFeed.AppendAsync(events, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
        }
        Assert.Equal(3, (await events.ReadGroupAsync(EventNames.MetricsStream, EventNames.AlertsGroup, "me", ">", 3, TimeSpan.Zero, CancellationToken.None)).Count);
        for (var i = 6; i < 11; i++)
        {
            await MetricsFeed.AppendAsync(events, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
        }

        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?> { ["Alerts:Consumer:Name"] = "me" }, db);
        var signals = await SignalsAsync(app, 3);
        Assert.Equal(Expected(0, 5, 10), signals.Select(s => s.OpenTime).ToArray());
        var pending = await Eventually.WaitAsync(
            () => app.Stream.PendingAsync(EventNames.MetricsStream, EventNames.AlertsGroup, 100, CancellationToken.None),
            p => p.Count == 0);
        Assert.Empty(pending);
    }

    /// <summary>At an upgrade, entries the former ingest wrote as JSON may still be in Redis: they are read as before.</summary>
    [Fact]
    public async Task Json_entries_of_an_older_ingest_and_frames_are_processed_in_stream_order()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        await MetricsFeed.AppendJsonAsync(app.Stream, MetricsFeed.Minute(0), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
        await MetricsFeed.AppendJsonAsync(app.Stream, MetricsFeed.Minute(3), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(5), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(6), new FeedItem("BBBUSDT", 100, 99, MetricsFeed.PioneerBull));
        var signals = await SignalsAsync(app, 3);
        Assert.Equal([MetricsFeed.Minute(0), MetricsFeed.Minute(5), MetricsFeed.Minute(6)], signals.Select(s => s.OpenTime).Order().ToArray());
    }

    [Fact]
    public async Task New_signals_are_published_live_as_complete_frames()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        var frames = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var live = app.Service<StackExchange.Redis.IConnectionMultiplexer>().GetSubscriber();
        var sub = await live.SubscribeAsync(StackExchange.Redis.RedisChannel.Literal("live:signals"));
        sub.OnMessage(m => frames.Enqueue(m.Message.ToString()));
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");
        var signals = await SignalsAsync(app, 1);
        await Eventually.WaitAsync(() => Task.FromResult(frames.Count), c => c >= 1);
        using var frame = JsonDocument.Parse(Assert.Single(frames));
        Assert.Equal("signals", frame.RootElement.GetProperty("type").GetString());
        Assert.Equal("signals", frame.RootElement.GetProperty("channel").GetString());
        Assert.True(frame.RootElement.GetProperty("ts").GetInt64() > 0);
        Assert.Equal(signals[0].Id, frame.RootElement.GetProperty("data").GetProperty("id").GetInt64());
        Assert.Equal("AAAUSDT", frame.RootElement.GetProperty("data").GetProperty("symbol").GetString());
    }

    [Fact]
    public async Task A_poison_entry_is_skipped_after_a_few_tries_and_the_rest_still_processed()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?> { ["Alerts:Consumer:Name"] = "poison" });
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(0), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));
        // PostgreSQL refuses a NUL character in text: this entry can never commit
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(1), new FeedItem("BAD\u0000USDT", 100, 99, MetricsFeed.PioneerBull));
        await app.Stream.AppendAsync(EventNames.MetricsStream, [new("data", "{not json")], StreamTrim.None, CancellationToken.None);
        // a truncated frame and a frame of an unknown version: skipped (logged) and acknowledged
        var frame = MetricsFeed.Frame(MetricsFeed.Minute(2), [new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull)]);
        await app.Stream.AppendBinaryAsync(EventNames.MetricsStream, [new KeyValuePair<string, ReadOnlyMemory<byte>>("data", frame[..^3])], StreamTrim.None,
            CancellationToken.None);
        var future = frame.ToArray();
        future[4] = 9;
        await app.Stream.AppendBinaryAsync(EventNames.MetricsStream, [new KeyValuePair<string, ReadOnlyMemory<byte>>("data", future)], StreamTrim.None,
            CancellationToken.None);
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(5), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.PioneerBull));

        var signals = await SignalsAsync(app, 2);
        Assert.Equal(Expected(0, 5), signals.Select(s => s.OpenTime).ToArray());
        var pending = await Eventually.WaitAsync(
            () => app.Stream.PendingAsync(EventNames.MetricsStream, EventNames.AlertsGroup, 100, CancellationToken.None),
            p => p.Count == 0);
        Assert.Empty(pending);
    }
}
