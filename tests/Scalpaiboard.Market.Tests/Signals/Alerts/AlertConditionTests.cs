using Scalpaiboard.Market.Bars;
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
}
