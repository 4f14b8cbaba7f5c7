using Microsoft.Playwright;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

/// <summary>Playwright driving the machine's Chromium (never a downloaded browser), headless.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>TestResults/e2e-screenshots under the test project.</summary>
    public string ScreenshotFolder { get; } = Path.Combine(Locations.TestResults, "e2e-screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotFolder);
        Console.WriteLine($"Screenshots: {ScreenshotFolder}");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        playwright?.Dispose();
    }
}

/// <summary>A browser context and page that records console errors and uncaught exceptions.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly List<string> errors = [];

    private BrowserSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors) { errors.Add($"console error on {page.Url}: {message.Text}"); }
            }
        };
        page.PageError += (_, error) => { lock (errors) { errors.Add($"page error on {page.Url}: {error}"); } };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors { get { lock (errors) { return [.. errors]; } } }

    public static async Task<BrowserSession> OpenAsync(IBrowser browser, string baseUrl)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(30_000);
        return new BrowserSession(context, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
