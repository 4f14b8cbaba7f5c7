using System.Globalization;
using Microsoft.Playwright;
using Scalpaiboard.Web.Tests.Fakes;

namespace Scalpaiboard.Web.Tests;

/// <summary>The UI in Chromium against the fake Gateway: live modules, forms, assistant, screenshots.</summary>
public sealed class BrowserTests(BrowserFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions Wait = new() { Timeout = 15_000, PollingInterval = 100 };

    [Fact]
    public async Task Screener_shows_every_symbol_and_resorts_by_a_clicked_column()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/screener");
        // Reported, not asserted (speed belongs to benchmarks): time to the load event of the first screener visit.
        const string timing = "() => { const n = performance.getEntriesByType('navigation')[0]; return `response ${n.responseEnd.toFixed(0)} ms, DOM ready ${n.domContentLoadedEventEnd.toFixed(0)} ms, load ${n.loadEventEnd.toFixed(0)} ms`; }";
        output.WriteLine("/screener first visit: " + await page.EvaluateAsync<string>(timing));
        await page.ReloadAsync();
        output.WriteLine("/screener again: " + await page.EvaluateAsync<string>(timing));
        await page.WaitForFunctionAsync("() => +document.getElementById('screener').dataset.liveUpdates > 1", null, Wait);
        var symbols = await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", "rows => rows.map(r => r.dataset.symbol)");
        Assert.Equal(fixture.Gateway.Market.Coins.Select(c => (string)c["symbol"]!).Order(), symbols.Order());

        await page.ClickAsync("#screener thead th[data-key='rsi14_1h']");
        var desc = await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", "rows => rows.map(r => r.dataset.symbol)");
        Assert.Equal(fixture.Gateway.Market.Coins.OrderByDescending(c => FakeMarket.Num(c, "rsi14_1h")).Select(c => (string)c["symbol"]!), desc);
        await page.ClickAsync("#screener thead th[data-key='rsi14_1h']");
        var asc = await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", "rows => rows.map(r => r.dataset.symbol)");
        Assert.Equal(desc.Reverse(), asc);
        Assert.Contains("sort=rsi14_1h", page.Url, StringComparison.Ordinal);
        Assert.Contains("dir=asc", page.Url, StringComparison.Ordinal);

        // Live ticks keep the chosen order.
        var ticks = await page.EvalOnSelectorAsync<string>("#screener", "t => t.dataset.liveUpdates");
        await page.WaitForFunctionAsync($"() => +document.getElementById('screener').dataset.liveUpdates > {ticks} + 2", null, Wait);
        Assert.Equal(asc, await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", "rows => rows.map(r => r.dataset.symbol)"));
        await BrowserFixture.ScreenshotAsync(page, "screener");

        // Column chooser: a new column appears in the header and is remembered.
        await page.ClickAsync("#columns-button");
        await page.CheckAsync("#column-chooser input[value='adx14_1h']");
        Assert.Equal(1, await page.Locator("#screener thead th[data-key='adx14_1h']").CountAsync());
        Assert.Contains("adx14_1h", await page.EvaluateAsync<string>("() => localStorage.getItem('sb.screener.columns')"));

        // CSV export of what is on screen: a header and one line per symbol, in the current order.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-export=csv]"));
        var csv = await File.ReadAllLinesAsync(await download.PathAsync());
        Assert.StartsWith("symbol,price,", csv[0], StringComparison.Ordinal);
        Assert.Contains("adx14_1h", csv[0], StringComparison.Ordinal);
        Assert.Equal(asc, csv.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[0]));

        // A filter preset saved from the form comes back in the picker.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync("momentum");
        await page.ClickAsync(".filters summary");
        await page.FillAsync("input[name=min_change_1h]", "1");
        await page.ClickAsync("#preset-save");
        await page.WaitForSelectorAsync("#preset-select option[value='momentum']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.Contains("min_change_1h=1", await page.EvaluateAsync<string>("() => localStorage.getItem('sb.screener.presets')"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Screener_rows_follow_the_filter_without_a_reload()
    {
        var coins = fixture.Gateway.Market.Coins;
        var byChange = coins.OrderBy(c => FakeMarket.Num(c, "change_1h")).ToList();
        var threshold = FakeMarket.Num(byChange[byChange.Count / 2], "change_1h");
        var outsider = byChange[0];      // below the threshold: not in the screen at first
        var insider = byChange[^1];      // above it: in the screen at first
        var (outsiderChange, insiderChange) = (outsider["change_1h"], insider["change_1h"]);
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        try
        {
            await page.GotoAsync("/screener?min_change_1h=" + threshold.ToString("R", CultureInfo.InvariantCulture));
            var before = await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", "rows => rows.map(r => r.dataset.symbol)");
            Assert.Contains((string)insider["symbol"]!, before);
            Assert.DoesNotContain((string)outsider["symbol"]!, before);

            // the market moves: one coin enters the screen, another leaves it
            outsider["change_1h"] = threshold + 5;
            insider["change_1h"] = threshold - 5;
            await page.WaitForFunctionAsync(
                "([enter, leave]) => !!document.querySelector(`#screener tr[data-symbol='${enter}']`) && !document.querySelector(`#screener tr[data-symbol='${leave}']`)",
                new[] { (string)outsider["symbol"]!, (string)insider["symbol"]! }, Wait);
            var after = await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", "rows => rows.map(r => r.dataset.symbol)");
            Assert.Equal(before.Length, after.Length);
            Assert.Equal(after.Length.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync("#screener-count"));
            Assert.Empty(errors);
        }
        finally
        {
            outsider["change_1h"] = outsiderChange;
            insider["change_1h"] = insiderChange;
        }
    }

    [Fact]
    public async Task Coin_chart_draws_and_its_last_candle_follows_live_data()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/coins/BTCUSDT");
        await page.WaitForFunctionAsync("() => document.getElementById('coin-chart').dataset.ready === 'true'", null, Wait);
        var first = await page.EvalOnSelectorAsync<string>("#coin-chart", "e => e.dataset.lastClose");
        await page.WaitForFunctionAsync($"() => +document.getElementById('coin-chart').dataset.updates >= 3 && document.getElementById('coin-chart').dataset.lastClose !== '{first}'", null, Wait);
        var last = double.Parse(await page.EvalOnSelectorAsync<string>("#coin-chart", "e => e.dataset.lastClose"), CultureInfo.InvariantCulture);
        Assert.InRange(last, 60_000, 70_000);
        // The chart library drew candles: its canvases hold non-background pixels.
        var painted = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('#coin-chart canvas')].reduce((n, c) => {
                if (!c.width || !c.height) return n;
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let k = 0;
                for (let i = 0; i < d.length; i += 16) if (d[i + 3] > 0 && (d[i] > 40 || d[i + 1] > 40)) k++;
                return n + k;
            }, 0)
            """);
        Assert.True(painted > 500, $"only {painted} painted pixels");
        Assert.True(int.Parse(await page.EvalOnSelectorAsync<string>("#coin-chart", "e => e.dataset.markers || '0'"), CultureInfo.InvariantCulture) > 0);

        // Switching the timeframe reloads the bars and follows the new channel.
        await page.ClickAsync("#tf-switch a[data-tf='5m']");
        await page.WaitForFunctionAsync("() => document.getElementById('coin-chart').dataset.tf === '5m' && document.getElementById('coin-chart').dataset.ready === 'true'", null, Wait);
        Assert.Contains("tf=5m", page.Url, StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "coin");

        // On daily bars the signals of a bar share one marker per direction (named after the latest, "+N" for the
        // rest) instead of stacking a column of labels: the live feed adds BTCUSDT signals to today's bar.
        await page.ClickAsync("#tf-switch a[data-tf='1d']");
        await page.WaitForFunctionAsync("() => document.getElementById('coin-chart').dataset.tf === '1d' && document.getElementById('coin-chart').dataset.ready === 'true'", null, Wait);
        await page.WaitForFunctionAsync("() => +document.getElementById('coin-chart').dataset.markedSignals >= 3", null, Wait);
        var marked = await page.EvalOnSelectorAsync<int>("#coin-chart", "e => +e.dataset.markedSignals");
        var drawn = await page.EvalOnSelectorAsync<int>("#coin-chart", "e => +e.dataset.markers");
        Assert.InRange(drawn, 1, 4);
        Assert.True(drawn < marked, $"{drawn} markers for {marked} signals");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Live_cells_format_small_price_unit_values_like_the_server_does()
    {
        // MACD and band width of a 0.25 USDT coin are tiny: four significant digits, not "-0.00", in both renderers.
        double[] values = [-0.000421349, 0.00001234567, 0.0265, 444.136246, -1173.5386, 12345.678, 0, 1, -0.5];
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/screener");
        var js = await page.EvaluateAsync<string[]>("async vs => { const f = await import('/js/format.js'); return vs.map(v => f.cell('significant', v)); }", values);
        var server = values.Select(v => Scalpaiboard.Web.Services.ScreenerColumns.Cell(
            Scalpaiboard.Web.Services.ScreenerColumns.Find("macdHistogram_1h")!, v)).ToArray();
        Assert.Equal(["-0.0004213", "0.00001235", "0.02650", "444.1", "-1,174", "12,346", "0", "1.000", "-0.5000"], server);
        Assert.Equal(server, js);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Heatmap_draws_bids_and_asks()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/coins/ETHUSDT");
        await page.WaitForFunctionAsync("() => +document.getElementById('heatmap').dataset.columns >= 3", null, Wait);
        var (green, red) = await CountHeatmapColours(page);
        Assert.True(green > 50, $"{green} green pixels");
        Assert.True(red > 50, $"{red} red pixels");
        await page.Locator(".heatmap-card").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "heatmap.png") });
        Assert.Empty(errors);
    }

    private static async Task<(int Green, int Red)> CountHeatmapColours(IPage page)
    {
        var counts = await page.EvaluateAsync<int[]>("""
            () => {
                const c = document.getElementById('heatmap');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let g = 0, r = 0;
                for (let i = 0; i < d.length; i += 4) {
                    if (d[i + 1] > 60 && d[i + 1] > d[i] * 1.5) g++;
                    else if (d[i] > 60 && d[i] > d[i + 1] * 1.5) r++;
                }
                return [g, r];
            }
            """);
        return (counts[0], counts[1]);
    }

    [Fact]
    public async Task Alert_form_creates_an_alert_and_rejects_a_bad_value()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await fixture.LoginAsync(page);
        await page.GotoAsync("/signals");
        await page.FillAsync("input[name='Form.Symbol']", "XRPUSDT");
        await page.SelectOptionAsync("select[name='Form.ConditionType']", "price_below");
        await page.FillAsync("input[name='Form.Value']", "0");
        await page.ClickAsync("#alert-form button[type=submit]");
        await page.WaitForSelectorAsync("#alert-form .validation-message");
        Assert.Contains("The value must be greater than 0.", await page.InnerTextAsync("#alert-form"));

        await page.FillAsync("input[name='Form.Value']", "0.4321");
        await page.FillAsync("input[name='Form.Note']", "dip buy");
        await page.ClickAsync("#alert-form button[type=submit]");
        await page.WaitForURLAsync("**/signals?created=*");
        var row = await page.InnerTextAsync("#alerts-table tbody tr:last-child");
        Assert.Contains("XRPUSDT", row);
        Assert.Contains("price below 0.4321", row);
        // The user's own alert triggers arrive as toasts.
        await page.WaitForSelectorAsync(".toasts .toast", new PageWaitForSelectorOptions { Timeout = 15_000 });
        var toast = await page.InnerTextAsync(".toasts .toast");
        Assert.Contains("ETHUSDT", toast);
        Assert.Contains("price 3401.5 above 3400", toast); // the trigger's message
        await BrowserFixture.ScreenshotAsync(page, "signals");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Alert_form_follows_the_condition_windows_side_and_value_hint()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await fixture.LoginAsync(page);
        await page.GotoAsync("/signals");
        var form = page.Locator("#alert-form");
        var side = form.Locator("[data-side-field]");
        var window = form.Locator("select[name='Form.Window']");
        await Assertions.Expect(side).ToBeHiddenAsync(); // price_above

        await page.SelectOptionAsync("select[name='Form.ConditionType']", "liquidations_above");
        await Assertions.Expect(side).ToBeVisibleAsync();
        Assert.Equal(["", "5m", "1h"], await window.Locator("option:not([disabled])").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));
        Assert.Contains("USDT", await form.Locator("[data-value-hint]").InnerTextAsync());

        await page.SelectOptionAsync("select[name='Form.ConditionType']", "oi_change_below");
        await Assertions.Expect(side).ToBeHiddenAsync();
        Assert.Equal(["", "1h", "4h", "1d"], await window.Locator("option:not([disabled])").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));

        await page.SelectOptionAsync("select[name='Form.ConditionType']", "funding_above");
        await Assertions.Expect(window).ToBeDisabledAsync();
        Assert.Contains("0.0005 = 0.05 %", await form.Locator("[data-value-hint]").InnerTextAsync());

        await page.SelectOptionAsync("select[name='Form.ConditionType']", "liquidations_above");
        await page.FillAsync("input[name='Form.Symbol']", "SOLUSDT");
        await page.FillAsync("input[name='Form.Value']", "2500000");
        await page.SelectOptionAsync("select[name='Form.Window']", "5m");
        await page.SelectOptionAsync("select[name='Form.Side']", "short");
        await page.ClickAsync("#alert-form button[type=submit]");
        await page.WaitForURLAsync("**/signals?created=*");
        Assert.Contains("liquidations above 2500000 · 5m · short", await page.InnerTextAsync("#alerts-table tbody tr:last-child"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Assistant_panel_streams_an_answer_with_tool_calls_and_cost()
    {
        var (context, page, errors) = await fixture.NewPageAsync(1500, 900);
        await using var _ = context;
        await fixture.LoginAsync(page);
        await page.GotoAsync("/screener");
        var panel = page.Locator("#assistant-panel [data-assistant]");
        await panel.Locator("textarea").FillAsync("find coins with 1h volume over 1M");
        await panel.Locator("button[type=submit]").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#assistant-panel [data-assistant]').dataset.lastDone", null, Wait);
        Assert.Contains("filter_coins", await panel.Locator(".tool").First.InnerTextAsync());
        var answer = panel.Locator(".msg.assistant").Last;
        Assert.Equal("2 coins", await answer.Locator("strong").InnerTextAsync());
        Assert.Equal(2, await answer.Locator("code").CountAsync());
        // HTML in the answer is shown as text, never run.
        Assert.Contains("<script>bad()</script>", await answer.InnerTextAsync());
        Assert.Equal(0, await answer.Locator("script").CountAsync());
        Assert.Equal("$0.0012", await panel.Locator(".assistant-cost").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "assistant");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Dashboard_builds_live_mini_charts_and_remembers_the_choice()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#chart-grid .mini-chart')].filter(c => c.dataset.ready === 'true').length === 4", null, Wait);
        await page.SelectOptionAsync("#chart-picker select[name=count]", "6");
        await page.FillAsync("#chart-picker input[name=symbols]", "SOLUSDT, DOGEUSDT");
        await page.ClickAsync("#chart-picker button");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#chart-grid .mini-chart').length === 6", null, Wait);
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#chart-grid .mini-chart').length === 6 && document.querySelector('#chart-grid .mini-chart').dataset.symbol === 'SOLUSDT'", null, Wait);
        await page.WaitForFunctionAsync("() => +document.querySelector('#chart-grid .mini-chart').dataset.updates >= 2", null, Wait);
        await page.WaitForSelectorAsync("#signal-feed li.fresh", new PageWaitForSelectorOptions { Timeout = 15_000 });
        Assert.Equal("open", await page.GetAttributeAsync("#conn", "data-state"));
        await BrowserFixture.ScreenshotAsync(page, "dashboard");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Every_page_renders_in_the_browser_without_console_errors()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        foreach (var (path, name) in new[] { ("/login", "login"), ("/register", "register") })
        {
            await page.GotoAsync(path);
            await BrowserFixture.ScreenshotAsync(page, name);
        }
        await fixture.LoginAsync(page);
        await page.GotoAsync("/watchlist");
        await page.FillAsync("input[name=AddSymbol]", "LINKUSDT");
        await page.ClickAsync(".head-actions button[type=submit]");
        await page.WaitForSelectorAsync("#watchlist-table tr[data-symbol='LINKUSDT']");
        await BrowserFixture.ScreenshotAsync(page, "watchlist");
        await page.GotoAsync("/settings");
        await page.WaitForFunctionAsync("() => +document.getElementById('usage-chart').dataset.bars > 0", null, Wait);
        await BrowserFixture.ScreenshotAsync(page, "settings");
        await page.GotoAsync("/chat");
        await page.WaitForSelectorAsync(".chat-page [data-assistant]");
        await BrowserFixture.ScreenshotAsync(page, "chat");
        // Phone layout
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/screener");
        await BrowserFixture.ScreenshotAsync(page, "screener-phone");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Live_parts_say_so_when_the_gateway_is_unreachable()
    {
        // A second Web app whose Gateway address points at nothing.
        await using var app = new WebApp("http://127.0.0.1:" + Testing.ServerProcess.FreePort(), kestrel: true);
        var url = app.StartKestrel().TrimEnd('/');
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await using var _ = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync(url + "/coins/BTCUSDT");
        Assert.Contains("Market data unavailable: gateway not reachable", await page.InnerTextAsync("main"));
        await page.WaitForFunctionAsync("() => document.getElementById('coin-chart').dataset.ready === 'error'", null, Wait);
        Assert.Contains("Chart unavailable", await page.InnerTextAsync("#chart-status"));
        await page.WaitForFunctionAsync("() => document.getElementById('conn').dataset.state === 'closed'", null, Wait);
        await BrowserFixture.ScreenshotAsync(page, "gateway-down");
    }
}

/// <summary>What the acceptance script does: Chromium's --dump-dom of each page after an 8 s virtual-time budget.</summary>
public sealed class DumpDomTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/screener")]
    [InlineData("/coins/BTCUSDT")]
    [InlineData("/signals")]
    [InlineData("/login")]
    public async Task Dumped_dom_meets_the_acceptance_checks(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo(BrowserFixture.Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--virtual-time-budget=8000", "--window-size=1400,900", "--dump-dom", fixture.BaseUrl + path })
        {
            start.ArgumentList.Add(a);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var dom = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await stderr;
        Assert.True(dom.Length > 500, $"{path}: {dom.Length} bytes");
        var named = fixture.Gateway.Market.Coins.Count(c => dom.Contains((string)c["symbol"]!, StringComparison.Ordinal));
        if (path == "/screener")
        {
            Assert.Equal(fixture.Gateway.Market.Coins.Count, named);
        }
        if (path.StartsWith("/coins", StringComparison.Ordinal))
        {
            Assert.Contains("<canvas", dom);
        }
    }
}

/// <summary>500 symbols: the screener keeps only the rows in view in the DOM and still sorts and scrolls over all.</summary>
public sealed class VirtualisedScreenerTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions Wait = new() { Timeout = 15_000, PollingInterval = 100 };

    [Fact]
    public async Task Five_hundred_rows_are_virtualised_sorted_and_scrollable()
    {
        await using var gateway = await FakeGateway.StartAsync(symbols: 500);
        await using var app = new WebApp(gateway.Url, kestrel: true);
        var url = app.StartKestrel().TrimEnd('/');
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await using var _ = context;
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add(m.Text); } };
        await page.GotoAsync(url + "/screener");
        await page.WaitForFunctionAsync("() => +document.getElementById('screener').dataset.liveUpdates > 1", null, Wait);

        var rendered = await page.EvalOnSelectorAllAsync<int>("#screener tbody tr[data-symbol]", "rows => rows.length");
        Assert.InRange(rendered, 20, 120);
        Assert.Equal("500", await page.InnerTextAsync("#screener-count"));

        await page.ClickAsync("#screener thead th[data-key='symbol']");
        var expected = gateway.Market.Coins.Select(c => (string)c["symbol"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected[0], await page.EvalOnSelectorAsync<string>("#screener tbody tr[data-symbol]", "r => r.dataset.symbol"));

        // Scroll to the end: the last symbol is rendered, the first no longer is.
        await page.EvalOnSelectorAsync("#screener-scroll", "s => s.scrollTop = s.scrollHeight");
        await page.WaitForFunctionAsync($"() => !!document.querySelector('#screener tr[data-symbol=\"{expected[^1]}\"]')", null, Wait);
        Assert.Equal(0, await page.Locator($"#screener tr[data-symbol='{expected[0]}']").CountAsync());
        var top = await page.EvalOnSelectorAsync<double>("#screener-scroll", "s => s.scrollTop");

        // Live ticks do not move the view.
        var ticks = await page.EvalOnSelectorAsync<string>("#screener", "t => t.dataset.liveUpdates");
        await page.WaitForFunctionAsync($"() => +document.getElementById('screener').dataset.liveUpdates > {ticks} + 2", null, Wait);
        Assert.Equal(top, await page.EvalOnSelectorAsync<double>("#screener-scroll", "s => s.scrollTop"));
        Assert.Empty(errors);
    }
}
