using System.Globalization;
using Microsoft.Playwright;
using Scalpaiboard.Web.Services;
using Scalpaiboard.Web.Tests.Fakes;

namespace Scalpaiboard.Web.Tests;

/// <summary>Derivatives in Chromium: screener columns, presets and filters; the coin page's panes and liquidation markers.</summary>
public sealed class DerivativesBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions Wait = new() { Timeout = 15_000, PollingInterval = 100 };

    private const string Symbols = "rows => rows.map(r => r.dataset.symbol)";

    [Fact]
    public async Task Screener_presets_show_derivatives_values_and_a_filter_narrows_the_rows()
    {
        var coins = fixture.Gateway.Market.Coins;
        var (context, page, errors) = await fixture.NewPageAsync(1600, 900);
        await using var _ = context;
        await page.GotoAsync("/screener");
        await page.WaitForFunctionAsync("() => +document.getElementById('screener').dataset.liveUpdates > 0", null, Wait);

        // "Funding extremes": its columns, sorted by funding (highest first, symbols without funding last).
        await page.SelectOptionAsync("#column-preset", "funding-extremes");
        var preset = ScreenerPresets.Find("funding-extremes")!;
        Assert.Equal(preset.Columns, await Headers(page));
        Assert.Equal("fundingRate", await page.EvalOnSelectorAsync<string>("#screener", "t => t.dataset.sort"));
        Assert.Equal(SortedDescending(coins, "fundingRate"), await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", Symbols));
        Assert.Contains("sort=fundingRate", page.Url, StringComparison.Ordinal);

        // Values in every derivatives cell of a symbol that has them, the format of the server.
        var eth = fixture.Gateway.Market.Find("ETHUSDT")!;
        var row = await RowTexts(page, "ETHUSDT");
        Assert.Equal(Format.Funding(FakeMarket.Num(eth, "fundingRate")), row["fundingRate"]);
        Assert.Equal(Format.Pct(FakeMarket.Num(eth, "oiChange_4h")), row["oiChange_4h"]);
        Assert.Equal(Format.Compact(FakeMarket.Num(eth, "openInterestValue")), row["openInterestValue"]);
        Assert.Equal(Format.Num(FakeMarket.Num(eth, "longShortRatio")), row["longShortRatio"]);
        var tone = await page.EvalOnSelectorAsync<string>("#screener tr[data-symbol='ETHUSDT'] td:nth-child(4)", "td => td.className");
        Assert.Contains(FakeMarket.Num(eth, "fundingRate") >= 0 ? "up" : "down", tone);

        // The next funding counts down in place.
        var before = row["nextFundingTime"];
        Assert.Matches(@"^\d+:\d\d:\d\d$", before);
        await page.WaitForFunctionAsync(
            "before => document.querySelector(\"#screener tr[data-symbol='ETHUSDT'] td[data-until]\").textContent !== before", before, Wait);

        // "OI surge": sorted by the 1h open-interest change; the choice survives a reload.
        await page.SelectOptionAsync("#column-preset", "oi-surge");
        Assert.Equal(ScreenerPresets.Find("oi-surge")!.Columns, await Headers(page));
        Assert.Equal(SortedDescending(coins, "oiChange_1h"), await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", Symbols));
        await page.ReloadAsync();
        Assert.Equal(ScreenerPresets.Find("oi-surge")!.Columns, await Headers(page));
        await page.ClickAsync("#screener thead th[data-key='oiChange_4h']");
        Assert.Equal(SortedDescending(coins, "oiChange_4h"), await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", Symbols));

        // A minimum 1h open-interest change (the form's filter, applied by the Gateway) narrows the rows.
        var threshold = coins.Select(c => FakeMarket.Num(c, "oiChange_1h")).Where(double.IsFinite).Order().ElementAt(coins.Count / 2);
        await page.ClickAsync(".filters summary");
        await page.FillAsync("input[name=min_oiChange_1h]", threshold.ToString("R", CultureInfo.InvariantCulture));
        await Task.WhenAll(page.WaitForURLAsync("**/screener**min_oiChange_1h=**"), page.ClickAsync("#filter-form button[type=submit]"));
        var narrowed = await page.EvalOnSelectorAllAsync<string[]>("#screener tbody tr[data-symbol]", Symbols);
        var expected = coins.Where(c => FakeMarket.Num(c, "oiChange_1h") >= threshold).OrderByDescending(c => FakeMarket.Num(c, "oiChange_4h")).Select(c => (string)c["symbol"]!);
        Assert.Equal(expected, narrowed);
        Assert.InRange(narrowed.Length, 1, coins.Count - 10);
        Assert.Equal(narrowed.Length.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync("#screener-count"));
        await page.ClickAsync(".filters summary");
        await BrowserFixture.ScreenshotAsync(page, "screener-derivatives");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Preset_link_is_applied_once_and_becomes_the_column_choice()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/screener?preset=funding-extremes");
        await page.WaitForFunctionAsync("() => !location.search.includes('preset')", null, Wait);
        Assert.Equal(ScreenerPresets.Find("funding-extremes")!.Columns, await Headers(page));
        Assert.Equal(0, await page.Locator("#filter-form input[name=preset]").CountAsync());
        // Adding a column in the chooser leaves the preset behind.
        await page.ClickAsync("#columns-button");
        await page.CheckAsync("#column-chooser input[value='liquidationsShort_1d']");
        Assert.Contains("liquidationsShort_1d", await Headers(page));
        Assert.Equal("", await page.EvalOnSelectorAsync<string>("#column-preset", "s => s.value"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Coin_page_draws_open_interest_and_funding_panes_and_liquidation_markers()
    {
        var (context, page, errors) = await fixture.NewPageAsync(1400, 1100);
        await using var _ = context;
        await page.GotoAsync("/coins/BTCUSDT");
        await page.WaitForFunctionAsync("() => document.getElementById('derivatives').dataset.ready === 'true'", null, Wait);
        var hooks = await page.EvalOnSelectorAsync<Dictionary<string, string>>("#derivatives", "e => ({ ...e.dataset })");
        Assert.True(int.Parse(hooks["points"], CultureInfo.InvariantCulture) >= 90, $"{hooks["points"]} points");
        Assert.True(int.Parse(hooks["oiBars"], CultureInfo.InvariantCulture) >= 450, $"{hooks["oiBars"]} open-interest bars");
        Assert.Equal(hooks["oiBars"], hooks["fundingBars"]);
        Assert.True(int.Parse(hooks["liquidationMarkers"], CultureInfo.InvariantCulture) > 20, $"{hooks["liquidationMarkers"]} liquidation markers");
        // The panes end on the chart's last bar: one time scale.
        Assert.Equal(await page.EvalOnSelectorAsync<string>("#coin-chart", "e => e.dataset.lastTime"), hooks["lastTime"]);

        // Both panes are drawn: the open-interest area in blue, the funding bars in green and red.
        var oi = await Colours(page, "open-interest");
        Assert.True(oi.Blue > 2000, $"{oi.Blue} blue pixels in the open-interest pane");
        var funding = await Colours(page, "funding");
        Assert.True(funding.Green > 300 && funding.Red > 300, $"{funding.Green} green and {funding.Red} red pixels in the funding pane");
        await BrowserFixture.ScreenshotAsync(page, "coin-derivatives");

        // Another timeframe: the panes follow with the new bars.
        await page.ClickAsync("#tf-switch a[data-tf='15m']");
        await page.WaitForFunctionAsync("() => document.getElementById('coin-chart').dataset.tf === '15m' && document.getElementById('coin-chart').dataset.ready === 'true'", null, Wait);
        await page.WaitForFunctionAsync("() => document.getElementById('derivatives').dataset.lastTime === document.getElementById('coin-chart').dataset.lastTime", null, Wait);
        var points = int.Parse(await page.EvalOnSelectorAsync<string>("#derivatives", "e => e.dataset.points"), CultureInfo.InvariantCulture);
        Assert.True(points > 1000, $"{points} points for 500 bars of 15m");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Live_cells_format_derivatives_like_the_server_does()
    {
        double[] amounts = [12_345_678, 1_234_567_890, 850_000, 420, 0, 999.6];
        double[] rates = [0.0001, -0.00025, 0, 0.00012345, -0.0000004];
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync("/screener");
        var js = await page.EvaluateAsync<string[]>("async ([a, r]) => { const f = await import('/js/format.js'); return [...a.map(v => f.cell('compact', v)), ...r.map(v => f.cell('funding', v)), f.countdown(1e6 + 11525999, 1e6), f.countdown(0, 5000)]; }",
            new object[] { amounts, rates });
        string[] server = [.. amounts.Select(v => Format.Compact(v)), .. rates.Select(v => Format.Funding(v)), Format.Countdown(1e6 + 11525999, 1_000_000), Format.Countdown(0, 5000)];
        Assert.Equal(server, js);
        Assert.Equal("3:12:05", server[^2]);
        Assert.Empty(errors);
    }

    private static List<string> SortedDescending(List<Dictionary<string, object?>> coins, string key) =>
        [.. coins.Where(c => double.IsFinite(FakeMarket.Num(c, key))).OrderByDescending(c => FakeMarket.Num(c, key))
            .Concat(coins.Where(c => !double.IsFinite(FakeMarket.Num(c, key)))).Select(c => (string)c["symbol"]!)];

    private static async Task<List<string>> Headers(IPage page) =>
        [.. (await page.EvalOnSelectorAllAsync<string[]>("#screener thead th[data-key]", "ths => ths.map(t => t.dataset.key)")).Skip(1)];

    private static async Task<Dictionary<string, string>> RowTexts(IPage page, string symbol) =>
        await page.EvaluateAsync<Dictionary<string, string>>("""
            symbol => {
                const keys = [...document.querySelectorAll('#screener thead th[data-key]')].map(t => t.dataset.key);
                const cells = [...document.querySelector(`#screener tr[data-symbol='${symbol}']`).cells].map(c => c.textContent);
                return Object.fromEntries(keys.map((k, i) => [k, cells[i]]));
            }
            """, symbol);

    private static async Task<(int Blue, int Green, int Red)> Colours(IPage page, string pane)
    {
        var counts = await page.EvaluateAsync<int[]>("""
            pane => {
                let b = 0, g = 0, r = 0;
                for (const c of document.querySelectorAll(`#coin-chart [data-pane='${pane}'] canvas`)) {
                    if (!c.width || !c.height) continue;
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    for (let i = 0; i < d.length; i += 4) {
                        if (d[i + 3] === 0) continue;
                        if (d[i + 2] > 120 && d[i + 2] > d[i] * 1.6 && d[i + 2] > d[i + 1] * 1.2) b++;
                        else if (d[i + 1] > 90 && d[i + 1] > d[i] * 1.5) g++;
                        else if (d[i] > 90 && d[i] > d[i + 1] * 1.5) r++;
                    }
                }
                return [b, g, r];
            }
            """, pane);
        return (counts[0], counts[1], counts[2]);
    }
}
