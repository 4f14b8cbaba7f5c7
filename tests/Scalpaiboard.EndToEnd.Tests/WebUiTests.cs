using System.Globalization;
using Microsoft.Playwright;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>The web UI in Chromium, against the running system.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(50)]
public sealed class WebUiTests(SystemFixture system, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Register_and_log_in_through_the_web_ui()
    {
        var email = Api.NewEmail("ui");
        await using (var session = await OpenAsync())
        {
            var page = session.Page;
            await page.GotoAsync("/register");
            await ShotAsync(page, "register");
            await page.FillAsync("input[name='Form.Email']", email);
            await page.FillAsync("input[name='Form.Password']", Api.Password);
            await page.FillAsync("input[name='Form.ConfirmPassword']", Api.Password);
            await page.ClickAsync("form button[type=submit]");
            await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).WaitForAsync();
            AssertNoErrors(session);
        }
        await using (var session = await OpenAsync())
        {
            var page = session.Page;
            await page.GotoAsync("/login");
            await ShotAsync(page, "login");
            await page.FillAsync("input[name='Form.Email']", email);
            await page.FillAsync("input[name='Form.Password']", Api.Password);
            await page.ClickAsync("form button[type=submit]");
            await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).WaitForAsync();
            var cookies = await session.Context.CookiesAsync();
            Assert.Contains(cookies, c => c.Name == "scalpaiboard.auth" && c.HttpOnly);
            AssertNoErrors(session);
        }
    }

    [Fact]
    public async Task Screener_lists_every_replayed_symbol_and_resorts_on_a_header_click()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await page.GotoAsync("/screener");
        var rows = page.Locator("#screener tbody tr[data-symbol]");
        Assert.Equal(system.Sample.Symbols, (await RowSymbolsAsync(page)).Order(StringComparer.Ordinal));

        await page.ClickAsync("#screener th[data-key='price'] a");
        await page.WaitForFunctionAsync("() => document.querySelector('#screener').dataset.sort === 'price'");
        var dir = await page.GetAttributeAsync("#screener", "data-dir");
        Assert.True(dir is "asc" or "desc", $"data-dir={dir}");
        var coins = await Api.GetAsync(system.Gateway, $"/api/coins?pageSize=100&sortBy=price&sortOrder={dir}");
        var want = coins["data"]!.AsArray().Select(c => (string)c!["symbol"]!).ToList();
        Assert.Equal(want, await RowSymbolsAsync(page));
        Assert.Contains("sort=price", page.Url, StringComparison.Ordinal);

        // Once more: the other direction.
        await page.ClickAsync("#screener th[data-key='price'] a");
        var other = dir == "asc" ? "desc" : "asc";
        await page.WaitForFunctionAsync($"() => document.querySelector('#screener').dataset.dir === '{other}'");
        want.Reverse();
        Assert.Equal(want, await RowSymbolsAsync(page));
        await ShotAsync(page, "screener");
        Assert.Equal(system.Sample.Symbols.Count, await rows.CountAsync());
        AssertNoErrors(session);
    }

    [Fact]
    public async Task Coin_page_chart_canvas_draws_the_last_close()
    {
        var symbol = system.Sample.Symbols[0];
        await using var session = await OpenAsync();
        var page = session.Page;
        await page.GotoAsync($"/coins/{symbol}");
        await page.WaitForSelectorAsync("#coin-chart[data-ready='true']");
        var lastClose = double.Parse((await page.GetAttributeAsync("#coin-chart", "data-last-close"))!, CultureInfo.InvariantCulture);
        Assert.Equal(system.Sample.BySymbol[symbol][^1].Close, lastClose, 9);
        var colours = await page.EvaluateAsync<int>("""
            () => Math.max(0, ...[...document.querySelectorAll('#coin-chart canvas')].map(c => {
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const seen = new Set();
                for (let i = 0; i < d.length && seen.size < 50; i += 4 * 97) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
                return seen.size;
            }))
            """);
        Assert.True(colours >= 3, $"the chart canvases hold {colours} colours: nothing drawn");
        await ShotAsync(page, "coin");
        AssertNoErrors(session);
    }

    [Fact]
    public async Task Coin_page_order_book_heatmap_draws()
    {
        var symbol = system.Sample.Symbols[1];
        await using var session = await OpenAsync();
        var page = session.Page;
        await page.GotoAsync($"/coins/{symbol}");
        await page.WaitForFunctionAsync("() => +document.querySelector('#heatmap').dataset.columns >= 2");
        var colours = await page.EvaluateAsync<int>("""
            () => {
                const c = document.querySelector('#heatmap');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const seen = new Set();
                for (let i = 0; i < d.length && seen.size < 50; i += 4 * 13) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
                return seen.size;
            }
            """);
        Assert.True(colours >= 3, $"the heatmap canvas holds {colours} colours: nothing drawn");
        var mid = double.Parse((await page.GetAttributeAsync("#heatmap", "data-mid"))!, CultureInfo.InvariantCulture);
        var last = system.Sample.BySymbol[symbol][^1].Close;
        Assert.True(Math.Abs(mid - last) <= last * 0.01, $"heatmap mid {mid} far from the last price {last}");
        await ShotAsync(page, "coin-heatmap");
        AssertNoErrors(session);
    }

    [Fact]
    public async Task Alert_created_through_the_signals_form_is_listed_and_a_bad_value_is_refused()
    {
        var symbol = system.Sample.Symbols[4];
        var email = Api.NewEmail("ui-alert");
        await using var session = await OpenAsync();
        var page = session.Page;
        await RegisterThroughUiAsync(page, email);
        await page.GotoAsync("/signals");
        await page.FillAsync("input[name='Form.Symbol']", symbol);
        await page.SelectOptionAsync("select[name='Form.ConditionType']", "price_above");
        await page.FillAsync("input[name='Form.Value']", "98765.5");
        await page.ClickAsync("#alert-form button[type=submit]");
        await page.WaitForURLAsync(u => u.Contains("created=", StringComparison.Ordinal));
        var row = page.Locator("#alerts-table tr[data-alert-id]", new() { HasText = symbol });
        await row.WaitForAsync();
        Assert.Contains("98", await row.InnerTextAsync(), StringComparison.Ordinal);

        // The Gateway holds it for this user.
        var token = await LoginApiAsync(email);
        var alerts = (await Api.GetAsync(system.Gateway, "/api/alerts", token)).ToJsonString();
        Assert.Contains(symbol, alerts, StringComparison.Ordinal);
        Assert.Contains("98765.5", alerts, StringComparison.Ordinal);

        await page.FillAsync("input[name='Form.Symbol']", symbol);
        await page.SelectOptionAsync("select[name='Form.ConditionType']", "price_above");
        await page.FillAsync("input[name='Form.Value']", "-5");
        await page.ClickAsync("#alert-form button[type=submit]");
        var message = page.Locator("#alert-form .validation-message");
        await message.First.WaitForAsync();
        Assert.Contains("greater than 0", await message.First.InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        await ShotAsync(page, "signals");
        Assert.Equal(1, await page.Locator("#alerts-table tr[data-alert-id]").CountAsync());
        AssertNoErrors(session);
    }

    [Fact]
    public async Task Assistant_panel_answers_a_screening_question_with_the_local_provider()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await RegisterThroughUiAsync(page, Api.NewEmail("ui-ai"));
        await page.GotoAsync("/screener");
        var panel = page.Locator("#assistant-panel [data-assistant]");
        await panel.Locator("textarea").FillAsync("find coins with 1h volume over 1M and 5m change above 1%");
        await panel.Locator("button[type=submit]").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#assistant-panel [data-assistant]').dataset.lastDone", null,
            new() { Timeout = 60_000 });
        var tool = panel.Locator(".tool.done", new() { HasText = "filter_coins" });
        Assert.Equal(1, await tool.CountAsync());
        Assert.Equal(0, await panel.Locator(".msg.error").CountAsync());
        var answer = await panel.Locator(".msg.assistant").Last.InnerTextAsync();
        Assert.False(string.IsNullOrWhiteSpace(answer));
        await ShotAsync(page, "assistant");
        AssertNoErrors(session);
    }

    [Fact]
    public async Task Every_page_renders_without_console_errors()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await RegisterThroughUiAsync(page, Api.NewEmail("ui-pages"));
        foreach (var (route, name) in new[]
        {
            ("/", "dashboard"), ("/watchlist", "watchlist"), ("/chat", "chat"), ("/settings", "settings"),
            ($"/coins/{system.Sample.Symbols[2]}?tf=1h", "coin-1h"),
        })
        {
            var response = await page.GotoAsync(route);
            Assert.True(response?.Status == 200, $"GET {route} -> {response?.Status}");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 15_000 }).ContinueWith(_ => { }, TaskScheduler.Default);
            Assert.Equal(0, await page.Locator(".msgbox.error, .msgbox.warn").CountAsync());
            await ShotAsync(page, name);
        }
        AssertNoErrors(session);
    }

    private async Task<BrowserSession> OpenAsync() => await BrowserSession.OpenAsync(browser.Browser, system.WebUrl);

    private static async Task RegisterThroughUiAsync(IPage page, string email)
    {
        await page.GotoAsync("/register");
        await page.FillAsync("input[name='Form.Email']", email);
        await page.FillAsync("input[name='Form.Password']", Api.Password);
        await page.FillAsync("input[name='Form.ConfirmPassword']", Api.Password);
        await page.ClickAsync("form button[type=submit]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).WaitForAsync();
    }

    private async Task<string> LoginApiAsync(string email)
    {
        var (status, body, raw) = await Api.SendAsync(system.Gateway, HttpMethod.Post, "/api/auth/login", body: new { email, password = Api.Password });
        Assert.True(status == 200, $"login -> {status} {raw}");
        return (string)body!["accessToken"]!;
    }

    private static async Task<List<string>> RowSymbolsAsync(IPage page) =>
        [.. await page.Locator("#screener tbody tr[data-symbol]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.symbol)")];

    private async Task ShotAsync(IPage page, string name)
    {
        var path = Path.Combine(browser.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }

    private void AssertNoErrors(BrowserSession session)
    {
        var errors = session.Errors;
        Assert.True(errors.Count == 0, "browser errors:\n" + string.Join('\n', errors));
    }

}
