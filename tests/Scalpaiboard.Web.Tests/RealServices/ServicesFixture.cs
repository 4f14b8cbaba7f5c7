using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Npgsql;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Web.Tests.RealServices;

/// <summary>
/// The Web UI against the real services instead of the fake Gateway: PostgreSQL and redis-server from the shared
/// fixtures, Ingest replaying the shared 12-symbol kline sample (two days of 1m candles, as fast as it can) into its
/// store, Alerts (backtests as Hangfire jobs over those candles), Ai (the local provider: the pages' assistant panel
/// asks it for providers), the Gateway in front of them, the Web app on Kestrel and Debian's Chromium. The services
/// run as processes of their own, configured as the AppHost configures them.
/// </summary>
public sealed class ServicesFixture : IAsyncLifetime
{
    public const string Password = "Backtest-pass-12345!";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly List<ServiceProcess> _services = [];
    private RedisServer? _redis;

    public string Database { get; private set; } = "";

    public ServiceProcess Gateway { get; private set; } = null!;

    public WebApp App { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public long SampleCandles { get; private set; }

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await PostgresServer.Shared.CreateDatabaseAsync("webreal");
        _redis = new RedisServer();
        var sample = Path.Combine(SharedData(), "data", "klines-sample");
        SampleCandles = Directory.GetFiles(sample, "*.csv").Sum(f => File.ReadLines(f).Count(l => l.Length > 0) - 1);
        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = Database,
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            ["Identity__SigningKey"] = WebApp.SigningKey,
            ["Security__KeyRingCertificate"] = TestKeyRing.Certificate,
        };
        var (ingestPort, alertsPort, aiPort, gatewayPort) = (ServerProcess.FreePort(), ServerProcess.FreePort(), ServerProcess.FreePort(), ServerProcess.FreePort());
        var ingest = Start("Scalpaiboard.Ingest", ingestPort, common, new()
        {
            ["Ingest__Feed"] = "replay",
            ["Ingest__Replay__Path"] = sample,
            ["Ingest__Replay__Speed"] = "max",
            // the sample lies in March 2026: keep it whatever the wall clock says
            ["Ingest__RetentionDays"] = "36500",
        });
        var alerts = Start("Scalpaiboard.Alerts", alertsPort, common, new()
        {
            ["services__ingest__http__0"] = ingest.Url,
            ["Alerts__RetentionHours"] = "87600",
        });
        var ai = Start("Scalpaiboard.Ai", aiPort, common, new()
        {
            ["services__ingest__http__0"] = ingest.Url,
            ["services__alerts__http__0"] = alerts.Url,
            ["Ai__Provider"] = "local",
        });

        // The Web app first: the Gateway lets its origin in (CORS), and it needs nothing from the Gateway to start.
        App = new WebApp($"http://127.0.0.1:{gatewayPort}", kestrel: true);
        BaseUrl = App.StartKestrel().TrimEnd('/');
        Gateway = Start("Scalpaiboard.Gateway", gatewayPort, common, new()
        {
            ["services__ingest__http__0"] = ingest.Url,
            ["services__alerts__http__0"] = alerts.Url,
            ["services__ai__http__0"] = ai.Url,
            ["Gateway__CorsOrigins__0"] = BaseUrl,
            ["Gateway__RateLimit__PermitsPerMinute"] = "100000",
        });

        await Task.WhenAll(_services.Select(s => s.WaitHealthyAsync("/alive", StartTimeout)));
        await WaitForStoredSampleAsync(ingest);
        await WarmUpAsync();

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(BrowserFixture.ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        Playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        foreach (var service in _services)
        {
            service.Dispose();
        }
        _redis?.Dispose();
    }

    /// <summary>A fresh browser context and page that records console errors and uncaught exceptions.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 }, BaseURL = BaseUrl });
        // generous: the machine may be busy with other builds, and a wait ends as soon as its condition holds
        context.SetDefaultTimeout(90_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (errors)
                {
                    errors.Add($"console error on {page.Url}: {m.Text}");
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add($"page error on {page.Url}: {e}");
            }
        };
        return (context, page, errors);
    }

    /// <summary>Registers a new account through the Web UI's form (the Gateway signs the user in).</summary>
    public static async Task RegisterAsync(IPage page, string email)
    {
        await page.GotoAsync("/register");
        await page.FillAsync("input[name='Form.Email']", email);
        await page.FillAsync("input[name='Form.Password']", Password);
        await page.FillAsync("input[name='Form.ConfirmPassword']", Password);
        await page.ClickAsync("form button[type=submit]");
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).WaitForAsync(new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not signed in after registering {email}; the page ({page.Url}) says:\n{await page.InnerTextAsync("main")}");
        }
    }

    /// <summary>A Gateway access token for the account, to read what the page shows from the API itself.</summary>
    public async Task<string> AccessTokenAsync(string email)
    {
        using var login = await Gateway.Client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { email, password = Password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    public async Task<JsonElement> ApiAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await Gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Takes an ACCESS EXCLUSIVE lock on Ingest's candle table until the returned handle is disposed: a backtest started
    /// meanwhile is marked running and waits for its first read of the candles, so the page shows it running (at 0 %)
    /// for as long as a test needs, whatever the machine's speed.
    /// </summary>
    public async Task<IAsyncDisposable> HoldCandlesAsync()
    {
        var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE ingest.candles_1m IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        return new Held(connection, transaction);
    }

    /// <summary>
    /// One account registered and one backtest list read through the Gateway before any test: the first request of a
    /// freshly started service compiles its paths (seconds on a busy two-core machine), longer than the Web server's
    /// per-attempt timeout for Gateway calls.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.Url), Timeout = StartTimeout };
        var email = $"warm-up-{Guid.NewGuid():N}@example.com";
        using var registered = await http.PostAsJsonAsync(new Uri("/api/auth/register", UriKind.Relative), new { email, password = Password });
        Assert.True(registered.IsSuccessStatusCode, $"warm-up registration: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}\n{Gateway.Log}");
        using var login = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { email, password = Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/backtests", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var list = await http.SendAsync(request);
        Assert.True(list.IsSuccessStatusCode, $"warm-up backtest list: {(int)list.StatusCode}");
    }

    private ServiceProcess Start(string project, int port, Dictionary<string, string> common, Dictionary<string, string> own)
    {
        var service = new ServiceProcess(project, port, common.Concat(own).ToDictionary());
        _services.Add(service);
        return service;
    }

    /// <summary>Waits until the replay is over and every candle of the sample is in Ingest's table.</summary>
    private async Task WaitForStoredSampleAsync(ServiceProcess ingest)
    {
        await using var dataSource = NpgsqlDataSource.Create(Database);
        var deadline = DateTime.UtcNow + StartTimeout;
        long stored = 0;
        string state = "";
        while (DateTime.UtcNow < deadline)
        {
            var status = await ingest.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/feed/status", UriKind.Relative));
            state = status.GetProperty("state").GetString() ?? "";
            if (state == "completed")
            {
                await using var count = dataSource.CreateCommand("SELECT count(*) FROM ingest.candles_1m");
                stored = (long)(await count.ExecuteScalarAsync())!;
                if (stored == SampleCandles)
                {
                    return;
                }
            }
            await Task.Delay(250);
        }
        Assert.Fail($"The replay did not store the sample's {SampleCandles} candles within {StartTimeout} (state {state}, {stored} stored):\n{ingest.Log}");
    }

    private static string SharedData()
    {
        if (Environment.GetEnvironmentVariable("SCALPAIBOARD_SHARED") is { Length: > 0 } env)
        {
            return env;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data", "klines-sample")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("shared reference data not found: set SCALPAIBOARD_SHARED to the folder holding data/klines-sample");
    }

    private sealed class Held(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
