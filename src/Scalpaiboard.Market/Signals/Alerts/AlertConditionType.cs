using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Market.Signals.Alerts;

/// <summary>The user alert condition types of CONTRACT.md, and the derivatives ones of DERIVATIVES.md.</summary>
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
    FundingAbove = 11,
    FundingBelow = 12,
    OiChangeAbove = 13,
    OiChangeBelow = 14,
    LiquidationsAbove = 15,
    SupertrendFlip = 16,
    DonchianBreakout = 17,
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
        "funding_above", "funding_below", "oi_change_above", "oi_change_below", "liquidations_above",
        "supertrend_flip", "donchian_breakout",
    ];

    public static readonly string[] DirectionNames = ["any", "up", "down"];

    /// <summary>Wire names of <c>side</c> (liquidations_above): any (both sides added up), long, short.</summary>
    public static readonly string[] SideNames = ["any", "long", "short"];

    /// <summary>The windows the open-interest change is computed over (DERIVATIVES.md).</summary>
    public static readonly Window[] OiChangeWindows = [Window.H1, Window.H4, Window.D1];

    /// <summary>The liquidation windows an alert may watch (DERIVATIVES.md: 5m and 1h).</summary>
    public static readonly Window[] LiquidationWindows = [Window.M5, Window.H1];

    private static readonly Window[] AllWindows = [Window.M5, Window.M15, Window.H1, Window.H4, Window.H8, Window.D1];

    public static string Key(this AlertConditionType type) => Keys[(int)type];

    public static string Name(this CrossDirection direction) => DirectionNames[(int)direction];

    /// <summary>The wire name of a liquidation side; null (both sides) is <c>any</c>.</summary>
    public static string SideName(LiquidationSide? side) => side switch
    {
        LiquidationSide.Long => "long",
        LiquidationSide.Short => "short",
        _ => "any",
    };

    public static bool TryParseSide(string? name, out LiquidationSide? side)
    {
        side = null;
        if (string.Equals(name, "long", StringComparison.OrdinalIgnoreCase))
        {
            side = LiquidationSide.Long;
            return true;
        }
        if (string.Equals(name, "short", StringComparison.OrdinalIgnoreCase))
        {
            side = LiquidationSide.Short;
            return true;
        }
        return string.Equals(name, "any", StringComparison.OrdinalIgnoreCase);
    }

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

    /// <summary>
    /// The rolling windows a type's <c>window</c> may name: all six for change_above, change_below and volume_above,
    /// 1h, 4h, 1d for the open-interest change, 5m and 1h for liquidations; empty for the other types.
    /// </summary>
    public static Window[] RollingWindows(this AlertConditionType type) => type switch
    {
        AlertConditionType.ChangeAbove or AlertConditionType.ChangeBelow or AlertConditionType.VolumeAbove => AllWindows,
        AlertConditionType.OiChangeAbove or AlertConditionType.OiChangeBelow => OiChangeWindows,
        AlertConditionType.LiquidationsAbove => LiquidationWindows,
        _ => [],
    };

    /// <summary>The type takes a rolling <c>window</c> (default 1h): see <see cref="RollingWindows"/>.</summary>
    public static bool UsesRollingWindow(this AlertConditionType type) => type.RollingWindows().Length > 0;

    /// <summary>liquidations_above takes a <c>side</c>: long, short or any (default).</summary>
    public static bool UsesSide(this AlertConditionType type) => type is AlertConditionType.LiquidationsAbove;

    /// <summary>The indicator conditions take a chart timeframe as <c>window</c> (5m..1d, default 1h).</summary>
    public static bool UsesTimeframe(this AlertConditionType type) =>
        type is AlertConditionType.RsiAbove or AlertConditionType.RsiBelow or AlertConditionType.RsiCross
            or AlertConditionType.MacdCross or AlertConditionType.BbBreakout or AlertConditionType.SupertrendFlip
            or AlertConditionType.DonchianBreakout;

    public static bool UsesDirection(this AlertConditionType type) =>
        type is AlertConditionType.PriceCross or AlertConditionType.RsiCross or AlertConditionType.MacdCross
            or AlertConditionType.BbBreakout or AlertConditionType.SupertrendFlip or AlertConditionType.DonchianBreakout;

    /// <summary>
    /// macd_cross, bb_breakout, supertrend_flip and donchian_breakout compare indicators with themselves or the
    /// close; every other type needs a value.
    /// </summary>
    public static bool NeedsValue(this AlertConditionType type) =>
        type is not (AlertConditionType.MacdCross or AlertConditionType.BbBreakout or AlertConditionType.SupertrendFlip
            or AlertConditionType.DonchianBreakout);
}
