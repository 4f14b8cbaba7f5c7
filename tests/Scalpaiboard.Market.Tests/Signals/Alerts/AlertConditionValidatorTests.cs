using System.Text.Json;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals.Alerts;

namespace Scalpaiboard.Market.Tests.Signals.Alerts;

public class AlertConditionValidatorTests
{
    private static AlertValidationResult Json(string json) =>
        AlertConditionValidator.Validate(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void Valid_Conditions_AreParsedWithDefaults()
    {
        var r = Json("""
            [{"type": "price_above", "value": 65000},
             {"type": "change_above", "value": -1.5, "window": "15m"},
             {"type": "rsi_cross", "value": 30, "direction": "up"},
             {"Type": "bb_breakout", "Window": "4h"}]
            """);
        Assert.True(r.IsValid);
        Assert.Equal(
        [
            new AlertCondition(AlertConditionType.PriceAbove, 65000),
            new AlertCondition(AlertConditionType.ChangeAbove, -1.5, Window.M15),
            new AlertCondition(AlertConditionType.RsiCross, 30, Timeframe: Timeframe.H1, Direction: CrossDirection.Up),
            new AlertCondition(AlertConditionType.BbBreakout, Timeframe: Timeframe.H4),
        ], r.Conditions);
    }

    [Theory]
    [InlineData("""[{"type": "no_such_thing", "value": "x"}]""", "conditions[0].type")]
    [InlineData("""[{"value": 1}]""", "conditions[0].type")]
    [InlineData("""[{"type": "price_above"}]""", "conditions[0].value")]
    [InlineData("""[{"type": "price_above", "value": "x"}]""", "conditions[0].value")]
    [InlineData("""[{"type": "price_below", "value": -5}]""", "conditions[0].value")]
    [InlineData("""[{"type": "rsi_above", "value": 101}]""", "conditions[0].value")]
    [InlineData("""[{"type": "price_above", "value": 1}, {"type": "volume_above", "value": 5, "window": "2h"}]""", "conditions[1].window")]
    [InlineData("""[{"type": "macd_cross", "window": "2h"}]""", "conditions[0].window")]
    [InlineData("""[{"type": "macd_cross", "direction": "sideways"}]""", "conditions[0].direction")]
    [InlineData("""[{"type": "rsi_below", "value": 30, "window": "1m"}]""", "conditions[0].window")]
    [InlineData("""[{"type": "funding_above"}]""", "conditions[0].value")]
    [InlineData("""[{"type": "funding_below", "value": 0.5}]""", "conditions[0].value")]
    [InlineData("""[{"type": "funding_above", "value": "0.05%"}]""", "conditions[0].value")]
    [InlineData("""[{"type": "oi_change_above", "value": 5, "window": "5m"}]""", "conditions[0].window")]
    [InlineData("""[{"type": "oi_change_below", "value": 5, "window": "8h"}]""", "conditions[0].window")]
    [InlineData("""[{"type": "oi_change_below", "value": -150}]""", "conditions[0].value")]
    [InlineData("""[{"type": "oi_change_above", "window": "4h"}]""", "conditions[0].value")]
    [InlineData("""[{"type": "liquidations_above", "value": 1000000, "window": "4h"}]""", "conditions[0].window")]
    [InlineData("""[{"type": "liquidations_above", "value": 1000000, "side": "both"}]""", "conditions[0].side")]
    [InlineData("""[{"type": "liquidations_above", "value": 1000000, "side": 1}]""", "conditions[0].side")]
    [InlineData("""[{"type": "liquidations_above", "value": -1}]""", "conditions[0].value")]
    [InlineData("""[{"type": "price_above", "value": 1}, {"type": "liquidations_above", "value": 5, "window": "1d", "side": "long"}]""", "conditions[1].window")]
    [InlineData("""[{"type": "supertrend_flip", "window": "2h"}]""", "conditions[0].window")]
    [InlineData("""[{"type": "supertrend_flip", "window": "1m"}]""", "conditions[0].window")]
    [InlineData("""[{"type": "supertrend_flip", "direction": "long"}]""", "conditions[0].direction")]
    [InlineData("""[{"type": "donchian_breakout", "window": 4}]""", "conditions[0].window")]
    [InlineData("""[{"type": "donchian_breakout", "direction": "sideways"}]""", "conditions[0].direction")]
    [InlineData("""[]""", "conditions")]
    [InlineData("""{"type": "price_above"}""", "conditions")]
    [InlineData("""[42]""", "conditions[0]")]
    public void Invalid_Conditions_NameTheField(string json, string field)
    {
        var r = Json(json);
        Assert.False(r.IsValid);
        Assert.Empty(r.Conditions);
        Assert.Contains(field, r.ToProblemErrors().Keys);
    }

    [Fact]
    public void WindowError_ListsTheValidWindows()
    {
        var r = AlertConditionValidator.Validate([new AlertConditionSpec("change_above", 1, "7m")]);
        var error = Assert.Single(r.Errors);
        Assert.Equal(new AlertValidationError("conditions[0].window", "must be one of 5m, 15m, 1h, 4h, 8h, 1d"), error);
    }

    [Fact]
    public void Derivatives_conditions_are_parsed_with_their_window_and_side()
    {
        var r = Json("""
            [{"type": "funding_above", "value": 0.0005},
             {"type": "funding_below", "value": -0.0002, "window": "ignored", "side": "ignored"},
             {"type": "oi_change_above", "value": 10},
             {"type": "oi_change_below", "value": -5, "window": "1D"},
             {"type": "liquidations_above", "value": 1000000, "window": "5m", "side": "Long"},
             {"type": "liquidations_above", "value": 0}]
            """);
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        Assert.Equal(
        [
            new AlertCondition(AlertConditionType.FundingAbove, 0.0005),
            new AlertCondition(AlertConditionType.FundingBelow, -0.0002),
            new AlertCondition(AlertConditionType.OiChangeAbove, 10, Window.H1),
            new AlertCondition(AlertConditionType.OiChangeBelow, -5, Window.D1),
            new AlertCondition(AlertConditionType.LiquidationsAbove, 1e6, Window.M5, Side: LiquidationSide.Long),
            new AlertCondition(AlertConditionType.LiquidationsAbove, 0, Window.H1, Side: null),
        ], r.Conditions);
    }

    [Fact]
    public void Derivatives_window_and_side_errors_list_what_is_allowed()
    {
        var r = AlertConditionValidator.Validate(
        [
            new AlertConditionSpec("oi_change_above", 1, "15m"),
            new AlertConditionSpec("liquidations_above", 1, "1d", Side: "sideways"),
            new AlertConditionSpec("funding_above", 5),
        ]);
        Assert.Equal(
        [
            new AlertValidationError("conditions[0].window", "must be one of 1h, 4h, 1d"),
            new AlertValidationError("conditions[1].window", "must be one of 5m, 1h"),
            new AlertValidationError("conditions[1].side", "must be one of any, long, short"),
            new AlertValidationError("conditions[2].value", "must be a funding rate as a fraction between -0.1 and 0.1 (0.0005 = 0.05 %)"),
        ], r.Errors);
    }

    [Fact]
    public void Trend_conditions_take_a_timeframe_and_a_direction_and_no_value()
    {
        var r = Json("""
            [{"type": "supertrend_flip", "window": "4h", "direction": "up"},
             {"type": "supertrend_flip"},
             {"type": "donchian_breakout", "window": "15m", "direction": "down", "value": 5},
             {"type": "DONCHIAN_BREAKOUT", "window": "1d"}]
            """);
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        Assert.Equal(
        [
            new AlertCondition(AlertConditionType.SupertrendFlip, Timeframe: Timeframe.H4, Direction: CrossDirection.Up),
            new AlertCondition(AlertConditionType.SupertrendFlip, Timeframe: Timeframe.H1),
            new AlertCondition(AlertConditionType.DonchianBreakout, Timeframe: Timeframe.M15, Direction: CrossDirection.Down),
            new AlertCondition(AlertConditionType.DonchianBreakout, Timeframe: Timeframe.D1),
        ], r.Conditions);
        Assert.Equal(new AlertConditionSpec("supertrend_flip", null, "4h", "up"), r.Conditions[0].ToSpec());
        Assert.Equal(new AlertConditionSpec("donchian_breakout", null, "15m", "down"), r.Conditions[2].ToSpec());
    }

    [Fact]
    public void ToSpec_RoundTripsThroughTheValidator()
    {
        AlertCondition[] conditions =
        [
            new(AlertConditionType.VolumeAbove, 1e6, Window.D1),
            new(AlertConditionType.PriceCross, 3.5, Direction: CrossDirection.Down),
            new(AlertConditionType.MacdCross, Timeframe: Timeframe.M5),
            new(AlertConditionType.FundingBelow, -0.0003),
            new(AlertConditionType.OiChangeAbove, 7.5, Window.H4),
            new(AlertConditionType.LiquidationsAbove, 5e5, Window.M5, Side: LiquidationSide.Short),
            new(AlertConditionType.LiquidationsAbove, 5e5, Window.H1),
            new(AlertConditionType.SupertrendFlip, Timeframe: Timeframe.M15, Direction: CrossDirection.Down),
            new(AlertConditionType.DonchianBreakout, Timeframe: Timeframe.H8),
        ];
        var specs = conditions.Select(c => c.ToSpec()).ToList();
        Assert.Equal(new AlertConditionSpec("liquidations_above", 5e5, "5m", null, "short"), specs[5]);
        Assert.Equal(new AlertConditionSpec("funding_below", -0.0003), specs[3]);
        var r = AlertConditionValidator.Validate(specs);
        Assert.Equal(conditions, r.Conditions);
    }
}
