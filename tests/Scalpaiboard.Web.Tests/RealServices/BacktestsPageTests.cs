using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Scalpaiboard.Web.Tests.RealServices;

/// <summary>
/// The Backtests page in Chromium against the real Gateway, Alerts and Ingest (<see cref="ServicesFixture"/>): started
/// from the signals page's "Backtest this preset", the API's validation problems next to their fields, progress while
/// the job runs, then the statistics, the equity chart and the trades as the API gives them, a trade's chart link.
/// </summary>
public sealed class BacktestsPageTests(ServicesFixture system, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ServicesFixture>
{
    private const string Rule = "futures_pioneer_bull";
    private static readonly PageWaitForFunctionOptions Wait = new() { Timeout = 90_000, PollingInterval = 100 };

    [Fact]
    public async Task A_backtest_started_on_the_page_shows_progress_then_the_apis_statistics_equity_chart_and_trades()
    {
        var email = $"bt-{Guid.NewGuid():N}@example.com";
        var (context, page, errors) = await system.NewPageAsync();
        await using var _ = context;
        await ServicesFixture.RegisterAsync(page, email);
        var token = await system.AccessTokenAsync(email);

        // "Backtest this preset" on the signals page opens the form with that rule chosen.
        await page.GotoAsync("/signals");
        // (A click that lands while the page's enhanced load still swaps the DOM can be lost: one more after 15 s.)
        var link = $"#subscriptions a.backtest-preset[href='/backtests?rule={Rule}']";
        await page.ClickAsync(link);
        try
        {
            await page.WaitForURLAsync($"**/backtests?rule={Rule}", new() { Timeout = 15_000 });
        }
        catch (TimeoutException)
        {
            await page.ClickAsync(link);
            await page.WaitForURLAsync($"**/backtests?rule={Rule}");
        }
        Assert.Equal(Rule, await page.InputValueAsync("#bt-rule"));

        // The Gateway's validation problems, each next to the field it names, in the API's own words.
        var expected = await system.ApiAsync(HttpMethod.Post, "/api/backtests", token, new { rule = Rule, stopLossPct = 0 });
        await page.FillAsync("#bt-sl", "0");
        await page.SelectOptionAsync("#bt-symbols", "list");
        await page.FillAsync("#bt-symbol-list", "ALPHAUSDT, NOSUCHUSDT");
        await page.ClickAsync("#bt-start");
        Assert.Equal(expected.GetProperty("errors").GetProperty("stopLossPct")[0].GetString(),
            await page.Locator("label:has(#bt-sl) .validation-message").InnerTextAsync());
        Assert.Equal(0, await page.Locator("label:has(#bt-symbol-list) .validation-message").CountAsync());
        await page.FillAsync("#bt-sl", "1");
        await page.ClickAsync("#bt-start");
        Assert.Contains("no stored candles for NOSUCHUSDT", await page.Locator("label:has(#bt-symbol-list) .validation-message").InnerTextAsync(),
            StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("label:has(#bt-sl) .validation-message").CountAsync());
        // "My watchlist" sends the user's watchlist as the list; this user has none yet.
        await page.SelectOptionAsync("#bt-symbols", "watchlist");
        await page.ClickAsync("#bt-start");
        Assert.StartsWith("Your watchlist is empty", await page.Locator("label:has(#bt-symbol-list) .validation-message").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty((await system.ApiAsync(HttpMethod.Get, "/api/backtests", token)).GetProperty("backtests").EnumerateArray());

        // Started while the candles are held: the job runs but cannot read yet, and the page polls its progress.
        string id;
        await using (await system.HoldCandlesAsync())
        {
            await page.SelectOptionAsync("#bt-symbols", "all");
            await page.ClickAsync("#bt-start");
            await page.WaitForURLAsync("**/backtests?id=*");
            id = new Uri(page.Url).Query.Split('=')[1];
            await page.WaitForFunctionAsync("() => { const p = document.getElementById('backtest-progress'); return p && p.dataset.status === 'running' && +p.dataset.polls >= 2; }", null, Wait);
            Assert.Equal("0%", await page.InnerTextAsync("#backtest-percent"));
            Assert.Equal("running", await page.InnerTextAsync("#backtest-status"));
            Assert.True(await page.IsVisibleAsync("#backtest-cancel"));
            Assert.Equal("running", (await system.ApiAsync(HttpMethod.Get, $"/api/backtests/{id}", token)).GetProperty("status").GetString());
        }

        // Released: it completes, the page reloads with the results.
        await page.WaitForSelectorAsync("#backtest-stats", new() { Timeout = 90_000 });
        var run = await system.ApiAsync(HttpMethod.Get, $"/api/backtests/{id}", token);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(system.SampleCandles, run.GetProperty("candlesProcessed").GetInt64());
        var summary = run.GetProperty("summary");
        var total = summary.GetProperty("trades").GetInt32();
        Assert.True(total > 0, "the sample should give this rule trades");
        foreach (var stat in new[] { "trades", "winRate", "profitFactor", "totalReturnPct", "maxDrawdownPct", "sharpe", "avgR", "avgHoldMinutes", "skippedSignals" })
        {
            var shown = await page.GetAttributeAsync($"#backtest-stats [data-stat='{stat}']", "data-value");
            var api = summary.GetProperty(stat);
            if (api.ValueKind == JsonValueKind.Null)
            {
                Assert.Equal("", shown);
            }
            else
            {
                Assert.True(api.GetDouble() == double.Parse(shown!, CultureInfo.InvariantCulture), $"{stat}: page {shown}, API {api}");
            }
        }
        var exits = summary.GetProperty("exits");
        Assert.Equal(string.Join(',', new[] { "target", "stop", "time", "end" }.Select(r => exits.GetProperty(r).GetInt32())),
            await page.GetAttributeAsync("#backtest-stats [data-stat='exits']", "data-value"));
        Assert.Equal(system.SampleCandles.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#backtest-stats [data-stat='candles']", "data-value"));

        // The equity curve and drawdown, drawn by lightweight-charts from the API's points.
        await page.WaitForSelectorAsync("#equity-chart[data-ready='true']");
        var points = int.Parse((await page.GetAttributeAsync("#equity-chart", "data-points"))!, CultureInfo.InvariantCulture);
        var exitTimes = run.GetProperty("equity").EnumerateArray().Select(p => p[0].GetInt64() / 1000).Distinct().Count();
        Assert.Equal(exitTimes, points);
        var painted = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('#equity-chart canvas')].reduce((n, c) => {
                if (!c.width || !c.height) return n;
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let k = 0;
                for (let i = 0; i < d.length; i += 16) if (d[i + 3] > 0 && (d[i] > 60 || d[i + 1] > 60)) k++;
                return n + k;
            }, 0)
            """);
        Assert.True(painted > 500, $"the equity chart's canvases hold {painted} bright pixels: nothing drawn");

        // The trades: the API's first page, in its order, each with a link to its chart.
        var apiTrades = (await system.ApiAsync(HttpMethod.Get, $"/api/backtests/{id}/trades?limit=100&offset=0", token)).GetProperty("trades").EnumerateArray().ToList();
        var rows = await page.EvalOnSelectorAllAsync<string[]>("#trades-table tr.trade-row", "rows => rows.map(r => `${r.dataset.symbol},${r.dataset.entry},${r.dataset.exit}`)");
        Assert.Equal(apiTrades.Select(t => $"{t.GetProperty("symbol").GetString()},{t.GetProperty("entryTime").GetInt64()},{t.GetProperty("exitTime").GetInt64()}"), rows);
        Assert.Equal(Math.Min(total, 100), rows.Length);
        Assert.Contains("of " + total.ToString("N0", CultureInfo.InvariantCulture), await page.InnerTextAsync("#trades-range"), StringComparison.Ordinal);

        // ... and the run in the list of the user's backtests.
        Assert.Contains("completed", await page.InnerTextAsync($"#backtests-table tr[data-backtest-id='{id}']"), StringComparison.Ordinal);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "backtests.png"), FullPage = true });
        output.WriteLine($"{total} trades; screenshot {Path.Combine(BrowserFixture.ScreenshotFolder, "backtests.png")}");

        // A trade's chart link: the coin chart around that trade, its entry and exit marked.
        var first = apiTrades[0];
        await page.ClickAsync("#trades-table tr.trade-row >> nth=0 >> a.trade-chart");
        await page.WaitForURLAsync($"**/coins/{first.GetProperty("symbol").GetString()}?*");
        Assert.Contains($"entry={first.GetProperty("entryTime").GetInt64()}", page.Url, StringComparison.Ordinal);
        await page.WaitForSelectorAsync("#coin-chart[data-ready='true']");
        await page.WaitForFunctionAsync("() => document.getElementById('coin-chart').dataset.tradeMarkers === '2'", null, Wait);
        await BrowserFixture.ScreenshotAsync(page, "backtest-trade-chart");
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public async Task A_running_backtest_is_cancelled_from_the_page()
    {
        var email = $"bt-cancel-{Guid.NewGuid():N}@example.com";
        var (context, page, errors) = await system.NewPageAsync();
        await using var _ = context;
        await ServicesFixture.RegisterAsync(page, email);
        var token = await system.AccessTokenAsync(email);

        await using (await system.HoldCandlesAsync())
        {
            await page.GotoAsync("/backtests");
            await page.SelectOptionAsync("#bt-rule", "futures_top_hunter");
            await page.ClickAsync("#bt-start");
            await page.WaitForURLAsync("**/backtests?id=*");
            var id = new Uri(page.Url).Query.Split('=')[1];
            await page.WaitForFunctionAsync("() => document.getElementById('backtest-progress')?.dataset.status === 'running'", null, Wait);
            Assert.Equal(1, await page.Locator($"#backtests-table tr[data-backtest-id='{id}'] button:text('Cancel')").CountAsync());

            await page.ClickAsync("#backtest-cancel");
            await page.WaitForURLAsync("**/backtests?removed=cancelled");
            Assert.Contains("Backtest cancelled.", await page.InnerTextAsync(".msgbox"), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator($"#backtests-table tr[data-backtest-id='{id}']").CountAsync());
            Assert.Empty((await system.ApiAsync(HttpMethod.Get, "/api/backtests", token)).GetProperty("backtests").EnumerateArray());
        }
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }
}
