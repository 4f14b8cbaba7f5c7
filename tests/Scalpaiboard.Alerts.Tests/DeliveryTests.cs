using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>Notifications end to end: stream -> signal -> outbox -> real HTTP receivers.</summary>
public sealed class DeliveryTests
{
    private const string Secret = "operator-secret";

    private static async Task<HashSet<string>> SignalIdsAsync(AlertsApp app, int expected)
    {
        using var client = app.CreateClient();
        var body = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/api/signals?limit=10000")).JsonAsync(),
            b => b.GetProperty("total").GetInt64() >= expected);
        return body.GetProperty("signals").EnumerateArray().Select(s => s.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
    }

    [Fact]
    public async Task Operator_generic_webhook_gets_every_signal_exactly_once_signed_despite_five_500s()
    {
        await using var hook = await FakeReceiver.StartAsync();
        var acked = new System.Collections.Concurrent.ConcurrentBag<ReceivedRequest>();
        hook.Respond = (n, r) =>
        {
            if (n <= 5)
            {
                return (500, null, null);
            }
            acked.Add(r);
            return (200, null, null);
        };
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Alerts:Webhooks:0:Url"] = hook.Url("/hook"),
            ["Alerts:Webhooks:0:Kind"] = "generic",
            ["Alerts:Webhooks:0:Secret"] = Secret,
        });
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 16, "AAAUSDT", "BBBUSDT", "CCCUSDT");
        var ids = await SignalIdsAsync(app, 12);
        Assert.Equal(12, ids.Count);

        await Eventually.WaitAsync(() => Task.FromResult(acked.Select(a => a.Header("Idempotency-Key")).Distinct().Count()), c => c >= ids.Count);
        await Task.Delay(500); // anything else arriving now would be a duplicate
        var delivered = acked.ToList();
        Assert.Equal(ids.Count, delivered.Count);
        foreach (var r in delivered)
        {
            using var body = JsonDocument.Parse(r.Body);
            var id = body.RootElement.GetProperty("id").GetString()!;
            Assert.Contains(id, ids);
            Assert.Equal(id, r.Header("Idempotency-Key"));
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), r.Body));
            Assert.Equal(expected, r.Header("X-Scalpaiboard-Signature"));
            Assert.Equal("signal", body.RootElement.GetProperty("kind").GetString());
            Assert.Equal("futures_pioneer_bull", body.RootElement.GetProperty("type").GetString());
            Assert.True(body.RootElement.GetProperty("openTime").GetInt64() >= MetricsFeed.T0);
            Assert.True(body.RootElement.GetProperty("metrics").TryGetProperty("change_5m", out _));
        }
        Assert.Equal(ids.OrderBy(x => x), delivered.Select(r => r.Header("Idempotency-Key")!).OrderBy(x => x));
        Assert.Equal(5, hook.Requests.Count(r => !acked.Contains(r)));
    }

    internal static async Task<HttpClient> SubscribedUserAsync(AlertsApp app, string userId, object webhook, int? maxPerHour = null)
    {
        var client = app.UserClient(userId);
        using var put = await client.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull" },
            webhooks = new[] { webhook },
            maxNotificationsPerHour = maxPerHour,
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);
        return client;
    }

    [Fact]
    public async Task Discord_gets_an_embed_with_title_fields_and_direction_colour()
    {
        await using var discord = await FakeReceiver.StartAsync();
        discord.Respond = (_, _) => (204, null, null);
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        using var user = await SubscribedUserAsync(app, "user-discord", new { kind = "discord", url = discord.Url("/api/webhooks/1/abc") });
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");

        await Eventually.WaitAsync(() => Task.FromResult(discord.Requests.Count), c => c >= 1);
        var r = Assert.Single(discord.Requests);
        Assert.Equal("/api/webhooks/1/abc", r.Path);
        using var body = JsonDocument.Parse(r.Body);
        var embed = Assert.Single(body.RootElement.GetProperty("embeds").EnumerateArray());
        Assert.Contains("AAAUSDT", embed.GetProperty("title").GetString());
        Assert.Contains("Pioneer Bull", embed.GetProperty("title").GetString());
        Assert.Equal(0x2ECC71, embed.GetProperty("color").GetInt32());
        Assert.Contains(embed.GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == "Price");

        var notes = await Eventually.WaitAsync(
            async () => await (await user.GetAsync("/api/notifications?status=delivered")).JsonAsync(),
            n => n.GetProperty("notifications").GetArrayLength() == 1);
        Assert.Equal("discord", notes.GetProperty("notifications")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Over_the_hourly_budget_notifications_fold_into_one_digest()
    {
        await using var hook = await FakeReceiver.StartAsync();
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?> { ["Alerts:Delivery:DigestIntervalSeconds"] = "1" });
        using var user = await SubscribedUserAsync(app, "user-flood", new { kind = "generic", url = hook.Url("/mine"), secret = "s3cret" }, maxPerHour: 2);
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 25, "AAAUSDT"); // 5 signals: minutes 0, 5, 10, 15, 20

        await Eventually.WaitAsync(() => Task.FromResult(hook.Requests.Count), c => c >= 3, TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        var bodies = hook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(3, bodies.Count);
        Assert.Equal(2, bodies.Count(b => b.GetProperty("kind").GetString() == "signal"));
        var digest = Assert.Single(bodies, b => b.GetProperty("kind").GetString() == "digest");
        Assert.Equal(3, digest.GetProperty("count").GetInt32());
        Assert.Equal(3, digest.GetProperty("items").GetArrayLength());

        var notes = await (await user.GetAsync("/api/notifications?limit=100")).JsonAsync();
        var statuses = notes.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("status").GetString()).ToList();
        Assert.Equal(3, statuses.Count(s => s == "digested"));
        Assert.Equal(3, statuses.Count(s => s == "delivered"));
    }

    [Fact]
    public async Task A_target_that_keeps_failing_ends_dead_after_the_last_attempt()
    {
        await using var hook = await FakeReceiver.StartAsync();
        hook.Respond = (_, _) => (503, null, null);
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?> { ["Alerts:Delivery:MaxAttempts"] = "3" });
        using var user = await SubscribedUserAsync(app, "user-dead", new { kind = "generic", url = hook.Url("/down") });
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");

        var notes = await Eventually.WaitAsync(
            async () => await (await user.GetAsync("/api/notifications?status=dead")).JsonAsync(),
            n => n.GetProperty("notifications").GetArrayLength() == 1);
        var dead = Assert.Single(notes.GetProperty("notifications").EnumerateArray());
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32());
        Assert.Equal(503, dead.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(3, hook.Requests.Count);
    }

    [Fact]
    public async Task Send_test_reports_the_outcome_of_one_real_request()
    {
        await using var hook = await FakeReceiver.StartAsync();
        hook.Respond = (n, _) => n == 1 ? (200, null, null) : (404, "nope", null);
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        using var user = app.UserClient("user-test");

        var ok = await (await user.PostJsonAsync("/api/settings/webhooks/test", new { kind = "generic", url = hook.Url("/t"), secret = "k" })).JsonAsync();
        Assert.True(ok.GetProperty("ok").GetBoolean());
        var sent = Assert.Single(hook.Requests);
        Assert.Equal("test", JsonDocument.Parse(sent.Body).RootElement.GetProperty("kind").GetString());
        Assert.StartsWith("sha256=", sent.Header("X-Scalpaiboard-Signature"));

        var failed = await (await user.PostJsonAsync("/api/settings/webhooks/test", new { kind = "generic", url = hook.Url("/t") })).JsonAsync();
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal(404, failed.GetProperty("statusCode").GetInt32());

        using var bad = await user.PostJsonAsync("/api/settings/webhooks/test", new { kind = "telegram", url = "not a url" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("url", out _));
        Assert.True(errors.TryGetProperty("chatId", out _));
        Assert.True(errors.TryGetProperty("secret", out _));

        using var foreign = await user.PostJsonAsync("/api/settings/webhooks/test", new { webhookId = 999 });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, foreign.StatusCode);
    }
}
