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
