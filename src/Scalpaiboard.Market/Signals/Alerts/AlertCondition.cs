using Scalpaiboard.Market.Bars;
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
/// </list>
/// </summary>
public sealed record AlertCondition(
    AlertConditionType Type,
    double Value = 0,
    Window Window = Window.H1,
    Timeframe Timeframe = Timeframe.H1,
    CrossDirection Direction = CrossDirection.Any)
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
            _ => false,
        };
    }

    /// <summary>The wire form (what the API stores and returns).</summary>
    public AlertConditionSpec ToSpec() => new(
        Type.Key(),
        Type.NeedsValue() ? Value : null,
        Type.UsesRollingWindow() ? Window.Name() : Type.UsesTimeframe() ? Timeframe.Name() : null,
        Type.UsesDirection() ? Direction.Name() : null);

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
        var up = s.Price > now.BbUpper && s.PreviousPrice <= before.BbUpper;
        var down = s.Price < now.BbLower && s.PreviousPrice >= before.BbLower;
        return direction switch
        {
            CrossDirection.Up => up,
            CrossDirection.Down => down,
            _ => up || down,
        };
    }
}

/// <summary>
/// A condition as the API receives and returns it: <c>{"type", "value", "window", "direction"}</c>.
/// <c>window</c> is a rolling window for change/volume (5m|15m|1h|4h|8h|1d) or a chart timeframe for the indicator
/// conditions (the same names as timeframes: the bars the indicators are computed on); both default to 1h. <c>direction</c> is up|down|any (default any).
/// </summary>
public sealed record AlertConditionSpec(string? Type, double? Value = null, string? Window = null, string? Direction = null);

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
}
