using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Market.Backtests;

/// <summary>The direction of a position; the value is the sign of its return.</summary>
public enum TradeSide
{
    Short = -1,
    Long = 1,
}

/// <summary>Why a position was closed (BACKTEST.md), in the order of the summary's <c>exits</c>.</summary>
public enum ExitReason
{
    Target,
    Stop,
    Time,
    End,
}

public static class TradeSides
{
    /// <summary>The bull presets and the bottom hunter go long; the bear presets and the top hunter go short.</summary>
    public static TradeSide Of(PresetType rule) => rule switch
    {
        PresetType.BigBull60 or PresetType.PioneerBull or PresetType.FiveBigBull or PresetType.FifteenBigBull
            or PresetType.BottomHunter => TradeSide.Long,
        PresetType.BigBear60 or PresetType.PioneerBear or PresetType.FiveBigBear or PresetType.FifteenBigBear
            or PresetType.TopHunter => TradeSide.Short,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "not a preset"),
    };

    /// <summary><c>long</c> or <c>short</c>, as trades.csv and the API write it.</summary>
    public static string Key(this TradeSide side) => side == TradeSide.Long ? "long" : "short";
}

public static class ExitReasons
{
    public const int Count = 4;

    /// <summary><c>target</c>, <c>stop</c>, <c>time</c>, <c>end</c>.</summary>
    public static string Key(this ExitReason reason) => reason switch
    {
        ExitReason.Target => "target",
        ExitReason.Stop => "stop",
        ExitReason.Time => "time",
        _ => "end",
    };
}

/// <summary>
/// One simulated trade. Times are Unix ms: the entry is the close of the signal candle (its open time + 1 min), the
/// exit the close of the exit candle. <see cref="Return"/> is a fraction after both sides' fees;
/// <see cref="RMultiple"/> is it divided by the stop distance.
/// </summary>
public sealed record BacktestTrade(
    string Symbol,
    PresetType Rule,
    TradeSide Side,
    long EntryTime,
    double EntryPrice,
    long ExitTime,
    double ExitPrice,
    ExitReason Reason,
    double Return,
    double RMultiple)
{
    /// <summary>The order of BACKTEST.md: exit time, then symbol (ordinal), then entry time.</summary>
    public static int CompareByExit(BacktestTrade? a, BacktestTrade? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }
        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }
        var c = a.ExitTime.CompareTo(b.ExitTime);
        if (c != 0)
        {
            return c;
        }
        c = string.CompareOrdinal(a.Symbol, b.Symbol);
        return c != 0 ? c : a.EntryTime.CompareTo(b.EntryTime);
    }
}
