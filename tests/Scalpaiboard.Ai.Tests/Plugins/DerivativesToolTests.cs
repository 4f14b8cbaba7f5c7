using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Services;
using Scalpaiboard.Ai.Services.Local;
using Scalpaiboard.Ai.Services.Plugins;
using Scalpaiboard.Ai.Tests.Fakes;

namespace Scalpaiboard.Ai.Tests.Plugins;

/// <summary>
/// filter_coins and get_coin_analysis with open interest, funding, long/short ratios and liquidations
/// (../docs/DERIVATIVES.md), through a kernel of the running Ai service against the stand-in screener: the query the
/// screener receives, what the function returns, and the local provider's answer from it.
/// </summary>
[Collection(AiAppCollection.Name)]
public sealed class DerivativesToolTests(AiAppFixture app)
{
    private async Task<(JsonObject Result, string User)> InvokeAsync(string function, KernelArguments arguments)
    {
        var user = "deriv-" + Guid.NewGuid().ToString("N");
        using var scope = app.Services.CreateScope();
        var kernel = scope.ServiceProvider.GetRequiredService<AssistantKernelFactory>().Create(new ToolSession(user, conversationId: null));
        var result = await kernel.InvokeAsync(ToolNames.Screener, function, arguments);
        return (Assert.IsType<JsonObject>(result.GetValue<object>()), user);
    }

    private Dictionary<string, string> ScreenerQuery(string user) =>
        QueryHelpers.ParseQuery(Assert.Single(app.Market.CallsFor(user), c => c.Path == "/api/coins").Query)
            .ToDictionary(p => p.Key, p => p.Value.ToString());

    [Fact]
    public async Task Filter_coins_sends_strict_sign_bounds_and_the_derivatives_bounds_and_returns_those_fields()
    {
        var (coins, user) = await InvokeAsync(ToolNames.FilterCoins, new()
        {
            ["maxFundingRate"] = -ScreenerPlugin.JustAboveZero,
            ["minOiChange_1h"] = ScreenerPlugin.JustAboveZero,
            ["minOpenInterestValue"] = 1e9,
            ["maxLongShortRatio"] = 1.2,
            ["sortBy"] = "fundingRate",
            ["sortOrder"] = "asc",
        });

        var query = ScreenerQuery(user);
        Assert.Equal("-5E-324", query["maxFundingRate"]);
        Assert.Equal("5E-324", query["minOiChange_1h"]);
        Assert.Equal("1000000000", query["minOpenInterestValue"]);
        Assert.Equal("1.2", query["maxLongShortRatio"]);
        Assert.Equal("fundingRate", query["sortBy"]);
        Assert.Equal("asc", query["sortOrder"]);
        // the Ingest's bounds are inclusive (CoinsApi drops v > max and v < min): these leave 0 out and keep any other sign
        var max = double.Parse(query["maxFundingRate"], CultureInfo.InvariantCulture);
        var min = double.Parse(query["minOiChange_1h"], CultureInfo.InvariantCulture);
        Assert.True(0.0 > max && -1e-300 <= max);
        Assert.True(0.0 < min && 1e-300 >= min);

        Assert.Equal(-double.Epsilon, coins["filters"]!["maxFundingRate"]!.GetValue<double>());
        var eth = coins["coins"]!.AsArray().Single(c => c!["symbol"]!.ToString() == "ETHUSDT")!.AsObject();
        Assert.Equal(-0.00025, eth["fundingRate"]!.GetValue<double>());
        Assert.Equal(3.4, eth["oiChange_1h"]!.GetValue<double>());
        Assert.Equal(2_200_000_000, eth["openInterestValue"]!.GetValue<double>());
        Assert.Equal(0.8, eth["longShortRatio"]!.GetValue<double>());
        Assert.False(eth.ContainsKey("liquidationsLong_1h")); // only the fields filtered or sorted on
        var sol = coins["coins"]!.AsArray().Single(c => c!["symbol"]!.ToString() == "SOLUSDT")!.AsObject();
        Assert.True(sol.ContainsKey("fundingRate"));
        Assert.Null(sol["fundingRate"]); // unavailable stays null, never 0
        Assert.Null(coins["note"]);

        var answer = LocalAnswerWriter.Write(ToolNames.FilterCoins, coins);
        Assert.Contains("with fundingRate < 0% and oiChange_1h > 0% and openInterestValue >= 1B and longShortRatio <= 1.2, sorted by fundingRate asc", answer);
        Assert.Contains("2. ETHUSDT at 2,000, fundingRate -0.025%, oiChange_1h 3.4%, openInterestValue 2.2B, longShortRatio 0.8\n", answer);
        Assert.Contains("3. SOLUSDT at 3,000, fundingRate unavailable, oiChange_1h unavailable", answer);
    }

    [Fact]
    public async Task Filter_coins_on_liquidations_says_they_are_a_lower_bound()
    {
        var (coins, user) = await InvokeAsync(ToolNames.FilterCoins, new()
        {
            ["filters"] = new Dictionary<string, double> { ["minLiquidationsLong_1h"] = 100_000 },
            ["sortBy"] = "liquidationsShort_1d",
        });

        Assert.Equal("100000", ScreenerQuery(user)["minLiquidationsLong_1h"]);
        var btc = coins["coins"]![0]!;
        Assert.Equal(125_000, btc["liquidationsLong_1h"]!.GetValue<double>());
        Assert.Equal(1_100_000, btc["liquidationsShort_1d"]!.GetValue<double>());
        Assert.Contains("lower bound", coins["note"]!.ToString());

        var answer = LocalAnswerWriter.Write(ToolNames.FilterCoins, coins);
        Assert.Contains("1. BTCUSDT at 1,000, liquidationsLong_1h 125K, liquidationsShort_1d 1.1M", answer);
        Assert.Contains("Note: liquidations are USDT notional of forced orders and a lower bound", answer);
    }

    [Fact]
    public async Task Get_coin_analysis_reports_open_interest_funding_ratios_and_liquidations()
    {
        var (analysis, _) = await InvokeAsync(ToolNames.GetCoinAnalysis, new() { ["symbol"] = "BTC" });

        var d = analysis["derivatives"]!;
        Assert.Equal(5_200_000_000, d["openInterestValue"]!.GetValue<double>());
        Assert.Equal(80_000, d["openInterest"]!.GetValue<double>());
        Assert.Equal(-0.8, d["oiChangePercent"]!["1h"]!.GetValue<double>());
        Assert.Equal(3.2, d["oiChangePercent"]!["1d"]!.GetValue<double>());
        Assert.Equal(0.0001, d["fundingRate"]!.GetValue<double>());
        Assert.Equal(0.01, d["fundingRatePercent"]!.GetValue<double>());
        var next = DateTimeOffset.FromUnixTimeMilliseconds(FakeMarketServices.NextFundingTime);
        Assert.Equal(next.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), d["nextFundingTime"]!.ToString());
        var expectedMinutes = (next - DateTimeOffset.UtcNow).TotalMinutes;
        Assert.InRange(d["minutesToNextFunding"]!.GetValue<long>(), Math.Floor(expectedMinutes) - 1, Math.Ceiling(expectedMinutes) + 1);
        Assert.Equal(1.9, d["longShortRatio"]!.GetValue<double>());
        Assert.Equal(2_300_000, d["liquidationsUsdt"]!["long_1d"]!.GetValue<double>());
        Assert.Equal(40_000, d["liquidationsUsdt"]!["short_1h"]!.GetValue<double>());
        Assert.Contains("lower bound", d["note"]!.ToString());
        Assert.Empty(d["unavailable"]!.AsArray());

        var text = LocalAnswerWriter.Write(ToolNames.GetCoinAnalysis, analysis);
        Assert.Contains("Open interest 5.2B USDT (80K contracts); change 1h -0.8%, 4h +1.5%, 1d +3.2%.\n", text);
        Assert.Contains($"Funding rate +0.01%, next funding at {next.UtcDateTime:yyyy-MM-dd HH:mm} UTC (in ", text);
        Assert.Contains("Long/short ratio 1.9 (accounts), top traders 1.4, taker buy/sell 0.95.\n", text);
        Assert.Contains("Liquidations: 1h 125K USDT longs / 40K USDT shorts, 1d 2.3M USDT longs / 1.1M USDT shorts (a lower bound", text);
    }

    [Fact]
    public async Task Get_coin_analysis_says_which_derivatives_values_are_unavailable()
    {
        // ETHUSDT as a replay has it: no next funding time, mark price or liquidations, the 1d change not yet known
        var (eth, _) = await InvokeAsync(ToolNames.GetCoinAnalysis, new() { ["symbol"] = "ETHUSDT" });

        var d = eth["derivatives"]!;
        Assert.Null(d["nextFundingTime"]);
        Assert.Null(d["minutesToNextFunding"]);
        Assert.Null(d["oiChangePercent"]!["1d"]);
        Assert.Null(d["liquidationsUsdt"]!["long_1h"]);
        Assert.Equal(-0.025, d["fundingRatePercent"]!.GetValue<double>());
        Assert.Equal(
            ["oiChange_1d", "nextFundingTime", "markPrice", "liquidationsLong_1h", "liquidationsShort_1h", "liquidationsLong_1d", "liquidationsShort_1d"],
            d["unavailable"]!.AsArray().Select(n => n!.ToString()));
        var text = LocalAnswerWriter.Write(ToolNames.GetCoinAnalysis, eth);
        Assert.Contains("change 1h +3.4%, 4h +6.1%, 1d unavailable.", text);
        Assert.Contains("Funding rate -0.025%, next funding time unavailable.", text);
        Assert.Contains("Liquidations: 1h unavailable longs / unavailable shorts", text);

        // SOLUSDT has none at all: said once, not as fifteen zeros
        var (sol, _) = await InvokeAsync(ToolNames.GetCoinAnalysis, new() { ["symbol"] = "SOLUSDT" });
        Assert.Equal(CoinDerivatives.Fields, sol["derivatives"]!["unavailable"]!.AsArray().Select(n => n!.ToString()));
        Assert.Null(sol["derivatives"]!["fundingRate"]);
        var solText = LocalAnswerWriter.Write(ToolNames.GetCoinAnalysis, sol);
        Assert.Contains("Open interest, funding, long/short ratios and liquidations: unavailable for this coin", solText);
        Assert.DoesNotContain("Funding rate", solText);
    }
}
