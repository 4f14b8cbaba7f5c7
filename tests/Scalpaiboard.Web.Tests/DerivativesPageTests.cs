using System.Net;
using System.Globalization;
using System.Text.RegularExpressions;
using Scalpaiboard.Web.Services;
using Scalpaiboard.Web.Tests.Fakes;

namespace Scalpaiboard.Web.Tests;

/// <summary>Open interest, funding, ratios and liquidations on the server-rendered screener and coin page.</summary>
public sealed partial class DerivativesPageTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly WebApp _app = fixture.App;
    private readonly FakeGateway _gateway = fixture.Gateway;

    [Fact]
    public async Task Screener_rows_show_the_derivatives_columns_formatted()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener");
        var keys = HeaderRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Subset(keys.ToHashSet(), new HashSet<string> { "openInterestValue", "oiChange_1h", "fundingRate", "nextFundingTime", "longShortRatio", "liquidationsLong_1h", "liquidationsShort_1h" });

        var eth = _gateway.Market.Find("ETHUSDT")!;
        var cells = Cells(html, "ETHUSDT");
        Assert.Equal(Format.Compact(FakeMarket.Num(eth, "openInterestValue")), cells[keys.IndexOf("openInterestValue")]);
        Assert.Matches(@"^\d+(\.\d)?[KMB]$", cells[keys.IndexOf("openInterestValue")]);
        Assert.Matches(@"^-?0\.\d{4} %$", cells[keys.IndexOf("fundingRate")]);
        Assert.Equal((FakeMarket.Num(eth, "fundingRate") * 100).ToString("0.0000", CultureInfo.InvariantCulture) + " %", cells[keys.IndexOf("fundingRate")]);
        Assert.Matches(@"^\d+:\d\d:\d\d$", cells[keys.IndexOf("nextFundingTime")]);
        Assert.Equal(Format.Pct(FakeMarket.Num(eth, "oiChange_1h")), cells[keys.IndexOf("oiChange_1h")]);
        Assert.Equal(Format.Compact(FakeMarket.Num(eth, "liquidationsLong_1h")), cells[keys.IndexOf("liquidationsLong_1h")]);
        // The liquidation headers say that the totals are a lower bound.
        Assert.Contains("per symbol per second, so totals are a lower bound", Regex.Match(html, "<th data-key=\"liquidationsLong_1h\" title=\"([^\"]*)\"").Groups[1].Value);

        // A symbol without derivatives shows dashes, not zeros.
        var none = (string)_gateway.Market.Coins[6]["symbol"]!;
        var empty = Cells(html, none);
        Assert.All((string[])["openInterestValue", "fundingRate", "nextFundingTime", "liquidationsLong_1h"], k => Assert.Equal("–", empty[keys.IndexOf(k)]));
    }

    [Fact]
    public async Task Funding_bound_in_percent_reaches_the_gateway_as_a_fraction_and_narrows_the_rows()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener?min_fundingRate=0.01&max_oiChange_1h=2");
        var shown = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToHashSet();
        var expected = _gateway.Market.Coins.Where(c => FakeMarket.Num(c, "fundingRate") >= 0.0001 && FakeMarket.Num(c, "oiChange_1h") <= 2)
            .Select(c => (string)c["symbol"]!).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < _gateway.Market.Coins.Count);
        Assert.Equal(expected, shown);
        Assert.Contains(_gateway.Requests, r => r.Path.Contains("minFundingRate=0.0001&", StringComparison.Ordinal) && r.Path.Contains("maxOiChange_1h=2", StringComparison.Ordinal));
        // The form shows the bound as it was typed, in percent.
        Assert.Contains("name=\"min_fundingRate\" inputmode=\"decimal\" placeholder=\"min\" value=\"0.01\"", html);
    }

    [Fact]
    public async Task Open_interest_bound_takes_a_multiplier()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener?min_openInterestValue=30M");
        var shown = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToHashSet();
        var expected = _gateway.Market.Coins.Where(c => FakeMarket.Num(c, "openInterestValue") >= 30_000_000).Select(c => (string)c["symbol"]!).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, shown);
        Assert.Contains(_gateway.Requests, r => r.Path.Contains("minOpenInterestValue=30000000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("oi-surge", "oiChange_1h")]
    [InlineData("funding-extremes", "fundingRate")]
    public async Task Preset_link_renders_its_columns_sorted_by_its_column(string key, string sortedBy)
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener?preset=" + key);
        var preset = ScreenerPresets.Find(key)!;
        Assert.Equal(preset.Columns, HeaderRegex().Matches(html).Select(m => m.Groups[1].Value));
        Assert.Equal(sortedBy, preset.Sort);
        var order = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var expected = _gateway.Market.Coins.OrderByDescending(c => FakeMarket.Num(c, sortedBy)).Select(c => (string)c["symbol"]!).ToList();
        Assert.Equal(expected, order);
        Assert.Contains($"data-sort=\"{sortedBy}\" data-dir=\"desc\" data-preset=\"{key}\"", html);
        // Sorting by another column without script keeps the preset's columns.
        Assert.Contains($"href=\"/screener?sort=price&amp;dir=desc&amp;preset={key}\"", html);
    }

    [Fact]
    public async Task Every_derivatives_column_sorts_server_side()
    {
        using var client = _app.Browser();
        foreach (var column in ScreenerColumns.All.Where(c => c.Group == "Derivatives"))
        {
            var html = await client.GetStringAsync($"/screener?sort={column.Key}&dir=asc");
            var order = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
            var expected = _gateway.Market.Coins.OrderBy(c => FakeMarket.Num(c, column.Key)).Select(c => (string)c["symbol"]!).ToList();
            Assert.Equal(expected, order);
            Assert.Contains(_gateway.Requests, r => r.Path.Contains($"sortBy={column.Key}&sortOrder=asc", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Coin_page_has_the_derivatives_strip_under_the_chart()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/coins/SOLUSDT");
        var sol = _gateway.Market.Find("SOLUSDT")!;
        var strip = html[html.IndexOf("id=\"derivatives\"", StringComparison.Ordinal)..];
        Assert.True(html.IndexOf("id=\"coin-chart\"", StringComparison.Ordinal) < html.IndexOf("id=\"derivatives\"", StringComparison.Ordinal));
        Assert.Contains("data-symbol=\"SOLUSDT\"", strip[..200]);
        Assert.Contains("OI " + Format.Compact(FakeMarket.Num(sol, "openInterestValue")), strip);
        Assert.Contains("Funding " + Format.Funding(FakeMarket.Num(sol, "fundingRate")), strip);
        Assert.Contains($"data-until=\"{FakeMarket.Num(sol, "nextFundingTime").ToString("R", CultureInfo.InvariantCulture)}\"", strip);
        Assert.Contains("so totals are a lower bound", strip);
    }

    [Fact]
    public async Task Trend_columns_are_offered_and_show_the_direction()
    {
        // Issue 21: the live trend indicators are screener columns like the others.
        string[] keys = ["superTrendDirection_15m", "superTrendDirection_1h", "superTrendDirection_4h", "superTrend_1h", "psar_1h",
            "donchianUpper20_1h", "donchianLower20_1h", "keltnerUpper_1h", "keltnerLower_1h", "roc20_1h", "obv_1h"];
        Assert.All(keys, k => Assert.NotNull(ScreenerColumns.Find(k)));
        Assert.Equal(["▲ up", "▼ down", "–", "–"], new double?[] { 1, -1, double.NaN, null }.Select(Format.Trend));

        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener?sort=superTrendDirection_1h&dir=asc");
        Assert.Contains("superTrendDirection_1h", HeaderRegex().Matches(html).Select(m => m.Groups[1].Value));
        var order = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var expected = _gateway.Market.Coins.OrderBy(c => FakeMarket.Num(c, "superTrendDirection_1h")).Select(c => (string)c["symbol"]!).ToList();
        // Down trends first: their cells read "▼ down" and are toned like a fall.
        Assert.Equal(expected.Take(3).Order(), order.Take(3).Order());
        Assert.Contains("<td class=\"num down\">▼ down</td>", WebUtility.HtmlDecode(html));
        Assert.Contains("<td class=\"num up\">▲ up</td>", WebUtility.HtmlDecode(html));
    }

    [Fact]
    public void Formats_of_the_new_kinds()
    {
        Assert.Equal(["12.3M", "1.2B", "850.0K", "420", "–"], new double?[] { 12_345_678, 1_234_567_890, 850_000, 420, null }.Select(Format.Compact));
        Assert.Equal(["0.0100 %", "-0.0250 %", "0.0000 %", "–"], new double?[] { 0.0001, -0.00025, 0, null }.Select(Format.Funding));
        Assert.Equal("3:12:05", Format.Countdown(1_000_000 + (3 * 3600 + 12 * 60 + 5) * 1000.0 + 999, 1_000_000));
        Assert.Equal("0:00:00", Format.Countdown(1_000, 5_000));
        Assert.True(ScreenFilter.TryParseBound("50m", out var v) && v == 50e6);
        Assert.True(ScreenFilter.TryParseBound("-0.01", out v) && v == -0.01);
        Assert.False(ScreenFilter.TryParseBound("M", out _));
        Assert.False(ScreenFilter.TryParseBound("1e400", out _));
    }

    private static List<string> Cells(string html, string symbol)
    {
        var start = html.IndexOf($"<tr data-symbol=\"{symbol}\"", StringComparison.Ordinal);
        var row = html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
        return [.. CellRegex().Matches(row).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).Skip(1)];
    }

    [GeneratedRegex("<th data-key=\"([A-Za-z0-9_]+)\"")]
    private static partial Regex HeaderRegex();

    [GeneratedRegex("<tr data-symbol=\"([A-Z0-9]+)\"")]
    private static partial Regex RowRegex();

    [GeneratedRegex("<td[^>]*>(?:<a[^>]*>)?([^<]*)")]
    private static partial Regex CellRegex();
}
