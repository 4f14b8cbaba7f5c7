namespace Scalpaiboard.Market.Backtests;

/// <summary>
/// The statistics of BACKTEST.md over trades in exit-time-then-symbol order, summed in that order (as the reference
/// sums them, so totals agree to the last bits, not just within the tolerance).
/// </summary>
public static class BacktestStatistics
{
    public const long DayMs = 86_400_000;

    /// <summary>
    /// Equal daily returns (one stop a day) differ only by rounding; a standard deviation below this fraction of the
    /// largest daily return is that noise, read as "stdev 0" (no Sharpe) instead of a huge ratio of random sign.
    /// </summary>
    public const double SharpeNoise = 1e-12;

    /// <param name="trades">In <see cref="BacktestTrade.CompareByExit"/> order.</param>
    /// <param name="skippedSignals">Signals skipped because the position was open.</param>
    /// <param name="periodStart">Start of the period: <c>from</c>, or the first candle's open time; null with no candle.</param>
    /// <param name="periodEnd">End of the period: <c>to</c>, or the last candle's close (open + 1 min); null with no candle.</param>
    public static BacktestSummary Summarize(IReadOnlyList<BacktestTrade> trades, int skippedSignals, long? periodStart, long? periodEnd)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var n = trades.Count;
        int wins = 0, target = 0, stop = 0, time = 0, end = 0;
        double gain = 0, loss = 0, sum = 0, equity = 0, peak = 0, drawdown = 0, sumR = 0, sumHold = 0;
        foreach (var t in trades)
        {
            var r = t.Return;
            if (r > 0)
            {
                wins++;
                gain += r;
            }
            else if (r < 0)
            {
                loss += r;
            }
            sum += r;
            // The peak starts at 0: a first losing trade is already a drawdown.
            equity += r;
            peak = Math.Max(peak, equity);
            drawdown = Math.Max(drawdown, peak - equity);
            sumR += t.RMultiple;
            sumHold += (t.ExitTime - t.EntryTime) / (double)Candle.MinuteMs;
            switch (t.Reason)
            {
                case ExitReason.Target: target++; break;
                case ExitReason.Stop: stop++; break;
                case ExitReason.Time: time++; break;
                default: end++; break;
            }
        }
        loss = -loss;

        return new BacktestSummary(
            Trades: n,
            Wins: wins,
            Losses: n - wins,
            WinRate: n > 0 ? wins / (double)n : null,
            ProfitFactor: loss > 0 ? gain / loss : null,
            TotalReturnPct: 100 * sum,
            MaxDrawdownPct: 100 * drawdown,
            Sharpe: Sharpe(trades, periodStart, periodEnd),
            AvgR: n > 0 ? sumR / n : null,
            AvgHoldMinutes: n > 0 ? sumHold / n : null,
            Exits: new ExitCounts(target, stop, time, end),
            SkippedSignals: skippedSignals);
    }

    /// <summary>
    /// The UTC days (Unix ms / <see cref="DayMs"/>) the Sharpe ratio runs over: every day of [start, end), plus the
    /// day of an exit stamped at the period's end (an exit on the last candle of a day is stamped 00:00 of the next).
    /// Empty without a period.
    /// </summary>
    public static (long First, long Last)? PeriodDays(long? periodStart, long? periodEnd, IReadOnlyList<BacktestTrade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        if (periodStart is not { } start || periodEnd is not { } end || end <= start)
        {
            return null;
        }
        var last = Math.Max(FloorDay(end - 1), trades.Count > 0 ? FloorDay(MaxExitTime(trades)) : long.MinValue);
        return (FloorDay(start), last);
    }

    /// <summary>
    /// Sum of the returns per UTC day of exit over <see cref="PeriodDays"/> (days without an exit count 0), then
    /// <c>mean / stdev * sqrt(365)</c> with the n - 1 stdev; null with fewer than two days or a stdev that is
    /// rounding noise (<see cref="SharpeNoise"/>).
    /// </summary>
    public static double? Sharpe(IReadOnlyList<BacktestTrade> trades, long? periodStart, long? periodEnd)
    {
        if (PeriodDays(periodStart, periodEnd, trades) is not var (first, last) || last - first + 1 < 2)
        {
            return null;
        }
        var daily = new double[last - first + 1];
        foreach (var t in trades)
        {
            var day = FloorDay(t.ExitTime);
            if (day >= first)
            {
                daily[day - first] += t.Return;
            }
        }

        var mean = 0.0;
        foreach (var x in daily)
        {
            mean += x;
        }
        mean /= daily.Length;
        double squares = 0, largest = 0;
        foreach (var x in daily)
        {
            squares += (x - mean) * (x - mean);
            largest = Math.Max(largest, Math.Abs(x));
        }
        var sd = Math.Sqrt(squares / (daily.Length - 1));
        return sd > SharpeNoise * largest ? mean / sd * Math.Sqrt(365) : null;
    }

    /// <summary>The cumulative return after each trade, in percent: one point per trade at its exit time.</summary>
    public static IReadOnlyList<EquityPoint> EquityCurve(IReadOnlyList<BacktestTrade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var points = new EquityPoint[trades.Count];
        var equity = 0.0;
        for (var i = 0; i < points.Length; i++)
        {
            equity += trades[i].Return;
            points[i] = new EquityPoint(trades[i].ExitTime, 100 * equity);
        }
        return points;
    }

    private static long FloorDay(long time) => Math.DivRem(time, DayMs) is var (q, r) && r < 0 ? q - 1 : q;

    private static long MaxExitTime(IReadOnlyList<BacktestTrade> trades)
    {
        var max = long.MinValue;
        foreach (var t in trades)
        {
            max = Math.Max(max, t.ExitTime);
        }
        return max;
    }
}
