using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals.Alerts;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Signals.Alerts;

public class AlertConditionTests
{
    private static MetricsSnapshot Prices(double previous, double current)
    {
        var s = Snapshot(c1h: 2.5, v1h: 1e6, c5: double.NaN);
        s.PreviousPrice = previous;
        s.Price = current;
        return s;
    }

    [Theory]
    [InlineData(99, 100, 100, CrossDirection.Up, true)]    // reaching the level from below
    [InlineData(99, 101, 100, CrossDirection.Up, true)]
    [InlineData(100, 101, 100, CrossDirection.Up, false)]  // leaving the level does not count again
    [InlineData(99, 101, 100, CrossDirection.Down, false)]
    [InlineData(101, 99, 100, CrossDirection.Down, true)]
    [InlineData(101, 100, 100, CrossDirection.Any, true)]
    [InlineData(101, 102, 100, CrossDirection.Any, false)]
    [InlineData(double.NaN, 101, 100, CrossDirection.Any, false)]
    public void PriceCross_ComparesPreviousAndCurrentWithTheLevel(double previous, double current, double level, CrossDirection direction, bool met) =>
        Assert.Equal(met, new AlertCondition(AlertConditionType.PriceCross, level, Direction: direction).IsMet(Prices(previous, current)));

    [Fact]
    public void PriceAboveAndBelow_AreStrict()
    {
        var s = Prices(1, 100);
        Assert.True(new AlertCondition(AlertConditionType.PriceAbove, 99.99).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.PriceAbove, 100).IsMet(s));
        Assert.True(new AlertCondition(AlertConditionType.PriceBelow, 100.01).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.PriceBelow, 100).IsMet(s));
    }

    [Fact]
    public void ChangeAndVolume_UseTheirWindow_AndAreFalseWhenUnavailable()
    {
        var s = Prices(1, 100);
        Assert.True(new AlertCondition(AlertConditionType.ChangeAbove, 2, Window.H1).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.ChangeBelow, 2, Window.H1).IsMet(s));
        Assert.True(new AlertCondition(AlertConditionType.VolumeAbove, 999_999, Window.H1).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.ChangeAbove, -100, Window.M5).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.ChangeBelow, 100, Window.M5).IsMet(s));
    }

    [Fact]
    public void Indicators_UseTheirTimeframe_AndCrossPreviousToCurrent()
    {
        var s = Prices(100, 105);
        s.PreviousIndicators[(int)Timeframe.M15].Rsi14 = 68;
        s.Indicators[(int)Timeframe.M15].Rsi14 = 72;
        s.PreviousIndicators[(int)Timeframe.M15].Macd = -1;
        s.PreviousIndicators[(int)Timeframe.M15].MacdSignal = 0;
        s.Indicators[(int)Timeframe.M15].Macd = 1;
        s.Indicators[(int)Timeframe.M15].MacdSignal = 0.5;
        s.PreviousIndicators[(int)Timeframe.M15].BbUpper = 101;
        s.Indicators[(int)Timeframe.M15].BbUpper = 104;
        s.Indicators[(int)Timeframe.M15].BbLower = 90;

        Assert.True(new AlertCondition(AlertConditionType.RsiAbove, 70, Timeframe: Timeframe.M15).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.RsiAbove, 70).IsMet(s)); // 1h: unavailable
        Assert.True(new AlertCondition(AlertConditionType.RsiBelow, 73, Timeframe: Timeframe.M15).IsMet(s));
        Assert.True(new AlertCondition(AlertConditionType.RsiCross, 70, Timeframe: Timeframe.M15, Direction: CrossDirection.Up).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.RsiCross, 70, Timeframe: Timeframe.M15, Direction: CrossDirection.Down).IsMet(s));
        Assert.True(new AlertCondition(AlertConditionType.MacdCross, Timeframe: Timeframe.M15, Direction: CrossDirection.Up).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.MacdCross, Timeframe: Timeframe.M15, Direction: CrossDirection.Down).IsMet(s));
        Assert.True(new AlertCondition(AlertConditionType.BbBreakout, Timeframe: Timeframe.M15).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.BbBreakout, Timeframe: Timeframe.M15, Direction: CrossDirection.Down).IsMet(s));

        s.PreviousPrice = 102; // already above the previous upper band: no new breakout
        Assert.False(new AlertCondition(AlertConditionType.BbBreakout, Timeframe: Timeframe.M15).IsMet(s));
    }

    [Theory]
    [InlineData(-1, 1, CrossDirection.Up, true)]
    [InlineData(-1, 1, CrossDirection.Any, true)]
    [InlineData(-1, 1, CrossDirection.Down, false)]
    [InlineData(1, -1, CrossDirection.Down, true)]
    [InlineData(1, -1, CrossDirection.Any, true)]
    [InlineData(1, -1, CrossDirection.Up, false)]
    [InlineData(1, 1, CrossDirection.Any, false)]     // no change: no flip
    [InlineData(-1, -1, CrossDirection.Any, false)]
    [InlineData(double.NaN, 1, CrossDirection.Any, false)] // warm-up just ended: not a flip
    [InlineData(1, double.NaN, CrossDirection.Any, false)]
    public void SupertrendFlip_compares_the_direction_with_the_previous_candle(double previous, double current, CrossDirection direction, bool met)
    {
        var s = Prices(100, 101);
        s.PreviousIndicators[(int)Timeframe.H4].SuperTrendDirection = previous;
        s.Indicators[(int)Timeframe.H4].SuperTrendDirection = current;
        Assert.Equal(met, new AlertCondition(AlertConditionType.SupertrendFlip, Timeframe: Timeframe.H4, Direction: direction).IsMet(s));
        // Another timeframe's direction is not looked at (1h: unavailable).
        Assert.False(new AlertCondition(AlertConditionType.SupertrendFlip, Direction: direction).IsMet(s));
    }

    [Theory]
    [InlineData(99, 101, CrossDirection.Up, true)]     // previous close at or below the previous upper band, close above the current
    [InlineData(100, 101, CrossDirection.Up, true)]
    [InlineData(99, 100, CrossDirection.Up, false)]    // reaching the band is not breaking it
    [InlineData(100.5, 101, CrossDirection.Up, false)] // already above the previous upper band: no new breakout
    [InlineData(99, 101, CrossDirection.Down, false)]
    [InlineData(91, 89, CrossDirection.Down, true)]
    [InlineData(91, 89, CrossDirection.Any, true)]
    [InlineData(91, 89, CrossDirection.Up, false)]
    [InlineData(89.5, 89, CrossDirection.Down, false)] // already below the previous lower band
    public void DonchianBreakout_is_the_close_leaving_the_channel(double previousPrice, double price, CrossDirection direction, bool met)
    {
        var s = Prices(previousPrice, price);
        s.PreviousIndicators[(int)Timeframe.M15].DonchianUpper20 = 100;
        s.PreviousIndicators[(int)Timeframe.M15].DonchianLower20 = 90;
        s.Indicators[(int)Timeframe.M15].DonchianUpper20 = 100;
        s.Indicators[(int)Timeframe.M15].DonchianLower20 = 90;
        Assert.Equal(met, new AlertCondition(AlertConditionType.DonchianBreakout, Timeframe: Timeframe.M15, Direction: direction).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.DonchianBreakout, Timeframe: Timeframe.H4, Direction: direction).IsMet(s));
    }

    [Fact]
    public void Trend_conditions_fire_on_the_engines_values()
    {
        // A market that moves sideways for hours, rises for 100 minutes, then falls: the rise breaks out of the 5m
        // Donchian channel upwards, the fall flips the 5m SuperTrend down and breaks out downwards.
        var engine = new MarketEngine();
        var flipDown = new AlertCondition(AlertConditionType.SupertrendFlip, Timeframe: Timeframe.M5, Direction: CrossDirection.Down);
        var breakoutUp = new AlertCondition(AlertConditionType.DonchianBreakout, Timeframe: Timeframe.M5, Direction: CrossDirection.Up);
        var breakoutDown = new AlertCondition(AlertConditionType.DonchianBreakout, Timeframe: Timeframe.M5, Direction: CrossDirection.Down);
        var start = DateTimeOffset.Parse("2026-01-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var price = 100d;
        List<int> downFlips = [], upBreakouts = [], downBreakouts = [];
        for (var m = 0; m < 600; m++)
        {
            var open = price;
            price = m < 300 ? 100 * (1 + (0.002 * Math.Sin(m / 7d))) : m < 400 ? price * 1.001 : price * 0.999;
            var candle = new Candle(start + (m * Candle.MinuteMs), open, Math.Max(open, price) * 1.0002, Math.Min(open, price) * 0.9998, price, 10, 10 * price, 5, 5, 5 * price);
            var s = engine.OnClosedCandle("AUSDT", candle).Snapshot!;
            if (flipDown.IsMet(s))
            {
                downFlips.Add(m);
                Assert.Equal(-1, s.Indicators[(int)Timeframe.M5].SuperTrendDirection);
                Assert.Equal(1, s.PreviousIndicators[(int)Timeframe.M5].SuperTrendDirection);
            }

            if (breakoutUp.IsMet(s))
            {
                upBreakouts.Add(m);
                Assert.True(s.Price > s.Indicators[(int)Timeframe.M5].DonchianUpper20);
            }

            if (breakoutDown.IsMet(s))
            {
                downBreakouts.Add(m);
            }
        }

        Assert.Contains(upBreakouts, m => m is >= 300 and < 330);
        Assert.DoesNotContain(downFlips, m => m is >= 330 and < 400); // no flip down while it rises
        Assert.Contains(downFlips, m => m is >= 400 and < 480);
        Assert.Contains(downBreakouts, m => m is >= 400 and < 480);
        Assert.DoesNotContain(upBreakouts, m => m >= 420);
    }

    [Fact]
    public void Evaluator_AndsAllConditions()
    {
        var s = Prices(1, 100);
        AlertCondition above = new(AlertConditionType.PriceAbove, 50), change = new(AlertConditionType.ChangeAbove, 2);
        Assert.True(AlertEvaluator.Matches([above, change], s));
        Assert.False(AlertEvaluator.Matches([above, change, new(AlertConditionType.PriceBelow, 50)], s));
        Assert.False(AlertEvaluator.Matches([], s));
    }

    /// <summary>A snapshot with derivatives: funding 0.0612 %, OI change +12.5 % (1h), -3 % (4h), unavailable (1d), liquidations.</summary>
    private static MetricsSnapshot Derivatives()
    {
        var s = Prices(99, 100);
        ref var d = ref s.Derivatives;
        d.FundingRate = 0.000612;
        d.OiChange1h = 12.5;
        d.OiChange4h = -3;
        d.LiquidationsLong5m = 250_000;
        d.LiquidationsShort5m = 50_000;
        d.LiquidationsLong1h = 1_200_000;
        d.LiquidationsShort1h = 900_000;
        return s;
    }

    [Theory]
    [InlineData(AlertConditionType.FundingAbove, 0.0005, true)]
    [InlineData(AlertConditionType.FundingAbove, 0.000612, false)] // strict
    [InlineData(AlertConditionType.FundingAbove, 0.001, false)]
    [InlineData(AlertConditionType.FundingBelow, 0.001, true)]
    [InlineData(AlertConditionType.FundingBelow, 0.000612, false)]
    [InlineData(AlertConditionType.FundingBelow, -0.0001, false)]
    public void Funding_ComparesTheRateAsAFraction(AlertConditionType type, double value, bool met) =>
        Assert.Equal(met, new AlertCondition(type, value).IsMet(Derivatives()));

    [Theory]
    [InlineData(AlertConditionType.OiChangeAbove, 10, Window.H1, true)]
    [InlineData(AlertConditionType.OiChangeAbove, 12.5, Window.H1, false)]
    [InlineData(AlertConditionType.OiChangeAbove, 10, Window.H4, false)]
    [InlineData(AlertConditionType.OiChangeBelow, -2, Window.H4, true)]
    [InlineData(AlertConditionType.OiChangeBelow, 20, Window.H1, true)]
    [InlineData(AlertConditionType.OiChangeBelow, 1e9, Window.D1, false)]   // unavailable
    [InlineData(AlertConditionType.OiChangeAbove, -1e9, Window.D1, false)]  // unavailable
    [InlineData(AlertConditionType.OiChangeAbove, -1e9, Window.M15, false)] // not an open-interest window
    public void OiChange_UsesItsWindow_AndIsFalseWhenUnavailable(AlertConditionType type, double value, Window window, bool met) =>
        Assert.Equal(met, new AlertCondition(type, value, window).IsMet(Derivatives()));

    [Theory]
    [InlineData(Window.M5, null, 299_999, true)]   // 250k + 50k
    [InlineData(Window.M5, null, 300_000, false)]
    [InlineData(Window.M5, LiquidationSide.Long, 200_000, true)]
    [InlineData(Window.M5, LiquidationSide.Short, 200_000, false)]
    [InlineData(Window.H1, LiquidationSide.Short, 800_000, true)]
    [InlineData(Window.H1, LiquidationSide.Long, 1_200_000, false)]
    [InlineData(Window.H1, null, 2_000_000, true)]
    [InlineData(Window.D1, null, 0, false)]        // alerts watch 5m and 1h only
    public void Liquidations_UseTheirWindowAndSide(Window window, LiquidationSide? side, double value, bool met) =>
        Assert.Equal(met, new AlertCondition(AlertConditionType.LiquidationsAbove, value, window, Side: side).IsMet(Derivatives()));

    [Fact]
    public void Derivatives_conditions_never_fire_on_unavailable_values()
    {
        var s = Prices(99, 100); // derivatives all NaN
        AlertCondition[] conditions =
        [
            new(AlertConditionType.FundingAbove, -MaxFunding), new(AlertConditionType.FundingBelow, MaxFunding),
            new(AlertConditionType.OiChangeAbove, -100), new(AlertConditionType.OiChangeBelow, 1e12, Window.D1),
            new(AlertConditionType.LiquidationsAbove, 0, Window.M5), new(AlertConditionType.LiquidationsAbove, 0, Side: LiquidationSide.Long),
        ];
        Assert.All(conditions, c => Assert.False(c.IsMet(s), c.ToString()));

        // one side unavailable: "any" adds both, so it is unavailable too
        s.Derivatives.LiquidationsLong1h = 5_000_000;
        Assert.True(new AlertCondition(AlertConditionType.LiquidationsAbove, 0, Side: LiquidationSide.Long).IsMet(s));
        Assert.False(new AlertCondition(AlertConditionType.LiquidationsAbove, 0).IsMet(s));
    }

    private const double MaxFunding = AlertConditionValidator.MaxFundingRate;

    [Fact]
    public void Describe_says_the_value_and_the_threshold()
    {
        var s = Derivatives();
        Assert.Equal("funding 0.0612 % above 0.05 %", new AlertCondition(AlertConditionType.FundingAbove, 0.0005).Describe(s));
        Assert.Equal("funding 0.0612 % below 0.1 %", new AlertCondition(AlertConditionType.FundingBelow, 0.001).Describe(s));
        Assert.Equal("OI change 1h 12.5 % above 10 %", new AlertCondition(AlertConditionType.OiChangeAbove, 10).Describe(s));
        Assert.Equal("OI change 1d n/a below 5 %", new AlertCondition(AlertConditionType.OiChangeBelow, 5, Window.D1).Describe(s));
        Assert.Equal("long liquidations 5m 250,000 USDT above 100,000 USDT",
            new AlertCondition(AlertConditionType.LiquidationsAbove, 100_000, Window.M5, Side: LiquidationSide.Long).Describe(s));
        Assert.Equal("liquidations 1h 2,100,000 USDT above 1,000,000 USDT",
            new AlertCondition(AlertConditionType.LiquidationsAbove, 1_000_000).Describe(s));
        Assert.Equal("price 100 above 99.5 and funding 0.0612 % above 0.05 %",
            AlertEvaluator.Describe([new(AlertConditionType.PriceAbove, 99.5), new(AlertConditionType.FundingAbove, 0.0005)], s));
    }
}
