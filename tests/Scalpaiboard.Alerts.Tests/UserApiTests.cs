using System.Net;
using System.Text.Json;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>Per-user APIs over real HTTP with signed user headers: isolation, validation, triggers, watchlist.</summary>
public sealed class UserApiTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private AlertsApp _app = null!;

    public async Task InitializeAsync()
    {
        _redis = new RedisServer();
        _app = await AlertsApp.StartAsync(_redis);
        // make two symbols known to the service (as the ingest stream would)
        await MetricsFeed.AppendAsync(_app.Stream, MetricsFeed.Minute(0),
            new FeedItem("AAAUSDT", 100, 99, MetricsFeed.Quiet), new FeedItem("BBBUSDT", 10, 10, MetricsFeed.Quiet));
        using var client = _app.CreateClient();
        var feed = _app.Service<Scalpaiboard.Alerts.Infrastructure.FeedStore>();
        await Eventually.WaitAsync(async () => await feed.GetAsync("BBBUSDT", CancellationToken.None), f => f is not null);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _redis.Dispose();
    }

    private static object PriceAbove(double value) => new
    {
        symbol = "AAAUSDT",
        conditions = new[] { new { type = "price_above", value } },
        recurring = false,
        cooldownMinutes = 5,
        note = "n",
    };

    [Fact]
    public async Task Anonymous_requests_to_user_apis_are_401()
    {
        using var anonymous = _app.CreateClient();
        foreach (var path in new[] { "/api/alerts", "/api/settings", "/api/watchlist", "/api/portfolio", "/api/notifications" })
        {
            using var r = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
    }

    [Fact]
    public async Task An_account_has_at_most_200_alerts_even_when_created_concurrently()
    {
        using var greedy = _app.UserClient("greedy");
        var max = Scalpaiboard.Alerts.Apis.AlertsApi.MaxAlertsPerUser;
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, max + 10), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var r = await greedy.PostJsonAsync("/api/alerts", PriceAbove(1e12 + i));
            statuses.Add(r.StatusCode);
        });
        Assert.Equal(max, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Conflict));

        using var refused = await greedy.PostJsonAsync("/api/alerts", PriceAbove(1));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"at most {max} alerts", (await refused.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(max, (await (await greedy.GetAsync("/api/alerts")).JsonAsync()).GetProperty("alerts").GetArrayLength());

        // Another account is not affected.
        using var other = _app.UserClient("modest");
        Assert.Equal(HttpStatusCode.Created, (await other.PostJsonAsync("/api/alerts", PriceAbove(1e12))).StatusCode);
    }

    [Fact]
    public async Task Another_users_alert_is_404_and_lists_are_per_user()
    {
        using var a = _app.UserClient("user-a");
        using var b = _app.UserClient("user-b");
        using var created = await a.PostJsonAsync("/api/alerts", PriceAbove(1e12));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var alert = await created.JsonAsync();
        var id = alert.GetProperty("id").GetInt64();
        Assert.True(alert.GetProperty("enabled").GetBoolean());
        Assert.Equal("price_above", alert.GetProperty("conditions")[0].GetProperty("type").GetString());

        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/api/alerts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/api/alerts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/api/alerts/{id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PutJsonAsync($"/api/alerts/{id}", PriceAbove(5))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.DeleteAsync($"/api/alerts/{id}")).StatusCode);
        Assert.Equal(0, (await (await b.GetAsync("/api/alerts")).JsonAsync()).GetProperty("alerts").GetArrayLength());
        Assert.Equal(1, (await (await a.GetAsync("/api/alerts")).JsonAsync()).GetProperty("alerts").GetArrayLength());

        using var updated = await a.PutJsonAsync($"/api/alerts/{id}", new
        {
            symbol = "BBBUSDT", conditions = new[] { new { type = "change_above", value = 2.0, window = "15m" } }, recurring = true, enabled = false,
        });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var u = await updated.JsonAsync();
        Assert.Equal("BBBUSDT", u.GetProperty("symbol").GetString());
        Assert.Equal("15m", u.GetProperty("conditions")[0].GetProperty("window").GetString());
        Assert.False(u.GetProperty("enabled").GetBoolean());
        Assert.True(u.GetProperty("recurring").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync($"/api/alerts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/api/alerts/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"no_such_thing","value":"x"}]}""", "conditions[0].type")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"price_above"}]}""", "conditions[0].value")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"price_above","value":"high"}]}""", "conditions[0].value")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"change_above","value":1,"window":"2m"}]}""", "conditions[0].window")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"funding_above","value":0.5}]}""", "conditions[0].value")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"oi_change_above","value":5,"window":"15m"}]}""", "conditions[0].window")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"liquidations_above","value":1e6,"window":"1d"}]}""", "conditions[0].window")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"liquidations_above","value":1e6,"side":"both"}]}""", "conditions[0].side")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[]}""", "conditions")]
    [InlineData("""{"symbol":"not a symbol!","conditions":[{"type":"price_above","value":1}]}""", "symbol")]
    [InlineData("""{"symbol":"ZZZUSDT","conditions":[{"type":"price_above","value":1}]}""", "symbol")]
    [InlineData("""{"symbol":"AAAUSDT","conditions":[{"type":"price_above","value":1}],"cooldownMinutes":-1}""", "cooldownMinutes")]
    public async Task Invalid_alerts_are_400_problems_naming_the_field(string json, string field)
    {
        using var a = _app.UserClient("user-v");
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var r = await a.PostAsync(new Uri("/api/alerts", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.StartsWith("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var problem = await r.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_once_alert_triggers_once_with_history_delivery_and_live_frame()
    {
        await using var hook = await FakeReceiver.StartAsync();
        using var a = _app.UserClient("user-t");
        Assert.Equal(HttpStatusCode.OK, (await a.PutJsonAsync("/api/settings", new { webhooks = new[] { new { kind = "generic", url = hook.Url("/u") } } })).StatusCode);
        var frames = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var live = _app.Service<StackExchange.Redis.IConnectionMultiplexer>().GetSubscriber();
        var sub = await live.SubscribeAsync(StackExchange.Redis.RedisChannel.Literal("live:alerts:user-t"));
        sub.OnMessage(m => frames.Enqueue(m.Message.ToString()));
        var once = await (await a.PostJsonAsync("/api/alerts", PriceAbove(150))).JsonAsync();
        var id = once.GetProperty("id").GetInt64();

        for (var i = 1; i <= 3; i++)
        {
            await MetricsFeed.AppendAsync(_app.Stream, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 140 + i * 10, 140, MetricsFeed.Quiet));
        }
        var history = await Eventually.WaitAsync(
            async () => await (await a.GetAsync($"/api/alerts/{id}/history")).JsonAsync(),
            h => h.GetProperty("triggers").GetArrayLength() >= 1
                && h.GetProperty("triggers")[0].GetProperty("deliveries").EnumerateArray().Any(d => d.GetProperty("status").GetString() == "delivered"));
        await Task.Delay(300);
        history = await (await a.GetAsync($"/api/alerts/{id}/history")).JsonAsync();
        var trigger = Assert.Single(history.GetProperty("triggers").EnumerateArray());
        Assert.Equal(MetricsFeed.Minute(2), trigger.GetProperty("openTime").GetInt64()); // 160 > 150; 150 is not above
        Assert.Equal(160, trigger.GetProperty("metrics").GetProperty("price").GetDouble());
        Assert.Equal("delivered", trigger.GetProperty("deliveries")[0].GetProperty("status").GetString());

        var after = await (await a.GetAsync($"/api/alerts/{id}")).JsonAsync();
        Assert.False(after.GetProperty("enabled").GetBoolean());
        Assert.Equal(1, after.GetProperty("triggerCount").GetInt32());

        var sent = Assert.Single(hook.Requests);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("alert", body.RootElement.GetProperty("kind").GetString());
        Assert.Equal(sent.Header("Idempotency-Key"), body.RootElement.GetProperty("id").GetString());

        await Eventually.WaitAsync(() => Task.FromResult(frames.Count), c => c >= 1);
        using var frame = JsonDocument.Parse(Assert.Single(frames));
        Assert.Equal("alerts", frame.RootElement.GetProperty("type").GetString());
        Assert.Equal("alerts", frame.RootElement.GetProperty("channel").GetString());
        Assert.Equal(id, frame.RootElement.GetProperty("data").GetProperty("alertId").GetInt64());
    }

    /// <summary>
    /// Metrics frames with the funding rate: minute 1 has none (unavailable), 2 is below the threshold, 3 and 4 above.
    /// The once alert fires on minute 3 only, is stored in the history with the value, and its notification says it.
    /// </summary>
    [Fact]
    public async Task A_funding_alert_fires_once_on_the_first_frame_above_its_threshold_and_is_stored_with_the_value()
    {
        await using var hook = await FakeReceiver.StartAsync();
        using var a = _app.UserClient("user-f");
        Assert.Equal(HttpStatusCode.OK, (await a.PutJsonAsync("/api/settings", new { webhooks = new[] { new { kind = "generic", url = hook.Url("/f") } } })).StatusCode);
        using var created = await a.PostJsonAsync("/api/alerts", new
        {
            symbol = "AAAUSDT", conditions = new[] { new { type = "funding_above", value = 0.0005 } }, recurring = false, cooldownMinutes = 5,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var alert = await created.JsonAsync();
        var id = alert.GetProperty("id").GetInt64();
        var condition = alert.GetProperty("conditions")[0];
        Assert.Equal(("funding_above", 0.0005), (condition.GetProperty("type").GetString(), condition.GetProperty("value").GetDouble()));
        Assert.Equal(JsonValueKind.Null, condition.GetProperty("window").ValueKind);
        // unavailable open interest never fires, whatever the threshold
        using var oi = await a.PostJsonAsync("/api/alerts", new
        {
            symbol = "AAAUSDT", conditions = new[] { new { type = "oi_change_below", value = 1e9, window = "4h" } }, recurring = true, cooldownMinutes = 0,
        });
        Assert.Equal("4h", (await oi.JsonAsync()).GetProperty("conditions")[0].GetProperty("window").GetString());
        var oiId = (await oi.JsonAsync()).GetProperty("id").GetInt64();

        double?[] funding = [null, 0.0004, 0.000612, 0.0007];
        for (var i = 0; i < funding.Length; i++)
        {
            var derivatives = funding[i] is { } f ? new Dictionary<string, double> { ["fundingRate"] = f } : null;
            await MetricsFeed.AppendAsync(_app.Stream, MetricsFeed.Minute(i + 1), new FeedItem("AAAUSDT", 100, 100, MetricsFeed.Quiet, derivatives));
        }
        var history = await Eventually.WaitAsync(
            async () => await (await a.GetAsync($"/api/alerts/{id}/history")).JsonAsync(),
            h => h.GetProperty("triggers").GetArrayLength() >= 1
                && h.GetProperty("triggers")[0].GetProperty("deliveries").EnumerateArray().Any(d => d.GetProperty("status").GetString() == "delivered"));
        // the last frame is processed too before anything is concluded
        await Eventually.WaitAsync(async () => await _app.Service<Scalpaiboard.Alerts.Infrastructure.FeedStore>().GetAsync("AAAUSDT", CancellationToken.None),
            f => f?.LastOpenTime == MetricsFeed.Minute(4));
        await Task.Delay(300);
        history = await (await a.GetAsync($"/api/alerts/{id}/history")).JsonAsync();
        var trigger = Assert.Single(history.GetProperty("triggers").EnumerateArray());
        Assert.Equal(MetricsFeed.Minute(3), trigger.GetProperty("openTime").GetInt64());
        Assert.Equal(0.000612, trigger.GetProperty("metrics").GetProperty("fundingRate").GetDouble());
        Assert.False(trigger.GetProperty("metrics").TryGetProperty("oiChange_4h", out _));
        var after = await (await a.GetAsync($"/api/alerts/{id}")).JsonAsync();
        Assert.False(after.GetProperty("enabled").GetBoolean());
        Assert.Equal(1, after.GetProperty("triggerCount").GetInt32());
        Assert.Equal(0, (await (await a.GetAsync($"/api/alerts/{oiId}/history")).JsonAsync()).GetProperty("triggers").GetArrayLength());

        var sent = Assert.Single(hook.Requests);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal(("alert", "funding_above"), (body.RootElement.GetProperty("kind").GetString(), body.RootElement.GetProperty("type").GetString()));
        Assert.Equal("funding 0.0612 % above 0.05 %", body.RootElement.GetProperty("message").GetString());
        Assert.Equal(0.000612, body.RootElement.GetProperty("metrics").GetProperty("fundingRate").GetDouble());
    }

    [Fact]
    public async Task A_recurring_alert_respects_its_own_cooldown()
    {
        using var a = _app.UserClient("user-r");
        var alert = await (await a.PostJsonAsync("/api/alerts", new
        {
            symbol = "BBBUSDT", conditions = new[] { new { type = "price_below", value = 50.0 } }, recurring = true, cooldownMinutes = 3,
        })).JsonAsync();
        var id = alert.GetProperty("id").GetInt64();
        for (var i = 1; i <= 7; i++)
        {
            await MetricsFeed.AppendAsync(_app.Stream, MetricsFeed.Minute(i), new FeedItem("BBBUSDT", 10, 10, MetricsFeed.Quiet));
        }
        var history = await Eventually.WaitAsync(
            async () => await (await a.GetAsync($"/api/alerts/{id}/history")).JsonAsync(),
            h => h.GetProperty("triggers").GetArrayLength() >= 3);
        await Task.Delay(300);
        history = await (await a.GetAsync($"/api/alerts/{id}/history")).JsonAsync();
        var times = history.GetProperty("triggers").EnumerateArray().Select(t => t.GetProperty("openTime").GetInt64()).OrderBy(t => t).ToArray();
        Assert.Equal(new[] { MetricsFeed.Minute(1), MetricsFeed.Minute(4), MetricsFeed.Minute(7) }, times);
        Assert.True((await (await a.GetAsync($"/api/alerts/{id}")).JsonAsync()).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Settings_are_validated_per_field_and_stored_per_user()
    {
        using var a = _app.UserClient("user-s");
        using var b = _app.UserClient("user-s2");
        using var bad = await a.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull", "nope" },
            symbolFilter = new[] { "btc usdt" },
            webhooks = new object[] { new { kind = "carrier-pigeon", url = "http://x" }, new { kind = "telegram", url = "ftp://x" } },
            maxNotificationsPerHour = 0,
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "presetSubscriptions[1]", "symbolFilter[0]", "webhooks[0].kind", "webhooks[1].url", "webhooks[1].chatId", "maxNotificationsPerHour" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field + " in " + errors);
        }

        using var ok = await a.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "FUTURES_TOP_HUNTER" },
            symbolFilter = new[] { "aaausdt" },
            webhooks = new[] { new { kind = "generic", url = "http://127.0.0.1:9/h", secret = "shh", name = "mine" } },
            notifications = new { presetSignals = false },
            maxNotificationsPerHour = 7,
        });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var s = await (await a.GetAsync("/api/settings")).JsonAsync();
        Assert.Equal("futures_top_hunter", s.GetProperty("presetSubscriptions")[0].GetString());
        Assert.Equal("AAAUSDT", s.GetProperty("symbolFilter")[0].GetString());
        Assert.False(s.GetProperty("notifications").GetProperty("presetSignals").GetBoolean());
        Assert.True(s.GetProperty("notifications").GetProperty("userAlerts").GetBoolean());
        Assert.Equal(7, s.GetProperty("maxNotificationsPerHour").GetInt32());
        var hook = s.GetProperty("webhooks")[0];
        Assert.True(hook.GetProperty("hasSecret").GetBoolean());
        Assert.False(hook.TryGetProperty("secret", out _));

        var other = await (await b.GetAsync("/api/settings")).JsonAsync();
        Assert.Equal(0, other.GetProperty("webhooks").GetArrayLength());
        using var steal = await b.PutJsonAsync("/api/settings", new { webhooks = new[] { new { id = hook.GetProperty("id").GetInt64(), kind = "generic", url = "http://evil" } } });
        Assert.Equal(HttpStatusCode.BadRequest, steal.StatusCode);
        Assert.True((await steal.JsonAsync()).GetProperty("errors").TryGetProperty("webhooks[0].id", out _));
    }

    [Fact]
    public async Task Watchlist_add_remove_and_portfolio_performance()
    {
        using var a = _app.UserClient("user-w");
        using var b = _app.UserClient("user-w2");
        using var added = await a.PostJsonAsync("/api/watchlist", new { symbol = "aaausdt" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var item = await added.JsonAsync();
        Assert.Equal("AAAUSDT", item.GetProperty("symbol").GetString());
        var addedPrice = item.GetProperty("addedPrice").GetDouble();
        Assert.Equal(HttpStatusCode.OK, (await a.PostJsonAsync("/api/watchlist", new { symbol = "AAAUSDT" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.PostJsonAsync("/api/watchlist", new { symbol = "ZZZUSDT" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await a.PostJsonAsync("/api/watchlist", new { symbol = "BBBUSDT" })).StatusCode);

        // the market moves: AAA +10 %
        await MetricsFeed.AppendAsync(_app.Stream, MetricsFeed.Minute(30), new FeedItem("AAAUSDT", addedPrice * 1.1, addedPrice, MetricsFeed.Quiet));
        var portfolio = await Eventually.WaitAsync(
            async () => await (await a.GetAsync("/api/portfolio")).JsonAsync(),
            p => p.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("symbol").GetString() == "AAAUSDT"
                && i.GetProperty("changePercent").GetDouble() > 9));
        var aaa = portfolio.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("symbol").GetString() == "AAAUSDT");
        Assert.Equal(10, aaa.GetProperty("changePercent").GetDouble(), 6);
        Assert.Equal(2, portfolio.GetProperty("count").GetInt32());
        Assert.Equal("AAAUSDT", portfolio.GetProperty("best").GetProperty("symbol").GetString());

        Assert.Equal(0, (await (await b.GetAsync("/api/watchlist")).JsonAsync()).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await b.DeleteAsync("/api/watchlist/AAAUSDT")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync("/api/watchlist/AAAUSDT")).StatusCode);
        var list = await (await a.GetAsync("/api/watchlist")).JsonAsync();
        Assert.Equal("BBBUSDT", Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("symbol").GetString());
    }

    [Fact]
    public async Task Presets_list_the_ten_with_thresholds_openapi_documents_the_api_and_health_reports_the_checks()
    {
        using var client = _app.CreateClient();
        var presets = await (await client.GetAsync("/api/presets")).JsonAsync();
        var list = presets.GetProperty("presets").EnumerateArray().ToList();
        Assert.Equal(10, list.Count);
        var bull = list.Single(p => p.GetProperty("key").GetString() == "futures_big_bull_60");
        Assert.Equal("60 Big Bull", bull.GetProperty("displayName").GetString());
        Assert.Equal(1.6, bull.GetProperty("thresholds").GetProperty("change1h").GetDouble());
        Assert.Equal(5, presets.GetProperty("cooldownMinutes").GetInt32());

        var openApi = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        foreach (var path in new[] { "/api/signals", "/api/presets", "/api/alerts", "/api/alerts/{id}/history", "/api/settings", "/api/watchlist", "/api/portfolio" })
        {
            Assert.True(openApi.GetProperty("paths").TryGetProperty(path, out _), path);
        }

        var health = await (await client.GetAsync("/health")).JsonAsync();
        var checks = health.GetProperty("checks");
        // "PostgreSql" and "StackExchange.Redis" are the names Aspire.Npgsql and Aspire.StackExchange.Redis register their health checks under.
        foreach (var name in new[] { "PostgreSql", "StackExchange.Redis", "consumer", "feed" })
        {
            Assert.True(checks.TryGetProperty(name, out _), name);
        }
    }
}
