namespace Scalpaiboard.Market.Signals.Alerts;

/// <summary>The user alert condition types of CONTRACT.md.</summary>
public enum AlertConditionType
{
    PriceAbove = 0,
    PriceBelow = 1,
    PriceCross = 2,
    ChangeAbove = 3,
    ChangeBelow = 4,
    VolumeAbove = 5,
    RsiAbove = 6,
    RsiBelow = 7,
    RsiCross = 8,
    MacdCross = 9,
    BbBreakout = 10,
}

/// <summary>Which way a crossing or breakout must go.</summary>
public enum CrossDirection
{
    Any = 0,
    Up = 1,
    Down = 2,
}

public static class AlertConditionTypes
{
    /// <summary>Wire names (<c>type</c> in the API), indexed by <see cref="AlertConditionType"/>.</summary>
    public static readonly string[] Keys =
    [
        "price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above",
        "rsi_above", "rsi_below", "rsi_cross", "macd_cross", "bb_breakout",
    ];

    public static readonly string[] DirectionNames = ["any", "up", "down"];

    public static string Key(this AlertConditionType type) => Keys[(int)type];

    public static string Name(this CrossDirection direction) => DirectionNames[(int)direction];

    public static bool TryParse(string? key, out AlertConditionType type)
    {
        for (var i = 0; i < Keys.Length; i++)
        {
            if (string.Equals(Keys[i], key, StringComparison.OrdinalIgnoreCase))
            {
                type = (AlertConditionType)i;
                return true;
            }
        }
        type = default;
        return false;
    }

    public static bool TryParseDirection(string? name, out CrossDirection direction)
    {
        for (var i = 0; i < DirectionNames.Length; i++)
        {
            if (string.Equals(DirectionNames[i], name, StringComparison.OrdinalIgnoreCase))
            {
                direction = (CrossDirection)i;
                return true;
            }
        }
        direction = default;
        return false;
    }

    /// <summary>change_above, change_below and volume_above take a rolling <c>window</c> (5m..1d).</summary>
    public static bool UsesRollingWindow(this AlertConditionType type) =>
        type is AlertConditionType.ChangeAbove or AlertConditionType.ChangeBelow or AlertConditionType.VolumeAbove;

    /// <summary>The indicator conditions take a chart timeframe as <c>window</c> (5m..1d, default 1h).</summary>
    public static bool UsesTimeframe(this AlertConditionType type) =>
        type is AlertConditionType.RsiAbove or AlertConditionType.RsiBelow or AlertConditionType.RsiCross
            or AlertConditionType.MacdCross or AlertConditionType.BbBreakout;

    public static bool UsesDirection(this AlertConditionType type) =>
        type is AlertConditionType.PriceCross or AlertConditionType.RsiCross or AlertConditionType.MacdCross
            or AlertConditionType.BbBreakout;

    /// <summary>macd_cross and bb_breakout compare the indicator with itself; every other type needs a value.</summary>
    public static bool NeedsValue(this AlertConditionType type) =>
        type is not (AlertConditionType.MacdCross or AlertConditionType.BbBreakout);
}
