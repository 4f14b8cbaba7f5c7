namespace Scalpaiboard.Market.Backtests;

/// <summary>Closed trades by reason (the summary's <c>exits</c>).</summary>
public sealed record ExitCounts(int Target, int Stop, int Time, int End);

/// <summary>
/// The statistics of BACKTEST.md under its field names (camelCase on the wire). Null where it says null: win rate,
/// average R and average hold with no trade, profit factor when no trade lost money, Sharpe with fewer than two days
/// or no spread in the daily returns.
/// </summary>
public sealed record BacktestSummary(
    int Trades,
    int Wins,
    int Losses,
    double? WinRate,
    double? ProfitFactor,
    double TotalReturnPct,
    double MaxDrawdownPct,
    double? Sharpe,
    double? AvgR,
    double? AvgHoldMinutes,
    ExitCounts Exits,
    int SkippedSignals);

/// <summary>A point of the equity curve: after the trades that exited up to <see cref="Time"/>, their summed return.</summary>
public readonly record struct EquityPoint(long Time, double CumulativeReturnPct);
