using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Scalpaiboard.Web.Tests.Fakes;

namespace Scalpaiboard.Web.Tests;

/// <summary>
/// "Notify me on this device" in Chromium: a real service worker and a real <c>pushManager.subscribe</c>. Chromium's
/// push service (FCM) is off this machine, so its GCM check-in and registration go to <see cref="FakeGcm"/> (Chromium's
/// own switches); the browser makes the subscription (keys, endpoint) as it would against Google. Push subscriptions do
/// not work in incognito contexts, so this test runs a persistent profile of its own.
/// </summary>
public sealed class PushBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly PageWaitForSelectorOptions Wait = new() { Timeout = 30_000, State = WaitForSelectorState.Attached };

    private FakeGcm _gcm = null!;
    private IBrowserContext _context = null!;
    private string _profile = "";

    public async Task InitializeAsync()
    {
        _gcm = await FakeGcm.StartAsync();
        _profile = Directory.CreateTempSubdirectory("scalpaiboard-push-").FullName;
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        _context = await fixture.Playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = BrowserFixture.Chromium,
            Headless = true,
            BaseURL = fixture.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            Args = ["--no-sandbox", "--disable-gpu", "--disable-sync", "--no-first-run", .. _gcm.ChromiumArguments(closedPort)],
        });
        await _context.GrantPermissionsAsync(["notifications"], new BrowserContextGrantPermissionsOptions { Origin = fixture.BaseUrl });
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _gcm.DisposeAsync();
        Directory.Delete(_profile, recursive: true);
    }

    [Fact]
    public async Task Chromium_subscribes_with_the_servers_key_posts_the_subscription_shows_pushes_and_removes_the_device()
    {
        var page = _context.Pages.Count > 0 ? _context.Pages[0] : await _context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await fixture.LoginAsync(page);
        await page.GotoAsync("/settings");
        await page.WaitForSelectorAsync("#push-devices[data-state='ready']", Wait);
        Assert.Equal("This device does not receive push notifications.", await page.TextContentAsync("#push-status"));

        await page.ClickAsync("#push-subscribe");
        await page.WaitForSelectorAsync("#push-devices[data-state='subscribed']", Wait);
        await page.WaitForSelectorAsync("#push-table tr.current .this-device:not([hidden])", Wait);

        // The browser registered with GCM for this site, with the server's VAPID key as the sender.
        var (registration, token) = Assert.Single(_gcm.Registrations, r => r.Fields.ContainsKey("X-subtype") && !r.Fields.ContainsKey("delete"));
        Assert.Equal(fixture.Gateway.PushPublicKey, registration["sender"]);
        Assert.Contains(fixture.BaseUrl, registration["X-subtype"], StringComparison.Ordinal);
        // ... and posted the subscription Chromium made: an FCM endpoint ending in GCM's token, a P-256 key and a 16-byte secret.
        var (_, body) = Assert.Single(fixture.Gateway.PushSubscriptions, s => s.User == FakeGateway.Email
            && ((string?)s.Body["endpoint"])?.EndsWith("/" + token, StringComparison.Ordinal) == true);
        var endpoint = new Uri((string)body["endpoint"]!);
        Assert.Equal("https", endpoint.Scheme);
        Assert.EndsWith(".google.com", endpoint.Host.Replace("googleapis", "google", StringComparison.Ordinal), StringComparison.Ordinal);
        var p256dh = Base64Url.DecodeFromChars((string)body["keys"]!["p256dh"]!);
        Assert.Equal(65, p256dh.Length);
        Assert.Equal(0x04, p256dh[0]);
        Assert.Equal(16, Base64Url.DecodeFromChars((string)body["keys"]!["auth"]!).Length);
        Assert.Equal("Chrome on Linux", (string?)body["name"]);
        Assert.Equal(1, await page.Locator("#push-table tr[data-endpoint]").CountAsync());

        // The service worker shows what is pushed to it. (DevTools' "push" button: the message arrives as plain data,
        // decrypted already; only an FCM connection would bring the encrypted one.)
        var cdp = await _context.NewCDPSessionAsync(page);
        var registrationId = new TaskCompletionSource<string>();
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
        {
            foreach (var r in e!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (r.GetProperty("scopeURL").GetString() == fixture.BaseUrl + "/" && !r.GetProperty("isDeleted").GetBoolean())
                {
                    registrationId.TrySetResult(r.GetProperty("registrationId").GetString()!);
                }
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var message = JsonSerializer.Serialize(new
        {
            title = "BTCUSDT · Pioneer Bull", body = "Price 65000 · 1h +1.2%", url = "https://elsewhere.example/coins/BTCUSDT", tag = "signal-BTCUSDT-futures_pioneer_bull",
        });
        var worker = await registrationId.Task.WaitAsync(TimeSpan.FromSeconds(15));
        JsonElement shown = default;
        // Headless Chromium now and then drops a DevTools-delivered push (about one run in five here, with the worker
        // running and activated): it is delivered again, up to three times, before the test gives up.
        for (var delivery = 1; delivery <= 3 && !(shown.ValueKind == JsonValueKind.Array && shown.GetArrayLength() > 0); delivery++)
        {
            await cdp.SendAsync("ServiceWorker.deliverPushMessage", new Dictionary<string, object>
            {
                ["origin"] = fixture.BaseUrl, ["registrationId"] = worker, ["data"] = message,
            });
            for (var deadline = DateTime.UtcNow.AddSeconds(5); DateTime.UtcNow < deadline; await Task.Delay(100))
            {
                shown = await page.EvaluateAsync<JsonElement>("""
                    async () => (await (await navigator.serviceWorker.ready).getNotifications())
                        .map(n => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }))
                    """);
                if (shown.GetArrayLength() > 0)
                {
                    break;
                }
            }
        }
        var notification = Assert.Single(shown.EnumerateArray());
        Assert.Equal("BTCUSDT · Pioneer Bull", notification.GetProperty("title").GetString());
        Assert.Equal("Price 65000 · 1h +1.2%", notification.GetProperty("body").GetString());
        Assert.Equal("signal-BTCUSDT-futures_pioneer_bull", notification.GetProperty("tag").GetString());
        // the click opens the coin page of this site, not the other origin the message named
        Assert.Equal(fixture.BaseUrl + "/coins/BTCUSDT", notification.GetProperty("url").GetString());

        await BrowserFixture.ScreenshotAsync(page, "settings-push");
        // Removing this device ends the browser's subscription too.
        await page.ClickAsync("#push-table tr.current button[value^='delete:']");
        await page.WaitForSelectorAsync("#push-devices[data-state='ready']", Wait);
        Assert.Equal(0, await page.Locator("#push-table tr[data-endpoint]").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.endpoint ?? null"));
        Assert.Empty(errors);
    }
}
