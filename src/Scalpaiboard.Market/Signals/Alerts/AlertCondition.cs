using System.Globalization;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Market.Signals.Alerts;

/// <summary>
/// One validated user alert condition (build it with <see cref="AlertConditionValidator"/>), evaluated on the
/// snapshot of a closed candle. An unavailable metric (NaN) makes the condition false.
/// <list type="bullet">
/// <item>price_above / price_below: close &gt; / &lt; value.</item>
/// <item>price_cross: the close crossed the level between the previous and this candle. Up: previous &lt; level
/// and current &gt;= level; down: previous &gt; level and current &lt;= level. Reaching the level counts as the
/// cross; leaving it again does not count a second time.</item>
/// <item>change_above / change_below / volume_above: change_T (%) or volume_T (quote) of <see cref="Window"/>.</item>
/// <item>rsi_above / rsi_below / rsi_cross: RSI(14) of <see cref="Timeframe"/> (crossing as for the price).</item>
/// <item>macd_cross: the MACD line crossing its signal line (up: from below), i.e. MACD - signal crossing 0.</item>
/// <item>bb_breakout: the close leaving the Bollinger band (20, 2): up when it closes above the upper band having
/// been at or below it on the previous candle, down the mirror image at the lower band.</item>
/// <item>supertrend_flip: SuperTrend(14, 3)'s direction changed between the previous and this candle (up: from a
/// down trend to an up trend).</item>
/// <item>donchian_breakout: the close leaving the Donchian channel (20) of the 20 bars before the forming one: up
/// when it closes above the upper band having been at or below it (as it was then) on the previous candle, down the
/// mirror image at the lower band.</item>
/// <item>funding_above / funding_below: the funding rate (a fraction, 0.0005 = 0.05 %) &gt; / &lt; value.</item>
/// <item>oi_change_above / oi_change_below: the open-interest change (%) over <see cref="Window"/> (1h, 4h, 1d).</item>
/// <item>liquidations_above: the USDT notional liquidated in <see cref="Window"/> (5m, 1h) on <see cref="Side"/>
/// (long, short; null = both added up) &gt; value.</item>
/// </list>
/// Like price_above, the *_above / *_below types are states, not crossings: they hold on every closed candle on
/// which the comparison is true (an alert's once/cooldown rules decide how often that notifies).
/// </summary>
public sealed record AlertCondition(
    AlertConditionType Type,
    double Value = 0,
    Window Window = Window.H1,
    Timeframe Timeframe = Timeframe.H1,
    CrossDirection Direction = CrossDirection.Any,
    LiquidationSide? Side = null)
{
    public bool IsMet(MetricsSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var w = (int)Window;
        var tf = (int)Timeframe;
        return Type switch
        {
            AlertConditionType.PriceAbove => s.Price > Value,
            AlertConditionType.PriceBelow => s.Price < Value,
            AlertConditionType.PriceCross => Crossed(s.PreviousPrice, s.Price, Value, Direction),
            AlertConditionType.ChangeAbove => s.Change[w] > Value,
            AlertConditionType.ChangeBelow => s.Change[w] < Value,
            AlertConditionType.VolumeAbove => s.QuoteVolume[w] > Value,
            AlertConditionType.RsiAbove => s.Indicators[tf].Rsi14 > Value,
            AlertConditionType.RsiBelow => s.Indicators[tf].Rsi14 < Value,
            AlertConditionType.RsiCross => Crossed(s.PreviousIndicators[tf].Rsi14, s.Indicators[tf].Rsi14, Value, Direction),
            AlertConditionType.MacdCross => Crossed(
                s.PreviousIndicators[tf].Macd - s.PreviousIndicators[tf].MacdSignal,
                s.Indicators[tf].Macd - s.Indicators[tf].MacdSignal, 0, Direction),
            AlertConditionType.BbBreakout => BrokeOut(s, tf, Direction),
            AlertConditionType.SupertrendFlip => Crossed(
                s.PreviousIndicators[tf].SuperTrendDirection, s.Indicators[tf].SuperTrendDirection, 0, Direction),
            AlertConditionType.DonchianBreakout => BrokeOutOfDonchian(s, tf, Direction),
            AlertConditionType.FundingAbove => s.Derivatives.FundingRate > Value,
            AlertConditionType.FundingBelow => s.Derivatives.FundingRate < Value,
            AlertConditionType.OiChangeAbove => OiChange(s) > Value,
            AlertConditionType.OiChangeBelow => OiChange(s) < Value,
            AlertConditionType.LiquidationsAbove => Liquidations(s) > Value,
            _ => false,
        };
    }

    /// <summary>The wire form (what the API stores and returns).</summary>
    public AlertConditionSpec ToSpec() => new(
        Type.Key(),
        Type.NeedsValue() ? Value : null,
        Type.UsesRollingWindow() ? Window.Name() : Type.UsesTimeframe() ? Timeframe.Name() : null,
        Type.UsesDirection() ? Direction.Name() : null,
        Type.UsesSide() ? AlertConditionTypes.SideName(Side) : null);

    /// <summary>
    /// The condition in words with the value it watched on <paramref name="s"/>, for the message of a fired alert,
    /// e.g. <c>funding 0.0612 % above 0.05 %</c> or <c>OI change 1h 12.5 % above 10 %</c>; n/a for an unavailable value.
    /// </summary>
    public string Describe(MetricsSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var w = (int)Window;
        var tf = (int)Timeframe;
        var window = Window.Name();
        var timeframe = Timeframe.Name();
        return Type switch
        {
            AlertConditionType.PriceAbove => $"price {Price(s.Price)} above {Price(Value)}",
            AlertConditionType.PriceBelow => $"price {Price(s.Price)} below {Price(Value)}",
            AlertConditionType.PriceCross => $"price {Price(s.PreviousPrice)} -> {Price(s.Price)} crossed {Price(Value)}",
            AlertConditionType.ChangeAbove => $"change {window} {Percent(s.Change[w])} above {Percent(Value)}",
            AlertConditionType.ChangeBelow => $"change {window} {Percent(s.Change[w])} below {Percent(Value)}",
            AlertConditionType.VolumeAbove => $"volume {window} {Usdt(s.QuoteVolume[w])} above {Usdt(Value)}",
            AlertConditionType.RsiAbove => $"RSI {timeframe} {Level(s.Indicators[tf].Rsi14)} above {Level(Value)}",
            AlertConditionType.RsiBelow => $"RSI {timeframe} {Level(s.Indicators[tf].Rsi14)} below {Level(Value)}",
            AlertConditionType.RsiCross =>
                $"RSI {timeframe} {Level(s.PreviousIndicators[tf].Rsi14)} -> {Level(s.Indicators[tf].Rsi14)} crossed {Level(Value)}",
            AlertConditionType.MacdCross => $"MACD {timeframe} crossed its signal ({Direction.Name()})",
            AlertConditionType.BbBreakout => $"close {Price(s.Price)} broke out of the Bollinger band {timeframe} ({Direction.Name()})",
            AlertConditionType.SupertrendFlip =>
                $"SuperTrend {timeframe} flipped {(s.Indicators[tf].SuperTrendDirection > 0 ? "up" : "down")} ({Price(s.Indicators[tf].SuperTrend)})",
            AlertConditionType.DonchianBreakout =>
                $"close {Price(s.Price)} broke out of the Donchian channel {timeframe} ({Price(s.Indicators[tf].DonchianLower20)} .. {Price(s.Indicators[tf].DonchianUpper20)}, {Direction.Name()})",
            AlertConditionType.FundingAbove => $"funding {FundingPercent(s.Derivatives.FundingRate)} above {FundingPercent(Value)}",
            AlertConditionType.FundingBelow => $"funding {FundingPercent(s.Derivatives.FundingRate)} below {FundingPercent(Value)}",
            AlertConditionType.OiChangeAbove => $"OI change {window} {Percent(OiChange(s))} above {Percent(Value)}",
            AlertConditionType.OiChangeBelow => $"OI change {window} {Percent(OiChange(s))} below {Percent(Value)}",
            AlertConditionType.LiquidationsAbove =>
                $"{(Side is null ? "" : AlertConditionTypes.SideName(Side) + " ")}liquidations {window} {Usdt(Liquidations(s))} above {Usdt(Value)}",
            _ => Type.Key(),
        };
    }

    /// <summary>The open-interest change of the condition's window; NaN for a window it is not computed over.</summary>
    private double OiChange(MetricsSnapshot s) => Window switch
    {
        Window.H1 => s.Derivatives.OiChange(OiWindow.H1),
        Window.H4 => s.Derivatives.OiChange(OiWindow.H4),
        Window.D1 => s.Derivatives.OiChange(OiWindow.D1),
        _ => double.NaN,
    };

    /// <summary>The liquidated notional of the condition's window and side; NaN for a window alerts do not watch.</summary>
    private double Liquidations(MetricsSnapshot s) => Window switch
    {
        Window.M5 => s.Derivatives.Liquidations(LiquidationWindow.M5, Side),
        Window.H1 => s.Derivatives.Liquidations(LiquidationWindow.H1, Side),
        _ => double.NaN,
    };

    private static string Price(double v) => Format(v, "0.########");

    private static string Level(double v) => Format(v, "0.##");

    private static string Percent(double v) => double.IsFinite(v) ? Format(v, "0.##") + " %" : "n/a";

    private static string FundingPercent(double fraction) => double.IsFinite(fraction) ? Format(fraction * 100, "0.####") + " %" : "n/a";

    private static string Usdt(double v) => double.IsFinite(v) ? Format(v, "#,0") + " USDT" : "n/a";

    private static string Format(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    /// <summary>True when <paramref name="previous"/> -&gt; <paramref name="current"/> crosses (or reaches) the level.</summary>
    public static bool Crossed(double previous, double current, double level, CrossDirection direction)
    {
        if (double.IsNaN(previous) || double.IsNaN(current))
        {
            return false;
        }
        var up = previous < level && current >= level;
        var down = previous > level && current <= level;
        return direction switch
        {
            CrossDirection.Up => up,
            CrossDirection.Down => down,
            _ => up || down,
        };
    }

    private static bool BrokeOut(MetricsSnapshot s, int tf, CrossDirection direction)
    {
        ref readonly var now = ref s.Indicators[tf];
        ref readonly var before = ref s.PreviousIndicators[tf];
        return BrokeOut(s.PreviousPrice, s.Price, before.BbUpper, now.BbUpper, before.BbLower, now.BbLower, direction);
    }

    private static bool BrokeOutOfDonchian(MetricsSnapshot s, int tf, CrossDirection direction)
    {
        ref readonly var now = ref s.Indicators[tf];
        ref readonly var before = ref s.PreviousIndicators[tf];
        return BrokeOut(s.PreviousPrice, s.Price, before.DonchianUpper20, now.DonchianUpper20, before.DonchianLower20, now.DonchianLower20, direction);
    }

    /// <summary>The close above the upper band now, at or below it (as it was) on the previous candle; the mirror image below.</summary>
    private static bool BrokeOut(double previousPrice, double price, double upperBefore, double upperNow, double lowerBefore, double lowerNow, CrossDirection direction)
    {
        var up = price > upperNow && previousPrice <= upperBefore;
        var down = price < lowerNow && previousPrice >= lowerBefore;
        return direction switch
        {
            CrossDirection.Up => up,
            CrossDirection.Down => down,
            _ => up || down,
        };
    }
}

/// <summary>
/// A condition as the API receives and returns it: <c>{"type", "value", "window", "direction", "side"}</c>.
/// <c>window</c> is a rolling window for change/volume (5m|15m|1h|4h|8h|1d), the open-interest change (1h|4h|1d) and
/// liquidations (5m|1h), or a chart timeframe for the indicator conditions (the same names as timeframes: the bars the
/// indicators are computed on); all default to 1h. <c>direction</c> is up|down|any (default any); <c>side</c>
/// (liquidations) is long|short|any (default any).
/// </summary>
public sealed record AlertConditionSpec(string? Type, double? Value = null, string? Window = null, string? Direction = null, string? Side = null);

/// <summary>All conditions of one alert AND-ed.</summary>
public static class AlertEvaluator
{
    /// <summary>True when every condition holds on the snapshot (false for an empty list).</summary>
    public static bool Matches(IReadOnlyList<AlertCondition> conditions, MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        if (conditions.Count == 0)
        {
            return false;
        }
        for (var i = 0; i < conditions.Count; i++)
        {
            if (!conditions[i].IsMet(snapshot))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The message of a fired alert: every condition in words with its value (<see cref="AlertCondition.Describe"/>), AND-ed.</summary>
    public static string Describe(IReadOnlyList<AlertCondition> conditions, MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var parts = new string[conditions.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = conditions[i].Describe(snapshot);
        }
        return string.Join(" and ", parts);
    }
}
