using Scalpaiboard.Ai.Services.Local;

namespace Scalpaiboard.Ai.Tests.Local;

public sealed class LocalIntentParserTests
{
    [Fact]
    public void Volume_and_change_bounds_become_filter_coins_minimums()
    {
        var intent = Parse("find coins with 1h volume over 1M and 5m change above 1%");
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Equal(new Dictionary<string, object?> { ["minQuoteVolume_1h"] = 1_000_000.0, ["minChange_5m"] = 1.0 }, intent.Arguments);
    }

    [Fact]
    public void Biggest_volume_sorts_descending()
    {
        var intent = Parse("find coins with the biggest 1h volume");
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Equal(new Dictionary<string, object?> { ["sortBy"] = "quoteVolume_1h", ["sortOrder"] = "desc" }, intent.Arguments);
    }

    [Theory]
    [InlineData("show coins with 4h change below -2% and 1d volume greater than 2.5B", "maxChange_4h", -2.0, "minQuoteVolume_1d", 2_500_000_000.0)]
    [InlineData("coins with 15m volume under 500k and rsi above 70", "maxQuoteVolume_15m", 500_000.0, "minRsi14_1h", 70.0)]
    [InlineData("list coins with 8h change greater than 3 percent and price under 10", "minChange_8h", 3.0, "maxPrice", 10.0)]
    [InlineData("find coins with 1 hour volume at least 2,000,000 and 5 minute change less than 0.5%", "minQuoteVolume_1h", 2_000_000.0, "maxChange_5m", 0.5)]
    public void Suffixes_windows_and_comparators_are_read(string text, string firstKey, double firstValue, string secondKey, double secondValue)
    {
        var intent = Parse(text);
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Equal(firstValue, intent.Arguments[firstKey]);
        Assert.Equal(secondValue, intent.Arguments[secondKey]);
        Assert.Equal(2, intent.Arguments.Count);
    }

    [Fact]
    public void Negative_funding_and_rising_open_interest_are_strict_bounds_around_zero()
    {
        var intent = Parse("coins with negative funding and rising open interest");
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Null(intent.Problem);
        // the screener's bounds are inclusive: a max of -epsilon keeps every negative rate and leaves 0 out
        Assert.Equal(new Dictionary<string, object?> { ["maxFundingRate"] = -double.Epsilon, ["minOiChange_1h"] = double.Epsilon }, intent.Arguments);
        Assert.Equal(new Dictionary<string, object?> { ["minFundingRate"] = double.Epsilon, ["maxOiChange_4h"] = -double.Epsilon },
            Parse("show coins where funding is positive and 4h open interest is falling").Arguments);
    }

    [Theory]
    [InlineData("highest funding", "fundingRate", "desc")]
    [InlineData("coins with the lowest funding rate", "fundingRate", "asc")]
    [InlineData("coins with the biggest open interest", "openInterestValue", "desc")]
    [InlineData("top 10 coins by highest long/short ratio", "longShortRatio", "desc")]
    [InlineData("coins with the biggest 4h OI change", "oiChange_4h", "desc")]
    [InlineData("coins with the most 1d short liquidations", "liquidationsShort_1d", "desc")]
    public void Superlatives_sort_by_the_derivatives_fields(string text, string sortBy, string sortOrder)
    {
        var intent = Parse(text);
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Equal(sortBy, intent.Arguments["sortBy"]);
        Assert.Equal(sortOrder, intent.Arguments["sortOrder"]);
    }

    [Fact]
    public void Most_negative_funding_sorts_ascending_among_the_negative_ones()
    {
        Assert.Equal(new Dictionary<string, object?>
        {
            ["maxFundingRate"] = -double.Epsilon, ["sortBy"] = "fundingRate", ["sortOrder"] = "asc",
        }, Parse("coins with the most negative funding").Arguments);
    }

    [Theory]
    [InlineData("OI surge", "oiChange_1h", "desc", "minOiChange_1h", double.Epsilon)]
    [InlineData("which coins have open interest spiking in 4 hours", "oiChange_4h", "desc", "minOiChange_4h", double.Epsilon)]
    [InlineData("coins with an OI flush", "oiChange_1h", "asc", "maxOiChange_1h", -double.Epsilon)]
    public void An_open_interest_surge_sorts_by_its_change_and_keeps_that_direction(string text, string sortBy, string order, string bound, double value)
    {
        var intent = Parse(text);
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Equal(new Dictionary<string, object?> { ["sortBy"] = sortBy, ["sortOrder"] = order, [bound] = value }, intent.Arguments);
    }

    [Theory]
    [InlineData("funding above 0.05%", "minFundingRate", 0.0005)]
    [InlineData("coins with funding rate below -0.01%", "maxFundingRate", -0.0001)]
    [InlineData("coins with funding over 0.1 percent", "minFundingRate", 0.001)]
    [InlineData("coins with funding under 0.0001", "maxFundingRate", 0.0001)] // a bare number is a fraction, as the API takes it
    [InlineData("coins with funding above 0", "minFundingRate", double.Epsilon)] // "above 0" is strict
    [InlineData("coins with funding at least 0", "minFundingRate", 0.0)]
    [InlineData("coins with open interest over 100M", "minOpenInterestValue", 100_000_000.0)]
    [InlineData("coins with 4h OI change above 5%", "minOiChange_4h", 5.0)]
    [InlineData("coins with open interest up more than 2% in 1 day", "minOiChange_1d", 2.0)]
    [InlineData("coins with long/short ratio above 2", "minLongShortRatio", 2.0)]
    [InlineData("coins with top trader long/short ratio below 0.8", "maxTopTraderLongShortRatio", 0.8)]
    [InlineData("coins with 1h long liquidations above 1M", "minLiquidationsLong_1h", 1_000_000.0)]
    [InlineData("coins with short liquidations over 500k in 5m", "minLiquidationsShort_5m", 500_000.0)]
    public void Derivatives_bounds_are_read_in_their_units(string text, string bound, double value)
    {
        var intent = Parse(text);
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Null(intent.Problem);
        Assert.Equal(new Dictionary<string, object?> { [bound] = value }, intent.Arguments);
    }

    [Theory]
    [InlineData("coins with liquidations above 1M", "Long or short liquidations?")]
    [InlineData("coins with 15m OI change above 2%", "has the windows 1h, 4h, 1d, not 15m")]
    [InlineData("coins with 4h long liquidations above 1M", "has the windows 5m, 1h, 1d, not 4h")]
    public void A_derivatives_bound_it_cannot_send_is_asked_about(string text, string question)
    {
        var intent = Parse(text);
        Assert.Equal("filter_coins", intent.Tool);
        Assert.Contains(question, intent.Problem);
    }

    [Theory]
    [InlineData("what's the funding on BTC", "BTCUSDT")]
    [InlineData("open interest of ETHUSDT", "ETHUSDT")]
    public void Derivatives_of_one_coin_are_its_analysis(string text, string symbol)
    {
        var intent = Parse(text);
        Assert.Equal("get_coin_analysis", intent.Tool);
        Assert.Equal(symbol, intent.Arguments["symbol"]);
    }

    [Theory]
    [InlineData("remove BTC from my watchlist", "remove_from_watchlist")]
    [InlineData("take eth off my watch list", "remove_from_watchlist")]
    [InlineData("show my alerts", "list_alerts")]
    [InlineData("which alerts do I have on SOL", "list_alerts")]
    [InlineData("pause alert 12", "pause_alert")]
    [InlineData("resume alert #12", "pause_alert")]
    [InlineData("delete alert 12", "delete_alert")]
    [InlineData("alert me when ETHUSDT drops below 3000", "create_alert")]
    [InlineData("add BTC to my watchlist", "add_to_watchlist")]
    public void Alert_and_watchlist_management_reach_their_functions(string text, string tool) =>
        Assert.Equal(tool, Parse(text).Tool);

    [Fact]
    public void Alert_ids_and_pause_or_resume_are_read()
    {
        Assert.Equal(new Dictionary<string, object?> { ["alertId"] = 7L, ["pause"] = true }, Parse("please disable alert no. 7").Arguments);
        Assert.Equal(new Dictionary<string, object?> { ["alertId"] = 7L, ["pause"] = false }, Parse("resume alert 7").Arguments);
        Assert.Equal(new Dictionary<string, object?> { ["alertId"] = 31L }, Parse("cancel alert id 31").Arguments);
        Assert.Equal(new Dictionary<string, object?> { ["symbol"] = "SOLUSDT" }, Parse("list my alerts on SOL").Arguments);
        Assert.Equal(new Dictionary<string, object?> { ["symbol"] = "BTCUSDT" }, Parse("remove BTC from my watchlist").Arguments);
    }

    [Fact]
    public void Top_losers_sort_ascending_with_a_limit()
    {
        var intent = Parse("top 5 losers 4h");
        Assert.Equal("change_4h", intent.Arguments["sortBy"]);
        Assert.Equal("asc", intent.Arguments["sortOrder"]);
        Assert.Equal(5, intent.Arguments["limit"]);
    }

    [Fact]
    public void Analyze_names_symbol_and_timeframe()
    {
        var intent = Parse("analyze SOLUSDT on 15m");
        Assert.Equal("get_coin_analysis", intent.Tool);
        Assert.Equal(new Dictionary<string, object?> { ["symbol"] = "SOLUSDT", ["timeframe"] = "15m" }, intent.Arguments);
    }

    [Fact]
    public void Alert_above_a_price()
    {
        var intent = Parse("alert me when ETHUSDT goes above 4000");
        Assert.Equal("create_alert", intent.Tool);
        Assert.Null(intent.Problem);
        Assert.Equal(new Dictionary<string, object?>
        {
            ["symbol"] = "ETHUSDT", ["condition"] = "price_above", ["value"] = 4000.0, ["recurring"] = false,
        }, intent.Arguments);
    }

    [Theory]
    [InlineData("notify me every time BTC drops below 58.5k", "price_below", 58_500.0, null, true)]
    [InlineData("alert me when SOLUSDT 1h change is above 3%", "change_above", 3.0, "1h", false)]
    [InlineData("tell me when ETH 15m volume goes over 20M", "volume_above", 20_000_000.0, "15m", false)]
    [InlineData("alert me when BTCUSDT rsi goes under 30", "rsi_below", 30.0, null, false)]
    public void Alert_conditions(string text, string condition, double value, string? window, bool recurring)
    {
        var intent = Parse(text);
        Assert.Equal("create_alert", intent.Tool);
        Assert.Equal(condition, intent.Arguments["condition"]);
        Assert.Equal(value, intent.Arguments["value"]);
        Assert.Equal(window, intent.Arguments.GetValueOrDefault("window"));
        Assert.Equal(recurring, intent.Arguments["recurring"]);
    }

    [Fact]
    public void Alert_without_a_coin_asks_which()
    {
        var intent = Parse("alert me when it goes above 4000");
        Assert.Equal("create_alert", intent.Tool);
        Assert.Contains("which coin do you mean?", intent.Problem);
    }

    [Theory]
    [InlineData("add BTC to my watchlist", "BTCUSDT")]
    [InlineData("please add ethusdt to my watch list", "ETHUSDT")]
    [InlineData("add solana to the watchlist", "SOLUSDT")]
    public void Watchlist_additions_complete_the_symbol(string text, string symbol)
    {
        var intent = Parse(text);
        Assert.Equal("add_to_watchlist", intent.Tool);
        Assert.Equal(symbol, intent.Arguments["symbol"]);
    }

    [Theory]
    [InlineData("show my portfolio")]
    [InlineData("what is in my watchlist?")]
    public void Portfolio(string text) => Assert.Equal("get_portfolio", Parse(text).Tool);

    [Theory]
    [InlineData("export that as CSV", "csv")]
    [InlineData("download it as json", "json")]
    [InlineData("export", "csv")]
    public void Export(string text, string format)
    {
        var intent = Parse(text);
        Assert.Equal("export_results", intent.Tool);
        Assert.Equal(format, intent.Arguments["format"]);
    }

    [Fact]
    public void Patterns_with_symbol_and_timeframe()
    {
        var intent = Parse("find patterns on BTCUSDT 1h");
        Assert.Equal("analyze_pattern", intent.Tool);
        Assert.Equal(new Dictionary<string, object?> { ["symbol"] = "BTCUSDT", ["timeframe"] = "1h" }, intent.Arguments);
        Assert.Equal("4h", Parse("any chart patterns on ETH 4 hours?").Arguments["timeframe"]);
    }

    [Theory]
    [InlineData("what's the weather in Paris")]
    [InlineData("tell a joke")]
    [InlineData("")]
    public void Unknown_requests_are_not_guessed(string text) => Assert.Null(LocalIntentParser.Parse(text));

    [Fact]
    public void Common_words_are_not_mistaken_for_coins()
    {
        Assert.Null(LocalIntentParser.ExtractSymbol("find patterns near the link at the top"));
        Assert.Equal("LINKUSDT", LocalIntentParser.ExtractSymbol("analyze LINK"));
    }

    [Theory]
    [InlineData("backtest futures_pioneer_bull over the last 7 days", "futures_pioneer_bull", 7)]
    [InlineData("How did Pioneer Bull do last week?", "futures_pioneer_bull", 7)]
    [InlineData("backtest the 15 big bear preset for the past 3 days", "futures_15_big_bear", 3)]
    [InlineData("backtest 5 big bull", "futures_5_big_bull", 7)]
    [InlineData("how did the bottom hunter perform yesterday", "futures_bottom_hunter", 1)]
    [InlineData("back-test big bull 60 over the last month", "futures_big_bull_60", 30)]
    public void A_backtest_phrase_names_the_preset_and_the_days(string text, string rule, int days)
    {
        var intent = Parse(text);
        Assert.Equal("backtest_preset", intent.Tool);
        Assert.Null(intent.Problem);
        Assert.Equal(new Dictionary<string, object?> { ["rule"] = rule, ["days"] = days }, intent.Arguments);
    }

    [Fact]
    public void A_backtest_without_a_preset_asks_which_and_how_did_a_coin_do_stays_an_analysis()
    {
        var intent = Parse("backtest something over the last 7 days");
        Assert.Equal("backtest_preset", intent.Tool);
        Assert.Contains("futures_pioneer_bull", intent.Problem);
        Assert.Equal("get_coin_analysis", Parse("how did BTC do today").Tool);
    }

    private static LocalIntent Parse(string text) => LocalIntentParser.Parse(text) ?? throw new Xunit.Sdk.XunitException($"not understood: {text}");
}
