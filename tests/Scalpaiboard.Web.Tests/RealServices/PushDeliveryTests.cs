using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;
using Scalpaiboard.Web.Tests.Fakes;

namespace Scalpaiboard.Web.Tests.RealServices;

/// <summary>
/// Browser push from end to end in one run: Chromium subscribes on the real <c>/settings</c> page (its GCM steps
/// answered by <see cref="FakeGcm"/>), the subscription goes through the real Gateway (a process) to the real Alerts
/// service (in-process: <see cref="AlertsHost"/>), a Pioneer Bull metrics frame on the real Redis stream fires a
/// signal, and the Alerts service sends the Web Push request to Chromium's endpoint on Google's host. That one
/// connection, and only it, lands on a fake push service on 127.0.0.1 with TLS (a certificate made here for Google's
/// names), which checks the request as FCM would.
/// </summary>
public sealed class PushDeliveryTests : IAsyncLifetime
{
    private const string Subject = "mailto:ops@scalpaiboard.test";
    private const string Symbol = "PSHUSDT";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly PageWaitForSelectorOptions Wait = new() { Timeout = 60_000, State = WaitForSelectorState.Attached };

    private string _vapidPublicKey = "";
    private X509Certificate2 _certificate = null!;
    private FakePushService _push = null!;
    private volatile PushRoute? _route;
    private RedisServer _redis = null!;
    private WebApp _web = null!;
    private AlertsHost _alerts = null!;
    private ServiceProcess _gateway = null!;
    private FakeGcm _gcm = null!;
    private IPlaywright _playwright = null!;
    private IBrowserContext _context = null!;
    private string _profile = "";
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        string vapidPrivateKey;
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var p = key.ExportParameters(true);
            (_vapidPublicKey, vapidPrivateKey) = (Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]), Base64Url.EncodeToString(p.D));
        }
        _certificate = PushServiceCertificate();
        _push = await FakePushService.StartAsync(_vapidPublicKey, _certificate);

        var database = await PostgresServer.Shared.CreateDatabaseAsync("webpush");
        _redis = new RedisServer();
        var gatewayPort = ServerProcess.FreePort();
        _web = new WebApp($"http://127.0.0.1:{gatewayPort}", kestrel: true);
        _baseUrl = _web.StartKestrel().TrimEnd('/');

        _alerts = new AlertsHost(new Dictionary<string, string>
        {
            ["ConnectionStrings:postgres"] = database,
            ["ConnectionStrings:redis"] = _redis.ConnectionString,
            ["Identity:SigningKey"] = WebApp.SigningKey,
            [TestKeyRing.ConfigurationKey] = TestKeyRing.Certificate,
            // Nothing listens there: symbol checks fall back to the stream's symbols.
            ["services:ingest:http:0"] = "http://127.0.0.1:9",
            // the frame's candle lies in March 2026: keep it whatever the wall clock says
            ["Alerts:RetentionHours"] = "87600",
            ["Alerts:Consumer:BlockMilliseconds"] = "100",
            ["Notifications:WebPush:PublicKey"] = _vapidPublicKey,
            ["Notifications:WebPush:PrivateKey"] = vapidPrivateKey,
            ["Notifications:WebPush:Subject"] = Subject,
            ["Notifications:PublicWebUrl"] = _baseUrl,
            // Security:AllowPrivateNetworks stays at its default (false): users' targets must be public addresses.
            ["Logging:LogLevel:Default"] = "Warning",
        }, () => _route);
        var alertsUrl = _alerts.Start();

        _gateway = new ServiceProcess("Scalpaiboard.Gateway", gatewayPort, new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = database,
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            ["Identity__SigningKey"] = WebApp.SigningKey,
            ["Security__KeyRingCertificate"] = TestKeyRing.Certificate,
            ["services__alerts__http__0"] = alertsUrl,
            // not needed by the settings page's push: nothing listens there
            ["services__ingest__http__0"] = "http://127.0.0.1:9",
            ["services__ai__http__0"] = "http://127.0.0.1:9",
            ["Gateway__CorsOrigins__0"] = _baseUrl,
            ["Gateway__RateLimit__PermitsPerMinute"] = "100000",
        });
        await _gateway.WaitHealthyAsync("/alive", StartTimeout);
        // The first requests of a fresh Gateway compile its paths, longer than the Web server's per-attempt timeout.
        using (var http = new HttpClient { BaseAddress = new Uri(_gateway.Url), Timeout = StartTimeout })
        using (var warm = await http.GetAsync(new Uri("/api/notifications/push/key", UriKind.Relative)))
        {
            Assert.True(warm.IsSuccessStatusCode, $"push key through the Gateway: {(int)warm.StatusCode}\n{_gateway.Log}");
        }

        _gcm = await FakeGcm.StartAsync();
        _profile = Directory.CreateTempSubdirectory("scalpaiboard-push-e2e-").FullName;
        _playwright = await Playwright.CreateAsync();
        _context = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = BrowserFixture.Chromium,
            Headless = true,
            BaseURL = _baseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            Args = ["--no-sandbox", "--disable-gpu", "--disable-sync", "--no-first-run", .. _gcm.ChromiumArguments(ServerProcess.FreePort())],
        });
        _context.SetDefaultTimeout(90_000);
        await _context.GrantPermissionsAsync(["notifications"], new BrowserContextGrantPermissionsOptions { Origin = _baseUrl });
    }

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_gcm is not null)
        {
            await _gcm.DisposeAsync();
        }
        _gateway?.Dispose();
        if (_alerts is not null)
        {
            await _alerts.DisposeAsync();
        }
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }
        if (_push is not null)
        {
            await _push.DisposeAsync();
        }
        _redis?.Dispose();
        _certificate?.Dispose();
        if (_profile.Length > 0)
        {
            Directory.Delete(_profile, recursive: true);
        }
    }

    [Fact]
    public async Task A_signal_reaches_the_push_service_once_for_the_subscription_Chromium_made_on_the_settings_page()
    {
        var page = _context.Pages.Count > 0 ? _context.Pages[0] : await _context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var email = $"push-{Guid.NewGuid():N}@example.com";
        await ServicesFixture.RegisterAsync(page, email);
        var token = await AccessTokenAsync(email);
        var saved = await ApiAsync(HttpMethod.Put, "/api/settings", token, new { presetSubscriptions = new[] { "futures_pioneer_bull" }, symbolFilter = new[] { Symbol } });
        Assert.True(saved.IsSuccessStatusCode, $"PUT /api/settings: {(int)saved.StatusCode} {saved.Body}");

        await page.GotoAsync("/settings");
        await page.WaitForSelectorAsync("#push-devices[data-state='ready']", Wait);
        await page.ClickAsync("#push-subscribe");
        await page.WaitForSelectorAsync("#push-devices[data-state='subscribed']", Wait);
        await page.WaitForSelectorAsync("#push-table tr.current .this-device:not([hidden])", Wait);

        // What the Alerts service stored is the subscription Chromium made: its FCM endpoint on Google's host.
        var browserEndpoint = await page.EvaluateAsync<string>("async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription()).endpoint");
        var devices = await ApiAsync(HttpMethod.Get, "/api/settings/push-subscriptions", token);
        var device = Assert.Single(devices.Json.GetProperty("subscriptions").EnumerateArray());
        Assert.Equal(browserEndpoint, device.GetProperty("endpoint").GetString());
        var endpoint = new Uri(browserEndpoint);
        Assert.Equal("https", endpoint.Scheme);
        Assert.True(endpoint.Host.EndsWith(".google.com", StringComparison.Ordinal) || endpoint.Host.EndsWith(".googleapis.com", StringComparison.Ordinal),
            $"not an FCM endpoint: {endpoint}");
        // (web push registrations name the site in X-subtype; Chromium's own instance-ID ones do not)
        var (registration, gcmToken) = Assert.Single(_gcm.Registrations, r => r.Fields.ContainsKey("X-subtype") && r.Token is not null);
        Assert.Equal(_vapidPublicKey, registration["sender"]);
        Assert.EndsWith("/" + gcmToken, endpoint.AbsolutePath, StringComparison.Ordinal);
        Assert.Empty(_push.Requests);

        // From here on the Alerts service's connections to that host reach the fake push service.
        _route = new PushRoute(endpoint.Host, _push.BaseUri.Port, _certificate);
        await MetricsFeed.AppendAsync(_alerts.Services.GetRequiredService<IEventStream>(), MetricsFeed.Minute(0),
            new FeedItem(Symbol, 100, 99, MetricsFeed.PioneerBull));

        JsonElement delivered = default;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            delivered = (await ApiAsync(HttpMethod.Get, "/api/notifications?status=delivered", token)).Json.GetProperty("notifications");
            if (delivered.GetArrayLength() > 0)
            {
                break;
            }
        }
        if (delivered.GetArrayLength() == 0)
        {
            Assert.Fail($"no delivered notification within 60 s; the outbox says {(await ApiAsync(HttpMethod.Get, "/api/notifications", token)).Body}");
        }
        var row = Assert.Single(delivered.EnumerateArray());
        Assert.Equal("push", row.GetProperty("kind").GetString());
        Assert.Equal(201, row.GetProperty("lastStatusCode").GetInt32());
        await Task.Delay(1000); // a second copy arriving now would be a duplicate

        var received = Assert.Single(_push.Requests);
        Assert.Equal(endpoint.AbsolutePath, received.Path);
        Assert.Equal(endpoint.Host, received.Header("Host"));
        Assert.Null(received.VapidProblem);
        var claims = received.Claims!.Value;
        Assert.Equal($"https://{endpoint.Host}", claims.GetProperty("aud").GetString());
        Assert.Equal(Subject, claims.GetProperty("sub").GetString());
        Assert.Equal("aes128gcm", received.Header("Content-Encoding"));
        Assert.Equal("3600", received.Header("TTL"));
        // RFC 8188 framing: salt(16) | record size(4) | idlen(1) = 65 | the sender's one-time P-256 key | one record of
        // the JSON notification plus its delimiter and a 16-byte tag: more than a header, less than a record.
        var body = received.Body;
        Assert.InRange(body.Length, 21 + 65 + 16 + 40, 4096);
        Assert.Equal(4096u, BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4)));
        Assert.Equal(65, body[20]);
        Assert.Equal(0x04, body[21]);
        using (var senderKey = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = body[22..54], Y = body[54..86] },
        }))
        {
            senderKey.ExportParameters(false); // a point on the curve, or the import above threw
        }
        // The payload is ciphertext: none of the signal's plain text is in it.
        Assert.DoesNotContain(Symbol, System.Text.Encoding.Latin1.GetString(body), StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    /// <summary>A self-signed certificate for Google's push hosts (FCM endpoints are on <c>*.google.com</c> or <c>fcm.googleapis.com</c>).</summary>
    private static X509Certificate2 PushServiceCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fake push service", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("*.google.com");
        names.AddDnsName("fcm.googleapis.com");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private async Task<string> AccessTokenAsync(string email)
    {
        using var login = await _gateway.Client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { email, password = ServicesFixture.Password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private async Task<(bool IsSuccessStatusCode, int StatusCode, string Body, JsonElement Json)> ApiAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await _gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.IsSuccessStatusCode, (int)response.StatusCode, text, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
