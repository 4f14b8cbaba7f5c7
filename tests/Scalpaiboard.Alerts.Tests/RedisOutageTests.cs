using System.Net;
using System.Text.Json;
using Npgsql;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>
/// The fault test of a Redis outage: the real ingest service replays the kline sample into PostgreSQL and the metrics
/// stream, this Alerts service consumes it and delivers user alerts to a webhook, and Redis (with the AppHost's
/// append-only file) is stopped for 60 s in the middle of the replay and started again.
/// </summary>
public sealed class RedisOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(Setting("OUTAGE_SECONDS", 60));

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : fallback;

    [Fact]
    public async Task Redis_stopped_for_60_s_during_a_replay_loses_no_candle_no_signal_and_no_webhook()
    {
        var expected = SampleReplay.Expected();
        var sampleCandles = KlineCsvReader.Read(SampleReplay.KlinesFolder).Count();
        using var redis = new RedisServer(appendOnly: true);
        var db = await PostgresServer.Shared.CreateDatabaseAsync("outage");
        await using var hook = await FakeReceiver.StartAsync();
        // Every trigger its own webhook (no hourly budget folding them into a digest).
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?> { ["Alerts:MaxNotificationsPerHour"] = "1000" }, db);
        using var user = app.UserClient("user-outage");
        using var saved = await user.PutJsonAsync("/api/settings", new { webhooks = new[] { new { kind = "generic", url = hook.Url("/o") } }, maxNotificationsPerHour = 1000 });
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());

        // 2,880 minutes at 1500x real time: about two minutes of replay, the outage in its middle.
        using var ingest = new IngestService(ServerProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = db,
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Identity__SigningKey"] = AlertsApp.SigningKey,
            ["Ingest__Feed"] = "replay",
            ["Ingest__Replay__Path"] = SampleReplay.KlinesFolder,
            ["Ingest__Replay__Speed"] = "1500",
            ["Ingest__RetentionDays"] = "36500",
        });

        // A recurring alert on three symbols that always holds: it fires once an hour of feed time, each trigger a webhook.
        var symbols = expected.Select(e => e.Symbol).Distinct().Order(StringComparer.Ordinal).Take(3).ToArray();
        var alerts = new List<long>();
        foreach (var symbol in symbols)
        {
            var created = await Eventually.WaitAsync(
                () => user.PostJsonAsync("/api/alerts", new { symbol, conditions = new[] { new { type = "price_above", value = 1e-9 } }, recurring = true, cooldownMinutes = 60 }),
                r => r.StatusCode == HttpStatusCode.Created, TimeSpan.FromSeconds(60));
            alerts.Add((await created.JsonAsync()).GetProperty("id").GetInt64());
        }

        var beforeStop = await Eventually.WaitAsync(ingest.StatusAsync, s => s is { } j && j.GetProperty("candlesIngested").GetInt64() >= 12 * 400,
            TimeSpan.FromSeconds(120));
        redis.Shutdown();
        var stoppedAt = beforeStop!.Value.GetProperty("lastOpenTime").GetInt64();
        await Task.Delay(Outage / 2);
        var midOutage = (await ingest.StatusAsync())!.Value.GetProperty("candlesIngested").GetInt64();
        await Task.Delay(Outage / 2);
        var beforeStart = (await ingest.StatusAsync())!.Value;
        redis.Start();
        var restartedAt = beforeStart.GetProperty("lastOpenTime").GetInt64();
        // Ingest kept storing candles without Redis.
        Assert.True(midOutage > beforeStop.Value.GetProperty("candlesIngested").GetInt64() + (12 * 100),
            $"stored {beforeStop.Value.GetProperty("candlesIngested")} before the stop, {midOutage} in the outage");
        Assert.True(beforeStart.GetProperty("candlesIngested").GetInt64() > midOutage);

        await Eventually.WaitAsync(ingest.StatusAsync, s => s is { } j && j.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(240));
        using var client = app.CreateClient();
        await Eventually.WaitAsync(async () => (await SignalsAsync(client)).Count, n => n >= expected.Count, TimeSpan.FromSeconds(120));

        // Every candle in PostgreSQL, once.
        Assert.Equal(sampleCandles, await CountAsync(db, "SELECT count(*) FROM ingest.candles_1m"));
        Assert.Equal(sampleCandles, await CountAsync(db, "SELECT count(DISTINCT (symbol, open_time)) FROM ingest.candles_1m"));

        // Every expected signal, once (those of the outage's minutes were evaluated after it).
        await Task.Delay(2000); // anything still arriving would be an extra signal
        var signals = await SignalsAsync(client);
        Assert.Equal(signals.Count, signals.Distinct().Count());
        Assert.Empty(expected.Except(signals));
        Assert.Empty(signals.ToHashSet().Except(expected));
        Assert.Contains(signals, s => s.OpenTime > stoppedAt && s.OpenTime <= restartedAt);

        // Every trigger once per hour of feed time (the outage's too), each delivered to the webhook exactly once.
        var triggers = new List<(long Alert, long OpenTime)>();
        foreach (var id in alerts)
        {
            var history = await (await user.GetAsync($"/api/alerts/{id}/history?limit=1000")).JsonAsync();
            triggers.AddRange(history.GetProperty("triggers").EnumerateArray().Select(t => (id, t.GetProperty("openTime").GetInt64())));
        }
        Assert.Equal(triggers.Count, triggers.Distinct().Count());
        Assert.Contains(triggers, t => t.OpenTime > stoppedAt && t.OpenTime <= restartedAt);
        foreach (var id in alerts)
        {
            var times = triggers.Where(t => t.Alert == id).Select(t => t.OpenTime).Order().ToList();
            Assert.True(times.Count > 20, $"alert {id}: {times.Count} triggers");
            Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(60 * 60_000, p.Second - p.First));
        }
        var delivered = await Eventually.WaitAsync(() => Task.FromResult(hook.Requests.ToList()), r => r.Count >= triggers.Count, TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        delivered = [.. hook.Requests];
        Assert.Equal(triggers.Count, delivered.Count);
        Assert.Equal(triggers.Count, delivered.Select(r => r.Header("Idempotency-Key")).Distinct().Count());
    }

    private static async Task<List<(string Symbol, long OpenTime, string Rule)>> SignalsAsync(HttpClient client)
    {
        var body = await (await client.GetAsync("/api/signals?limit=10000")).JsonAsync();
        return [.. body.GetProperty("signals").EnumerateArray()
            .Where(s => s.GetProperty("type").GetString()!.StartsWith("futures_", StringComparison.Ordinal))
            .Select(s => (s.GetProperty("symbol").GetString()!, s.GetProperty("openTime").GetInt64(), s.GetProperty("type").GetString()!))];
    }

    private static async Task<long> CountAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
