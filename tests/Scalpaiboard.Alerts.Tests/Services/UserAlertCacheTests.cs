using System.Net;
using Npgsql;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Services;

/// <summary>
/// The consumer's alert index by symbol: API changes on this replica apply at once, one alert at a time; changes
/// written by another replica arrive through the background reload after a batch.
/// </summary>
public sealed class UserAlertCacheTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private AlertsApp _app = null!;

    public async Task InitializeAsync()
    {
        _redis = new RedisServer();
        _app = await AlertsApp.StartAsync(_redis);
        await MetricsFeed.AppendAsync(_app.Stream, MetricsFeed.Minute(0),
            new FeedItem("AAAUSDT", 100, 99, MetricsFeed.Quiet), new FeedItem("BBBUSDT", 10, 10, MetricsFeed.Quiet));
        var feed = _app.Service<Scalpaiboard.Alerts.Infrastructure.FeedStore>();
        await Eventually.WaitAsync(async () => await feed.GetAsync("BBBUSDT", CancellationToken.None), f => f is not null);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _redis.Dispose();
    }

    private static object Body(string symbol, bool enabled = true) => new
    {
        symbol,
        conditions = new[] { new { type = "price_above", value = 1e12 } },
        recurring = true,
        cooldownMinutes = 5,
        enabled,
    };

    private long[] Ids(string symbol) => [.. _app.Service<UserAlertCache>().For(symbol).Select(c => c.Alert.Id)];

    [Fact]
    public async Task Create_update_disable_and_delete_through_the_api_change_the_index_at_once()
    {
        using var a = _app.UserClient("cache-user");
        using var created = await a.PostJsonAsync("/api/alerts", Body("AAAUSDT"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.JsonAsync()).GetProperty("id").GetInt64();
        Assert.Contains(id, Ids("AAAUSDT"));

        using (var moved = await a.PutJsonAsync($"/api/alerts/{id}", Body("BBBUSDT")))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }
        Assert.DoesNotContain(id, Ids("AAAUSDT"));
        Assert.Contains(id, Ids("BBBUSDT"));
        var compiled = Assert.Single(_app.Service<UserAlertCache>().For("BBBUSDT"), c => c.Alert.Id == id);
        Assert.Equal("cache-user", compiled.Alert.UserId);
        Assert.Single(compiled.Conditions.Conditions);

        using (var disabled = await a.PutJsonAsync($"/api/alerts/{id}", Body("BBBUSDT", enabled: false)))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }
        Assert.DoesNotContain(id, Ids("BBBUSDT"));

        using (var enabled = await a.PutJsonAsync($"/api/alerts/{id}", Body("BBBUSDT")))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }
        Assert.Contains(id, Ids("BBBUSDT"));

        using (var deleted = await a.DeleteAsync($"/api/alerts/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        Assert.DoesNotContain(id, Ids("BBBUSDT"));
        Assert.DoesNotContain(id, Ids("AAAUSDT"));
    }

    [Fact]
    public async Task An_alert_written_by_another_replica_arrives_with_the_background_reload_after_a_batch()
    {
        long id;
        await using (var conn = new NpgsqlConnection(_app.Postgres))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO alerts.user_alerts (user_id, symbol, conditions, recurring, cooldown_minutes, note, enabled)
                VALUES ('other-replica', 'AAAUSDT', '[{"type":"price_above","value":1e12}]', true, 5, '', true) RETURNING id
                """, conn);
            id = (long)(await cmd.ExecuteScalarAsync())!;
        }
        Assert.DoesNotContain(id, Ids("AAAUSDT"));
        // batches keep coming; the reload runs after one once the index is 5 s old
        var minute = 1;
        var seen = await Eventually.WaitAsync(async () =>
        {
            await MetricsFeed.AppendAsync(_app.Stream, MetricsFeed.Minute(minute++), new FeedItem("AAAUSDT", 100, 99, MetricsFeed.Quiet));
            await Task.Delay(250);
            return Ids("AAAUSDT");
        }, ids => ids.Contains(id), TimeSpan.FromSeconds(20));
        Assert.Contains(id, seen);
    }
}
