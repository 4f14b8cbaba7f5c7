using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Notifications;

/// <summary>
/// Browser push through Lib.Net.Http.WebPush against a fake push service on a real socket: the VAPID token is checked
/// as a push service checks it, and the payload is decrypted with the keys a browser would hold.
/// </summary>
public sealed class PushTests
{
    private const string Subject = "mailto:ops@scalpaiboard.test";

    internal static (string PublicKey, string PrivateKey) NewVapidKeys()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(true);
        return (Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]), Base64Url.EncodeToString(p.D));
    }

    /// <summary>An Alerts service with VAPID keys, whose users' targets may be on 127.0.0.1 (the fake push service) unless told otherwise.</summary>
    private static async Task<AlertsApp> StartAsync(RedisServer redis, (string PublicKey, string PrivateKey) vapid, bool allowPrivateNetworks = true,
        Dictionary<string, string?>? more = null, Scalpaiboard.Infrastructure.Net.HostAddressResolver? resolver = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:WebPush:PublicKey"] = vapid.PublicKey,
            ["Notifications:WebPush:PrivateKey"] = vapid.PrivateKey,
            ["Notifications:WebPush:Subject"] = Subject,
            ["Notifications:PublicWebUrl"] = "https://web.example",
            // The operator switch of docs/security.md: the fake push service listens on 127.0.0.1.
            ["Security:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false",
        };
        foreach (var (k, v) in more ?? [])
        {
            settings[k] = v;
        }
        return await AlertsApp.StartAsync(redis, settings, resolver: resolver);
    }

    /// <summary>Appends a Pioneer Bull run for <paramref name="symbol"/> from <paramref name="minute"/> and waits until the service has stored <paramref name="signals"/> signals of it.</summary>
    private static async Task FirePioneerRunAsync(AlertsApp app, int minute, string symbol, long signals)
    {
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, minute, symbol);
        await Eventually.WaitAsync(async () => (await (await app.CreateClient().GetAsync($"/api/signals?symbol={symbol}")).JsonAsync())
            .GetProperty("total").GetInt64(), t => t >= signals);
    }

    /// <summary>Waits for the user's one notification in <paramref name="status"/> and returns it.</summary>
    private static async Task<JsonElement> SingleNotificationAsync(HttpClient user, string status)
    {
        var notes = await Eventually.WaitAsync(
            async () => await (await user.GetAsync($"/api/notifications?status={status}")).JsonAsync(),
            n => n.GetProperty("notifications").GetArrayLength() == 1);
        return Assert.Single(notes.GetProperty("notifications").EnumerateArray());
    }

    private static async Task<(HttpClient User, long Id)> SubscribeAsync(AlertsApp app, string userId, string endpoint, TestBrowser browser,
        string symbol)
    {
        var user = app.UserClient(userId);
        using var settings = await user.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull" },
            symbolFilter = new[] { symbol },
        });
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        using var created = await user.PostJsonAsync("/api/settings/push-subscriptions",
            new { endpoint, expirationTime = (long?)null, keys = new { p256dh = browser.P256dh, auth = browser.Auth }, name = "Chromium on Linux" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (user, (await created.JsonAsync()).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_signal_arrives_once_signed_for_the_endpoints_origin_and_decrypts_with_the_browsers_keys()
    {
        var vapid = NewVapidKeys();
        await using var push = await FakePushService.StartAsync(vapid.PublicKey);
        using var redis = new RedisServer();
        await using var app = await StartAsync(redis, vapid);
        using var browser = new TestBrowser();

        using var key = await app.CreateClient().GetAsync("/api/notifications/push/key");
        Assert.Equal(HttpStatusCode.OK, key.StatusCode);
        Assert.Equal(vapid.PublicKey, (await key.JsonAsync()).GetProperty("publicKey").GetString());

        var endpoint = push.NewEndpoint();
        var (user, id) = await SubscribeAsync(app, "push-user", endpoint, browser, "AAAUSDT");
        using (user)
        {
            // Saving the same endpoint again refreshes it: still one device.
            using var again = await user.PostJsonAsync("/api/settings/push-subscriptions",
                new { endpoint, keys = new { p256dh = browser.P256dh, auth = browser.Auth }, name = "renamed" });
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var list = (await (await user.GetAsync("/api/settings/push-subscriptions")).JsonAsync()).GetProperty("subscriptions");
            var device = Assert.Single(list.EnumerateArray());
            Assert.Equal(id, device.GetProperty("id").GetInt64());
            Assert.Equal(endpoint, device.GetProperty("endpoint").GetString());
            Assert.Equal("renamed", device.GetProperty("name").GetString());
            Assert.DoesNotContain(browser.Auth, list.GetRawText(), StringComparison.Ordinal);
            // Devices are not webhooks: the settings neither list nor replace them.
            Assert.Empty((await (await user.GetAsync("/api/settings")).JsonAsync()).GetProperty("webhooks").EnumerateArray());

            await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");

            var row = await SingleNotificationAsync(user, "delivered");
            Assert.Equal("push", row.GetProperty("kind").GetString());
            Assert.Equal(201, row.GetProperty("lastStatusCode").GetInt32());
            await Task.Delay(1000); // a second copy arriving now would be a duplicate
            var received = Assert.Single(push.Requests);

            Assert.Equal(new Uri(endpoint).AbsolutePath, received.Path);
            Assert.Null(received.VapidProblem);
            var claims = received.Claims!.Value;
            Assert.Equal(push.Origin, claims.GetProperty("aud").GetString());
            Assert.Equal(Subject, claims.GetProperty("sub").GetString());
            Assert.True(claims.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.Equal("aes128gcm", received.Header("Content-Encoding"));
            Assert.Equal("3600", received.Header("TTL"));

            using var message = JsonDocument.Parse(browser.Decrypt(received.Body));
            var m = message.RootElement;
            Assert.Equal("AAAUSDT · Pioneer Bull", m.GetProperty("title").GetString());
            Assert.StartsWith("Price 100", m.GetProperty("body").GetString());
            Assert.Contains("5m +", m.GetProperty("body").GetString());
            Assert.Equal("https://web.example/coins/AAAUSDT", m.GetProperty("url").GetString());
            Assert.Equal("signal-AAAUSDT-futures_pioneer_bull", m.GetProperty("tag").GetString());
            // Another browser's keys cannot read it.
            using var stranger = new TestBrowser();
            Assert.ThrowsAny<CryptographicException>(() => stranger.Decrypt(received.Body));

            // The auth secret is stored encrypted; the public key as given.
            await using var db = NpgsqlDataSource.Create(app.Postgres);
            await using var select = db.CreateCommand("SELECT protected_secret, push_p256dh FROM alerts.user_webhooks WHERE kind = 'push'");
            await using var reader = await select.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.DoesNotContain(browser.Auth, reader.GetString(0), StringComparison.Ordinal);
            Assert.Equal(browser.P256dh, reader.GetString(1));
        }
    }

    [Fact]
    public async Task A_410_removes_the_subscription_and_nothing_is_sent_to_it_again()
    {
        var vapid = NewVapidKeys();
        await using var push = await FakePushService.StartAsync(vapid.PublicKey);
        push.Respond = (_, _) => (410, null);
        using var redis = new RedisServer();
        await using var app = await StartAsync(redis, vapid);
        using var browser = new TestBrowser();
        var (user, _) = await SubscribeAsync(app, "push-gone", push.NewEndpoint(), browser, "AAAUSDT");
        using (user)
        {
            await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");

            var dead = await SingleNotificationAsync(user, "dead");
            Assert.Equal(1, dead.GetProperty("attempts").GetInt32());
            Assert.Equal(410, dead.GetProperty("lastStatusCode").GetInt32());
            Assert.Contains("removed", dead.GetProperty("lastError").GetString());
            Assert.Empty((await (await user.GetAsync("/api/settings/push-subscriptions")).JsonAsync()).GetProperty("subscriptions").EnumerateArray());

            await FirePioneerRunAsync(app, 7, "AAAUSDT", signals: 2); // fires again at minute 5
            await Task.Delay(1000);
            Assert.Single(push.Requests);
        }
    }

    [Fact]
    public async Task A_5xx_and_a_429_with_Retry_After_are_retried_by_the_outbox_and_delivered_once()
    {
        var vapid = NewVapidKeys();
        await using var push = await FakePushService.StartAsync(vapid.PublicKey);
        push.Respond = (n, _) => n switch
        {
            1 => (503, null),
            2 => (429, new Dictionary<string, string> { ["Retry-After"] = "2" }),
            _ => (201, null),
        };
        using var redis = new RedisServer();
        await using var app = await StartAsync(redis, vapid);
        using var browser = new TestBrowser();
        var (user, _) = await SubscribeAsync(app, "push-busy", push.NewEndpoint(), browser, "BBBUSDT");
        using (user)
        {
            await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "BBBUSDT");

            Assert.Equal(3, (await SingleNotificationAsync(user, "delivered")).GetProperty("attempts").GetInt32());
            await Task.Delay(1000);
            var requests = push.Requests.ToList();
            Assert.Equal(3, requests.Count);
            var gap = requests[2].At - requests[1].At;
            Assert.True(gap >= TimeSpan.FromMilliseconds(1900), $"retried after {gap.TotalMilliseconds} ms despite Retry-After: 2");
            // every attempt is a new encryption of the same notification
            Assert.All(requests, r => Assert.Null(r.VapidProblem));
            Assert.Single(requests.Select(r => browser.Decrypt(r.Body)).Distinct());
            Assert.Equal(3, requests.Select(r => Convert.ToHexString(r.Body)).Distinct().Count());
            // the subscription stays
            Assert.Single((await (await user.GetAsync("/api/settings/push-subscriptions")).JsonAsync()).GetProperty("subscriptions").EnumerateArray());
        }
    }

    [Fact]
    public async Task Send_test_reaches_the_device_and_removing_it_stops_deliveries()
    {
        var vapid = NewVapidKeys();
        await using var push = await FakePushService.StartAsync(vapid.PublicKey);
        using var redis = new RedisServer();
        await using var app = await StartAsync(redis, vapid);
        using var browser = new TestBrowser();
        var (user, id) = await SubscribeAsync(app, "push-tester", push.NewEndpoint(), browser, "CCCUSDT");
        using (user)
        {
            var tested = await (await user.PostJsonAsync("/api/settings/webhooks/test", new { webhookId = id })).JsonAsync();
            Assert.Null(Assert.Single(push.Requests).VapidProblem);
            Assert.True(tested.GetProperty("ok").GetBoolean(), tested.GetRawText());
            using (var test = JsonDocument.Parse(browser.Decrypt(Assert.Single(push.Requests).Body)))
            {
                Assert.Equal("test", test.RootElement.GetProperty("tag").GetString());
                Assert.Equal("https://web.example/settings", test.RootElement.GetProperty("url").GetString());
            }

            using var foreign = await app.UserClient("someone-else").DeleteAsync($"/api/settings/push-subscriptions/{id}");
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
            using var removed = await user.DeleteAsync($"/api/settings/push-subscriptions/{id}");
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
            Assert.Empty((await (await user.GetAsync("/api/settings/push-subscriptions")).JsonAsync()).GetProperty("subscriptions").EnumerateArray());

            await FirePioneerRunAsync(app, 1, "CCCUSDT", signals: 1);
            await Task.Delay(1000);
            Assert.Single(push.Requests);
        }
    }

    [Fact]
    public async Task The_same_browser_subscribing_for_another_account_moves_to_it()
    {
        var vapid = NewVapidKeys();
        await using var push = await FakePushService.StartAsync(vapid.PublicKey);
        using var redis = new RedisServer();
        await using var app = await StartAsync(redis, vapid);
        using var browser = new TestBrowser();
        var endpoint = push.NewEndpoint();
        var (first, _) = await SubscribeAsync(app, "push-first", endpoint, browser, "AAAUSDT");
        var (second, _) = await SubscribeAsync(app, "push-second", endpoint, browser, "AAAUSDT");
        using (first)
        using (second)
        {
            Assert.Empty((await (await first.GetAsync("/api/settings/push-subscriptions")).JsonAsync()).GetProperty("subscriptions").EnumerateArray());
            Assert.Single((await (await second.GetAsync("/api/settings/push-subscriptions")).JsonAsync()).GetProperty("subscriptions").EnumerateArray());
        }
    }

    [Theory]
    [InlineData("endpoint", "")]
    [InlineData("endpoint", "ftp://push.example/x")]
    [InlineData("endpoint", "http://127.0.0.1/push/1")]
    [InlineData("endpoint", "http://[::1]/push/1")]
    [InlineData("endpoint", "http://169.254.169.254/latest/meta-data/")]
    [InlineData("endpoint", "http://localhost/push/1")]
    [InlineData("endpoint", "https://user:password@push.example/x")]
    [InlineData("keys.p256dh", "")]
    [InlineData("keys.p256dh", "not base64url!")]
    [InlineData("keys.p256dh", "BAAA")]
    [InlineData("keys.auth", "")]
    [InlineData("keys.auth", "AAAA")]
    [InlineData("name", "a name longer than one hundred characters ..................................................................")]
    public async Task A_bad_subscription_is_a_400_naming_the_field(string field, string value)
    {
        var vapid = NewVapidKeys();
        using var redis = new RedisServer();
        // The default address rules: a user's endpoint must be a public address.
        await using var app = await StartAsync(redis, vapid, allowPrivateNetworks: false);
        using var browser = new TestBrowser();
        using var user = app.UserClient("push-validation");
        var endpoint = field == "endpoint" ? value : "https://push.example/send/abc";
        var p256dh = field == "keys.p256dh" ? value : browser.P256dh;
        var auth = field == "keys.auth" ? value : browser.Auth;
        var name = field == "name" ? value : "laptop";

        using var response = await user.PostJsonAsync("/api/settings/push-subscriptions", new { endpoint, keys = new { p256dh, auth }, name });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), errors.ToString());
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.Single(errors.EnumerateObject());
    }

    [Fact]
    public async Task A_point_off_the_curve_is_not_a_browser_key()
    {
        var vapid = NewVapidKeys();
        using var redis = new RedisServer();
        await using var app = await StartAsync(redis, vapid);
        using var browser = new TestBrowser();
        var bent = browser.PublicKey;
        bent[64] ^= 0x01;
        using var user = app.UserClient("push-curve");
        using var response = await user.PostJsonAsync("/api/settings/push-subscriptions",
            new { endpoint = "https://push.example/send/abc", keys = new { p256dh = Base64Url.EncodeToString(bent), auth = browser.Auth } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("keys.p256dh", out _));
        using var missing = await user.PostJsonAsync("/api/settings/push-subscriptions", new { endpoint = "https://push.example/send/abc" });
        var errors = (await missing.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("keys.p256dh", out _) && errors.TryGetProperty("keys.auth", out _), errors.ToString());
    }

    [Fact]
    public async Task An_endpoint_resolving_to_loopback_is_refused_at_connect_time_and_never_reached()
    {
        var vapid = NewVapidKeys();
        await using var push = await FakePushService.StartAsync(vapid.PublicKey);
        using var redis = new RedisServer();
        await using var app = await StartAsync(redis, vapid, allowPrivateNetworks: false, resolver: RiggedDns.Resolver);
        using var browser = new TestBrowser();
        // A public-looking name passes the save-time check; the connection is checked against what it resolves to.
        var endpoint = $"http://{RiggedDns.Evil}:{push.BaseUri.Port}/push/rebound";
        var (user, id) = await SubscribeAsync(app, "push-ssrf", endpoint, browser, "AAAUSDT");
        using (user)
        {
            await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");
            var dead = await SingleNotificationAsync(user, "dead");
            Assert.Equal(1, dead.GetProperty("attempts").GetInt32()); // a refusal is final
            Assert.Contains($"Refused to connect to '{RiggedDns.Evil}'", dead.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            var tested = await (await user.PostJsonAsync("/api/settings/webhooks/test", new { webhookId = id })).JsonAsync();
            Assert.False(tested.GetProperty("ok").GetBoolean());
            Assert.Contains("Refused to connect", tested.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Empty(push.Requests);
        }
    }

    [Fact]
    public async Task Push_kinds_are_refused_in_the_webhooks_list_and_without_keys_there_is_no_push()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        using var user = app.UserClient("push-off");

        using var key = await app.CreateClient().GetAsync("/api/notifications/push/key");
        Assert.Equal(HttpStatusCode.NotFound, key.StatusCode);
        Assert.StartsWith("application/problem+json", key.Content.Headers.ContentType?.MediaType);
        using var browser = new TestBrowser();
        using var subscribe = await user.PostJsonAsync("/api/settings/push-subscriptions",
            new { endpoint = "https://push.example/send/abc", keys = new { p256dh = browser.P256dh, auth = browser.Auth } });
        Assert.Equal(HttpStatusCode.BadRequest, subscribe.StatusCode);
        Assert.Contains("Notifications:WebPush", (await subscribe.JsonAsync()).GetProperty("errors").GetProperty("endpoint")[0].GetString());

        using var put = await user.PutJsonAsync("/api/settings", new { webhooks = new[] { new { kind = "push", url = "https://push.example/send/abc" } } });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.True((await put.JsonAsync()).GetProperty("errors").TryGetProperty("webhooks[0].kind", out _));
        using var test = await user.PostJsonAsync("/api/settings/webhooks/test", new { kind = "push", url = "https://push.example/send/abc" });
        Assert.Equal(HttpStatusCode.BadRequest, test.StatusCode);
        Assert.True((await test.JsonAsync()).GetProperty("errors").TryGetProperty("kind", out _));
    }
}
