using System.Text.Json;
using Scalpaiboard.Market.Bars;
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
    public void ToSpec_RoundTripsThroughTheValidator()
    {
        AlertCondition[] conditions =
        [
            new(AlertConditionType.VolumeAbove, 1e6, Window.D1),
            new(AlertConditionType.PriceCross, 3.5, Direction: CrossDirection.Down),
            new(AlertConditionType.MacdCross, Timeframe: Timeframe.M5),
        ];
        var r = AlertConditionValidator.Validate(conditions.Select(c => c.ToSpec()).ToList());
        Assert.Equal(conditions, r.Conditions);
    }
}
