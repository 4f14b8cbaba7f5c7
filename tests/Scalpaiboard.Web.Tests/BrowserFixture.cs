using Microsoft.Playwright;
using Scalpaiboard.Web.Tests.Fakes;

namespace Scalpaiboard.Web.Tests;

/// <summary>
/// The fake Gateway, the Web app on a real Kestrel port, and Debian's Chromium driven by Playwright (its node driver
/// ships inside the Microsoft.Playwright package; no browser download).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public FakeGateway Gateway { get; private set; } = null!;
    public WebApp App { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Gateway = await FakeGateway.StartAsync();
        App = new WebApp(Gateway.Url, kestrel: true);
        BaseUrl = App.StartKestrel().TrimEnd('/');
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
        await Gateway.DisposeAsync();
    }

    /// <summary>A fresh browser context (own cookies and storage) and page that records console errors.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync(int width = 1400, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = BaseUrl });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(m.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add(e);
            }
        };
        return (context, page, errors);
    }

    public async Task LoginAsync(IPage page)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("input[name='Form.Email']", FakeGateway.Email);
        await page.FillAsync("input[name='Form.Password']", FakeGateway.Password);
        await Task.WhenAll(page.WaitForURLAsync(BaseUrl + "/"), page.ClickAsync("form button[type=submit]"));
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = false });
}
