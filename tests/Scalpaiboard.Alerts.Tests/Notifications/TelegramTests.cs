using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Notifications;

/// <summary>Telegram through Telegram.Bot against a fake Bot API on a real socket (the target's url is the API base URL).</summary>
public sealed class TelegramTests
{
    private const string Token = "123456:AAH-secret_bot_token-XYZ";

    private const string Sent = """{"ok":true,"result":{"message_id":7,"date":1772409600,"chat":{"id":42,"type":"private"},"text":"x"}}""";

    [Fact]
    public async Task A_signal_arrives_as_sendMessage_and_a_429_retry_after_is_honoured_by_the_outbox()
    {
        await using var telegram = await FakeReceiver.StartAsync();
        telegram.Respond = (n, _) => n == 1
            ? (429, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 2","parameters":{"retry_after":2}}""", null)
            : (200, Sent, null);
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        using var user = await DeliveryTests.SubscribedUserAsync(app, "user-telegram",
            new { kind = "telegram", url = telegram.Url("/"), secret = Token, chatId = "42" });
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");

        var notes = await Eventually.WaitAsync(
            async () => await (await user.GetAsync("/api/notifications?status=delivered")).JsonAsync(),
            n => n.GetProperty("notifications").GetArrayLength() == 1);
        var delivered = Assert.Single(notes.GetProperty("notifications").EnumerateArray());
        Assert.Equal(2, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal("telegram", delivered.GetProperty("kind").GetString());

        var requests = telegram.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal($"/bot{Token}/sendMessage", r.Path));
        var gap = requests[1].At - requests[0].At;
        Assert.True(gap >= TimeSpan.FromMilliseconds(1900), $"retried after {gap.TotalMilliseconds} ms despite retry_after 2");
        using var body = JsonDocument.Parse(requests[1].Body);
        Assert.Equal(42, body.RootElement.GetProperty("chat_id").GetInt64());
        var text = body.RootElement.GetProperty("text").GetString();
        Assert.Contains("AAAUSDT", text);
        Assert.Contains("Pioneer Bull", text);
        Assert.True(body.RootElement.GetProperty("link_preview_options").GetProperty("is_disabled").GetBoolean());
    }

    [Fact]
    public async Task The_bot_token_is_in_neither_the_logs_nor_the_dead_letters_error()
    {
        await using var telegram = await FakeReceiver.StartAsync();
        telegram.Respond = (_, _) => (401, """{"ok":false,"error_code":401,"description":"Unauthorized"}""", null);
        // A closed port: the send fails with a socket error (its message names host and port).
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var logs = new CapturedLogs();
        using var redis = new RedisServer();
        await using var factory = new AlertsApp(await PostgresServer.Shared.CreateDatabaseAsync("alerts"), redis, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Alerts:Delivery:MaxAttempts"] = "2",
        }).WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        using var user = factory.CreateDefaultClient(AlertsApp.SignedAs("user-token"));
        using var put = await user.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull" },
            webhooks = new object[]
            {
                new { kind = "telegram", url = telegram.Url("/"), secret = Token, chatId = "-1001" },
                new { kind = "telegram", url = $"http://127.0.0.1:{closedPort}/", secret = Token, chatId = "@channel" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await MetricsFeed.AppendPioneerRunAsync(factory.Services.GetRequiredService<IEventStream>(), 1, "AAAUSDT");

        var notes = await Eventually.WaitAsync(
            async () => await (await user.GetAsync("/api/notifications?status=dead")).JsonAsync(),
            n => n.GetProperty("notifications").GetArrayLength() == 2);
        var dead = notes.GetProperty("notifications").EnumerateArray().ToList();
        Assert.Equal(2, dead.Count);
        var unauthorized = Assert.Single(dead, d => d.GetProperty("lastStatusCode").ValueKind == JsonValueKind.Number);
        Assert.Equal(401, unauthorized.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(1, unauthorized.GetProperty("attempts").GetInt32()); // 401 is permanent
        var refused = Assert.Single(dead, d => d.GetProperty("lastStatusCode").ValueKind == JsonValueKind.Null);
        Assert.Equal(2, refused.GetProperty("attempts").GetInt32()); // a network error is retried
        Assert.Contains(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.GetProperty("lastError").GetString());

        // the send-test answer carries the same kind of error text
        var tested = await (await user.PostJsonAsync("/api/settings/webhooks/test",
            new { kind = "telegram", url = telegram.Url("/"), secret = Token, chatId = "42" })).JsonAsync();
        Assert.False(tested.GetProperty("ok").GetBoolean());

        var secretPart = Token.Split(':')[1];
        foreach (var d in dead)
        {
            Assert.DoesNotContain(secretPart, d.GetRawText());
        }
        Assert.DoesNotContain(secretPart, tested.GetRawText());
        Assert.NotEmpty(logs.Lines); // the capture works (Trace level: every category logs something)
        Assert.Contains(logs.Lines, l => l.Contains("is dead after attempt", StringComparison.Ordinal));
        Assert.DoesNotContain(secretPart, logs.All);
        Assert.Contains(telegram.Requests, r => r.Path == $"/bot{Token}/sendMessage"); // it did travel, in the path
    }
}
