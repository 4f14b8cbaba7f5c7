using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MimeKit;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Notifications;

/// <summary>E-mail channels through MailKit against a fake SMTP server on a real socket (STARTTLS, AUTH, DATA).</summary>
public sealed partial class EmailTests
{
    private const string Address = "trader@example.com";
    private const string SmtpUser = "mailer";
    private const string SmtpPassword = "smtp-pass-123";

    private static Dictionary<string, string?> Settings(FakeSmtpServer smtp, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Smtp:Host"] = "127.0.0.1",
            ["Notifications:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Smtp:Username"] = SmtpUser,
            ["Notifications:Smtp:Password"] = SmtpPassword,
            ["Notifications:Smtp:From"] = "Scalpaiboard <alerts@scalpaiboard.test>",
            ["Notifications:Smtp:Security"] = "StartTls",
            ["Notifications:Smtp:CertificateSha256"] = smtp.CertificateSha256,
            ["Notifications:PublicWebUrl"] = "https://web.example",
            ["Notifications:PublicApiUrl"] = "https://api.example",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }
        return settings;
    }

    private static async Task<HttpClient> EmailUserAsync(AlertsApp app, string userId)
    {
        var client = app.UserClient(userId);
        using var put = await client.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull" },
            webhooks = new[] { new { kind = "email", url = Address, name = "me" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return client;
    }

    private static async Task<List<ReceivedMail>> MailsAsync(FakeSmtpServer smtp, int atLeast, TimeSpan? timeout = null) =>
        await Eventually.WaitAsync(() => Task.FromResult(smtp.Messages.ToList()), m => m.Count >= atLeast, timeout);

    /// <summary>The path and query of the link in a confirmation mail (the link names the public API address).</summary>
    private static string ConfirmPath(ReceivedMail mail)
    {
        var text = mail.Parse().TextBody ?? "";
        var link = LinkPattern().Match(text).Value;
        Assert.StartsWith("https://api.example/api/settings/email/confirm?token=", link);
        return new Uri(link).PathAndQuery;
    }

    [GeneratedRegex(@"https://api\.example/\S+")]
    private static partial Regex LinkPattern();

    [Fact]
    public async Task Confirmation_first_then_one_text_and_html_mail_per_signal_authenticated_only_under_tls()
    {
        await using var smtp = FakeSmtpServer.Start();
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, Settings(smtp));
        using var user = await EmailUserAsync(app, "user-mail");

        var hook = (await (await user.GetAsync("/api/settings")).JsonAsync()).GetProperty("webhooks")[0];
        Assert.Equal("email", hook.GetProperty("kind").GetString());
        Assert.Equal(Address, hook.GetProperty("url").GetString());
        Assert.False(hook.GetProperty("confirmed").GetBoolean());

        var confirmation = Assert.Single(await MailsAsync(smtp, 1));
        var parsed = confirmation.Parse();
        Assert.Equal(Address, Assert.Single(parsed.To.Mailboxes).Address);
        Assert.Contains("confirm", parsed.Subject, StringComparison.OrdinalIgnoreCase);
        Assert.True(confirmation.Tls);
        Assert.False(confirmation.AuthBeforeTls);
        Assert.Equal((SmtpUser, SmtpPassword), (confirmation.AuthUser, confirmation.AuthPassword));
        Assert.All(smtp.Auths, a => Assert.True(a.Tls, $"AUTH {a.Mechanism} before STARTTLS"));
        var confirmPath = ConfirmPath(confirmation);

        // Not confirmed yet: a signal sends nothing to the address.
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");
        await Eventually.WaitAsync(async () => (await (await app.CreateClient().GetAsync("/api/signals")).JsonAsync()).GetProperty("total").GetInt64(),
            t => t >= 1);
        await Task.Delay(1500);
        Assert.Single(smtp.Messages);
        var rows = (await (await user.GetAsync("/api/notifications")).JsonAsync()).GetProperty("notifications");
        Assert.Equal("confirmation", Assert.Single(rows.EnumerateArray()).GetProperty("messageKind").GetString());

        // The link works once, without a login.
        using var anonymous = app.CreateClient();
        using var confirmed = await anonymous.GetAsync(confirmPath);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(Address, (await confirmed.JsonAsync()).GetProperty("address").GetString());
        using var again = await anonymous.GetAsync(confirmPath);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.True((await again.JsonAsync()).GetProperty("errors").TryGetProperty("token", out _));
        using var forged = await anonymous.GetAsync("/api/settings/email/confirm?token=abc");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.True((await (await user.GetAsync("/api/settings")).JsonAsync()).GetProperty("webhooks")[0].GetProperty("confirmed").GetBoolean());

        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "BBBUSDT");
        var mails = await MailsAsync(smtp, 2);
        await Task.Delay(500);
        Assert.Equal(2, smtp.Messages.Count);
        var signal = mails[1];
        var message = signal.Parse();
        Assert.Equal("alerts@scalpaiboard.test", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal("Scalpaiboard", Assert.Single(message.From.Mailboxes).Name);
        Assert.Equal(Address, Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal([$"<{Address}>"], signal.RcptTo.Select(r => r.Replace("TO:", "", StringComparison.OrdinalIgnoreCase).Trim()));
        Assert.Contains("BBBUSDT", message.Subject);
        Assert.Contains("Pioneer Bull", message.Subject);
        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal("multipart/alternative", alternative.ContentType.MimeType);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Contains("change_5m", message.TextBody);
        Assert.Contains("https://web.example/coins/BBBUSDT", message.TextBody);
        Assert.Contains("href=\"https://web.example/coins/BBBUSDT\"", message.HtmlBody);
        Assert.Contains("change_5m", message.HtmlBody);
        Assert.EndsWith("@scalpaiboard.local", message.MessageId);
        Assert.True(signal.Tls);
        Assert.All(smtp.Auths, a => Assert.True(a.Tls));

        // send-test of the confirmed address
        var id = hook.GetProperty("id").GetInt64();
        var tested = await (await user.PostJsonAsync("/api/settings/webhooks/test", new { webhookId = id })).JsonAsync();
        Assert.True(tested.GetProperty("ok").GetBoolean(), tested.GetRawText());
        Assert.Contains("test", (await MailsAsync(smtp, 3))[2].Parse().Subject, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_confirmation_link_expires_and_an_unconfirmed_address_gets_no_test_mail()
    {
        await using var smtp = FakeSmtpServer.Start();
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, Settings(smtp, new Dictionary<string, string?>
        {
            ["Notifications:Email:ConfirmationLifetime"] = "00:00:01",
        }));
        using var user = await EmailUserAsync(app, "user-slow");
        var confirmPath = ConfirmPath(Assert.Single(await MailsAsync(smtp, 1)));
        var id = (await (await user.GetAsync("/api/settings")).JsonAsync()).GetProperty("webhooks")[0].GetProperty("id").GetInt64();

        using var test = await user.PostJsonAsync("/api/settings/webhooks/test", new { webhookId = id });
        Assert.Equal(HttpStatusCode.BadRequest, test.StatusCode);
        Assert.True((await test.JsonAsync()).GetProperty("errors").TryGetProperty("webhookId", out _));
        using var adHoc = await user.PostJsonAsync("/api/settings/webhooks/test", new { kind = "email", url = "other@example.com" });
        Assert.Equal(HttpStatusCode.BadRequest, adHoc.StatusCode);

        await Task.Delay(2500);
        using var expired = await app.CreateClient().GetAsync(confirmPath);
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
        Assert.Contains("expired", (await expired.JsonAsync()).GetProperty("errors").GetProperty("token")[0].GetString());
        Assert.False((await (await user.GetAsync("/api/settings")).JsonAsync()).GetProperty("webhooks")[0].GetProperty("confirmed").GetBoolean());
        Assert.Single(smtp.Messages);

        // Bad addresses are 400s naming the field.
        using var bad = await user.PutJsonAsync("/api/settings", new { webhooks = new[] { new { kind = "email", url = "Someone <x@example.com>" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("webhooks[0].url", out _));

        // A new address (same channel) gets its own confirmation mail; the kept address would not.
        using var same = await user.PutJsonAsync("/api/settings", new { webhooks = new[] { new { id, kind = "email", url = Address } } });
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        using var moved = await user.PutJsonAsync("/api/settings", new { webhooks = new[] { new { id, kind = "email", url = "new@example.com" } } });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var second = (await MailsAsync(smtp, 2))[1].Parse();
        Assert.Equal("new@example.com", Assert.Single(second.To.Mailboxes).Address);
        Assert.Contains("new@example.com", second.TextBody);
        await Task.Delay(1000);
        Assert.Equal(2, smtp.Messages.Count);
    }

    [Fact]
    public async Task An_alert_that_fires_during_an_smtp_outage_is_delivered_once_when_the_server_is_back()
    {
        await using var smtp = FakeSmtpServer.Start();
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, Settings(smtp, new Dictionary<string, string?>
        {
            ["Alerts:Delivery:MaxAttempts"] = "100",
            // Retries at most 20 s apart, so the test sees the delivery soon after the outage (the default is 300 s).
            ["Alerts:Delivery:MaxDelaySeconds"] = "20",
        }));
        using var user = await EmailUserAsync(app, "user-outage");
        var confirmPath = ConfirmPath(Assert.Single(await MailsAsync(smtp, 1)));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync(confirmPath)).StatusCode);

        await smtp.StopAsync();
        using var created = await user.PostJsonAsync("/api/alerts", new
        {
            symbol = "AAAUSDT",
            conditions = new[] { new { type = "price_above", value = 150.0 } },
            recurring = false,
            cooldownMinutes = 5,
            note = "outage",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        for (var i = 1; i <= 3; i++)
        {
            await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 140 + i * 10, 140, MetricsFeed.Quiet));
        }
        var outageStarted = DateTime.UtcNow;
        var failing = await Eventually.WaitAsync(
            async () => await (await user.GetAsync("/api/notifications?status=pending")).JsonAsync(),
            n => n.GetProperty("notifications").EnumerateArray().Any(r => r.GetProperty("attempts").GetInt32() >= 2));
        var row = Assert.Single(failing.GetProperty("notifications").EnumerateArray());
        Assert.Equal("alert", row.GetProperty("messageKind").GetString());
        Assert.Contains("SMTP", row.GetProperty("lastError").GetString());
        // The issue's two-minute outage: the message keeps failing and waiting meanwhile.
        var remaining = TimeSpan.FromMinutes(2) - (DateTime.UtcNow - outageStarted);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }
        Assert.Single(smtp.Messages);

        smtp.Resume();
        var mails = await MailsAsync(smtp, 2, TimeSpan.FromSeconds(60));
        await Task.Delay(2000); // a second copy arriving now would be a duplicate
        Assert.Equal(2, smtp.Messages.Count);
        var message = mails[1].Parse();
        Assert.Contains("AAAUSDT", message.Subject);
        Assert.Contains("outage", message.TextBody);
        var delivered = Assert.Single((await (await user.GetAsync("/api/notifications?status=delivered")).JsonAsync())
            .GetProperty("notifications").EnumerateArray(), r => r.GetProperty("messageKind").GetString() == "alert");
        Assert.True(delivered.GetProperty("attempts").GetInt32() >= 3, delivered.GetRawText());
    }

    [Fact]
    public async Task Over_implicit_tls_a_mailbox_that_the_server_rejects_is_a_dead_letter_after_one_attempt()
    {
        await using var smtp = FakeSmtpServer.Start(implicitTls: true);
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, Settings(smtp, new Dictionary<string, string?>
        {
            ["Notifications:Smtp:Security"] = "Tls",
        }));
        using var user = await EmailUserAsync(app, "user-tls");
        var confirmation = Assert.Single(await MailsAsync(smtp, 1));
        Assert.True(confirmation.Tls);
        Assert.Equal(SmtpPassword, confirmation.AuthPassword);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync(ConfirmPath(confirmation))).StatusCode);

        smtp.RejectRecipient = to => to.Contains(Address, StringComparison.OrdinalIgnoreCase);
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");
        var notes = await Eventually.WaitAsync(
            async () => await (await user.GetAsync("/api/notifications?status=dead")).JsonAsync(),
            n => n.GetProperty("notifications").GetArrayLength() == 1);
        var dead = Assert.Single(notes.GetProperty("notifications").EnumerateArray());
        Assert.Equal("email", dead.GetProperty("kind").GetString());
        Assert.Equal(1, dead.GetProperty("attempts").GetInt32());
        Assert.Equal(550, dead.GetProperty("lastStatusCode").GetInt32());
        Assert.DoesNotContain(SmtpPassword, dead.GetRawText());
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task More_than_the_per_minute_limit_fold_into_one_digest_mail()
    {
        await using var smtp = FakeSmtpServer.Start();
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, Settings(smtp, new Dictionary<string, string?>
        {
            ["Notifications:Email:MaxPerMinute"] = "2",
            ["Notifications:Email:DigestIntervalSeconds"] = "1",
        }));
        using var user = await EmailUserAsync(app, "user-flood-mail");
        var confirmPath = ConfirmPath(Assert.Single(await MailsAsync(smtp, 1)));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync(confirmPath)).StatusCode);

        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 25, "AAAUSDT"); // 5 signals within a few ms
        var mails = await MailsAsync(smtp, 4);
        await Task.Delay(1500);
        Assert.Equal(4, smtp.Messages.Count);
        var subjects = mails.Skip(1).Select(m => m.Parse().Subject ?? "").ToList();
        Assert.Equal(2, subjects.Count(s => s.Contains("Pioneer Bull", StringComparison.Ordinal)));
        var digest = Assert.Single(mails.Skip(1), m => (m.Parse().Subject ?? "").Contains("digest", StringComparison.Ordinal)).Parse();
        Assert.Contains("3 notifications", digest.Subject);
        Assert.Equal(3, Regex.Matches(digest.TextBody ?? "", "https://web.example/coins/AAAUSDT").Count);

        var statuses = (await (await user.GetAsync("/api/notifications?limit=100")).JsonAsync()).GetProperty("notifications")
            .EnumerateArray().Select(n => n.GetProperty("status").GetString()).ToList();
        Assert.Equal(3, statuses.Count(s => s == "digested"));
    }
}
