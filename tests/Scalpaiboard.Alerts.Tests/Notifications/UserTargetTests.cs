using System.Net;
using System.Text.Json;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Notifications;

/// <summary>
/// An Alerts service whose webhooks resolve names through <see cref="RiggedDns"/>, with a loopback receiver recording what
/// arrives, under a given <c>Security:AllowPrivateNetworks</c>.
/// </summary>
public abstract class TargetsFixture(bool allowPrivateNetworks, Func<FakeReceiver, Dictionary<string, string?>>? settings = null) : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;
    public FakeReceiver Receiver { get; private set; } = null!;
    public AlertsApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await FakeReceiver.StartAsync();
        Redis = new RedisServer();
        var configuration = settings?.Invoke(Receiver) ?? [];
        configuration["Security:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false";
        App = await AlertsApp.StartAsync(Redis, configuration, resolver: RiggedDns.Resolver);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Redis.Dispose();
        await Receiver.DisposeAsync();
    }
}

/// <summary>The default: <c>Security:AllowPrivateNetworks</c> false, an operator webhook on the loopback receiver.</summary>
public sealed class StrictTargetsFixture() : TargetsFixture(allowPrivateNetworks: false, receiver => new()
{
    ["Alerts:Webhooks:0:Url"] = receiver.Url("/operator"),
    ["Alerts:Delivery:MaxAttempts"] = "3",
});

/// <summary>
/// Users' webhooks may reach only public addresses; the operator's may reach anything. <see cref="RiggedDns"/> maps
/// <c>evil.example</c> to 127.0.0.1, where a real receiver listens and records what arrives.
/// </summary>
public sealed class StrictUserTargetTests(StrictTargetsFixture fixture) : IClassFixture<StrictTargetsFixture>
{
    [Fact]
    public async Task A_user_webhook_resolving_to_loopback_is_refused_while_the_operator_webhook_on_the_same_listener_receives()
    {
        using var user = fixture.App.UserClient("ssrf-user");
        using var saved = await user.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull" },
            webhooks = new[] { new { kind = "generic", url = RiggedDns.EvilUrl(fixture.Receiver, "/user") } },
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode); // a name passes the save-time check; the connection is checked

        await MetricsFeed.AppendPioneerRunAsync(fixture.App.Stream, 1, "AAAUSDT");

        await Eventually.WaitAsync(() => Task.FromResult(fixture.Receiver.Requests.Count(r => r.Path == "/operator")), c => c >= 1);
        var notes = await Eventually.WaitAsync(
            async () => await (await user.GetAsync("/api/notifications?status=dead")).JsonAsync(),
            n => n.GetProperty("notifications").GetArrayLength() == 1);
        var dead = Assert.Single(notes.GetProperty("notifications").EnumerateArray());
        Assert.Equal(1, dead.GetProperty("attempts").GetInt32()); // a refusal is final, not retried
        Assert.Contains("Refused to connect to 'evil.example'", dead.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Receiver.Requests, r => r.Path == "/user");
    }

    [Fact]
    public async Task Send_test_to_a_name_resolving_to_loopback_reports_the_refusal_and_sends_nothing()
    {
        using var user = fixture.App.UserClient("ssrf-tester");
        using var response = await user.PostJsonAsync("/api/settings/webhooks/test",
            new { kind = "generic", url = RiggedDns.EvilUrl(fixture.Receiver, "/probe") });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.JsonAsync();
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("statusCode").ValueKind);
        Assert.Contains("Refused to connect", result.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Receiver.Requests, r => r.Path == "/probe");
    }

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.1/")]
    [InlineData("http://localhost/")]
    [InlineData("http://hooks.localhost/")]
    [InlineData("http://user:password@hooks.example.com/")]
    public async Task Saving_or_testing_a_non_public_literal_localhost_or_user_info_url_is_a_400_naming_the_field(string url)
    {
        using var user = fixture.App.UserClient("ssrf-saver");
        using var saved = await user.PutJsonAsync("/api/settings", new
        {
            webhooks = new object[]
            {
                new { kind = "generic", url = "https://hooks.example.com/fine" },
                new { kind = "discord", url },
            },
        });
        await AssertProblemNamesAsync(saved, "webhooks[1].url");

        using var tested = await user.PostJsonAsync("/api/settings/webhooks/test", new { kind = "telegram", url, secret = "1:A", chatId = "1" });
        await AssertProblemNamesAsync(tested, "url");
        Assert.DoesNotContain(fixture.Receiver.Requests, r => r.Path != "/operator");
    }

    private static async Task AssertProblemNamesAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), errors.ToString());
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }
}

/// <summary><c>Security:AllowPrivateNetworks=true</c>: a single-user install whose users may reach their own network.</summary>
public sealed class PrivateNetworksFixture() : TargetsFixture(allowPrivateNetworks: true);

public sealed class PrivateNetworkUserTargetTests(PrivateNetworksFixture fixture) : IClassFixture<PrivateNetworksFixture>
{
    private const string ReceiverSecret = "RECEIVER-PRIVATE-BODY-7c1e";

    [Fact]
    public async Task With_AllowPrivateNetworks_the_user_webhook_resolving_to_loopback_goes_through()
    {
        using var user = fixture.App.UserClient("lan-user");
        using var saved = await user.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull" },
            webhooks = new[] { new { kind = "generic", url = RiggedDns.EvilUrl(fixture.Receiver, "/lan") } },
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        await MetricsFeed.AppendPioneerRunAsync(fixture.App.Stream, 1, "AAAUSDT");

        await Eventually.WaitAsync(() => Task.FromResult(fixture.Receiver.Requests.Count(r => r.Path == "/lan")), c => c >= 1);
        var sent = Assert.Single(fixture.Receiver.Requests, r => r.Path == "/lan");
        Assert.Equal("signal", JsonDocument.Parse(sent.Body).RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Send_test_reports_a_redirect_without_following_it()
    {
        await using var inside = await FakeReceiver.StartAsync();
        fixture.Receiver.Respond = (_, r) => r.Path == "/moved"
            ? (307, null, new Dictionary<string, string> { ["Location"] = inside.Url("/internal") })
            : (200, null, null);
        using var user = fixture.App.UserClient("redirected");

        var result = await (await user.PostJsonAsync("/api/settings/webhooks/test",
            new { kind = "generic", url = RiggedDns.EvilUrl(fixture.Receiver, "/moved") })).JsonAsync();

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(307, result.GetProperty("statusCode").GetInt32());
        Assert.Contains("redirects are not followed", result.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(fixture.Receiver.Requests, r => r.Path == "/moved");
        Assert.Empty(inside.Requests);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(400)]
    [InlineData(500)]
    public async Task Send_test_never_echoes_the_receivers_body(int status)
    {
        var path = $"/talkative-{status}";
        fixture.Receiver.Respond = (_, r) => r.Path == path ? (status, $$"""{"secret":"{{ReceiverSecret}}"}""", null) : (200, null, null);
        using var user = fixture.App.UserClient("echo-" + status);

        using var response = await user.PostJsonAsync("/api/settings/webhooks/test",
            new { kind = "generic", url = RiggedDns.EvilUrl(fixture.Receiver, path) });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(ReceiverSecret, text, StringComparison.Ordinal);
        var result = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status, result.GetProperty("statusCode").GetInt32());
        Assert.Equal(status == 200, result.GetProperty("ok").GetBoolean());
        Assert.Single(fixture.Receiver.Requests, r => r.Path == path);
    }
}
