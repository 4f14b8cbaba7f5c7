namespace Scalpaiboard.Market.Backtests;

/// <summary>
/// What a backtest gives: the trades in BACKTEST.md's order (exit time, then symbol), their statistics and equity
/// curve, and what was read on the way.
/// </summary>
/// <param name="Parameters">The inputs it ran with.</param>
/// <param name="Trades">Ordered by exit time, then symbol.</param>
/// <param name="Summary">The statistics of the trades.</param>
/// <param name="Equity">Cumulative return in percent after each trade, at its exit time.</param>
/// <param name="Signals">Signals of the rule in the period (traded or skipped).</param>
/// <param name="Symbols">Symbols run.</param>
/// <param name="Candles">Candles read, the warm-up before the period included.</param>
/// <param name="PeriodStart"><c>From</c>, or the first candle of the period; null when neither exists.</param>
/// <param name="PeriodEnd"><c>To</c>, or the close of the last candle of the period; null when neither exists.</param>
/// <param name="Rejected">Candles older than their symbol's latest (out of order), ignored by the engine.</param>
/// <param name="Duplicates">Candles identical to one already read, ignored.</param>
/// <param name="Gaps">Missing minutes after which the engine's windows restarted.</param>
public sealed record BacktestResult(
    BacktestParameters Parameters,
    IReadOnlyList<BacktestTrade> Trades,
    BacktestSummary Summary,
    IReadOnlyList<EquityPoint> Equity,
    int Signals,
    int Symbols,
    long Candles,
    long? PeriodStart,
    long? PeriodEnd,
    long Rejected,
    long Duplicates,
    long Gaps);
