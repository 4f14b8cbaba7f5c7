using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Backtests;

/// <summary>The statistics of BACKTEST.md on hand-made trade lists.</summary>
public sealed class BacktestStatisticsTests
{
    private const long M = Candle.MinuteMs;
    private const long Day = BacktestStatistics.DayMs;

    private static BacktestTrade Trade(double r, long exitTime, ExitReason reason = ExitReason.Target, string symbol = "AAAUSDT",
        long? entryTime = null) =>
        new(symbol, PresetType.PioneerBull, TradeSide.Long, entryTime ?? exitTime - 30 * M, 100, exitTime, 100, reason, r, r / 0.01);

    private static BacktestSummary Summary(IReadOnlyList<BacktestTrade> trades, int skipped = 0, long? start = T0, long? end = T0 + Day) =>
        BacktestStatistics.Summarize(trades, skipped, start, end);

    [Fact]
    public void NoTrade_GivesZeroReturnsAndNullRatios()
    {
        var s = Summary([], end: T0 + 2 * Day);

        Assert.Equal((0, 0, 0), (s.Trades, s.Wins, s.Losses));
        Assert.Null(s.WinRate);
        Assert.Null(s.ProfitFactor);
        Assert.Null(s.Sharpe);
        Assert.Null(s.AvgR);
        Assert.Null(s.AvgHoldMinutes);
        Assert.Equal((0.0, 0.0), (s.TotalReturnPct, s.MaxDrawdownPct));
        Assert.Equal(new ExitCounts(0, 0, 0, 0), s.Exits);
    }

    [Fact]
    public void Summarize_CountsWinsLossesExitsAndAverages()
    {
        BacktestTrade[] trades =
        [
            Trade(0.0192, T0 + 60 * M), Trade(-0.0108, T0 + 90 * M, ExitReason.Stop),
            Trade(-0.0008, T0 + 300 * M, ExitReason.Time), Trade(0.0192, T0 + 400 * M),
        ];

        var s = Summary(trades, skipped: 3);

        Assert.Equal((4, 2, 2), (s.Trades, s.Wins, s.Losses));
        Assert.Equal(0.5, s.WinRate);
        Assert.Equal(0.0384 / 0.0116, s.ProfitFactor!.Value, 12);
        Assert.Equal(2.68, s.TotalReturnPct, 10);
        Assert.Equal((1.92 - 1.08 - 0.08 + 1.92) / 4, s.AvgR!.Value, 10);
        Assert.Equal(30, s.AvgHoldMinutes);
        Assert.Equal(new ExitCounts(2, 1, 1, 0), s.Exits);
        Assert.Equal(3, s.SkippedSignals);
    }

    [Fact]
    public void ProfitFactor_IsNullWhenNoTradeLostMoney()
    {
        var noLoss = Summary([Trade(0.0192, T0 + 60 * M), Trade(0.003, T0 + 90 * M, ExitReason.Time)]);
        // r == 0 counts as a loss, yet no money was lost.
        var flat = Summary([Trade(0.0192, T0 + 60 * M), Trade(0.0, T0 + 90 * M, ExitReason.Time)]);
        var onlyLosses = Summary([Trade(-0.0108, T0 + 60 * M, ExitReason.Stop)]);

        Assert.Null(noLoss.ProfitFactor);
        Assert.Equal((2, 0, 1.0), (noLoss.Wins, noLoss.Losses, noLoss.WinRate));
        Assert.Null(flat.ProfitFactor);
        Assert.Equal((1, 1), (flat.Wins, flat.Losses));
        Assert.Equal(0.0, onlyLosses.ProfitFactor);
    }

    [Fact]
    public void MaxDrawdown_IsTheLargestFallFromTheRunningPeak_WhichStartsAtZero()
    {
        double[] rs = [0.02, -0.01, -0.015, 0.01, -0.03, 0.05]; // equity .02 .01 -.005 .005 -.025 .025
        var swings = Summary(rs.Select((r, i) => Trade(r, T0 + (i + 1) * 60 * M)).ToArray());
        var firstLoss = Summary([Trade(-0.01, T0 + 60 * M), Trade(0.005, T0 + 120 * M), Trade(-0.002, T0 + 180 * M)]);
        var onlyUp = Summary([Trade(0.01, T0 + 60 * M)]);

        Assert.Equal(4.5, swings.MaxDrawdownPct, 10);
        Assert.Equal(1.0, firstLoss.MaxDrawdownPct, 10);
        Assert.Equal(0.0, onlyUp.MaxDrawdownPct);
    }

    [Fact]
    public void Sharpe_CountsEveryDayOfThePeriod_DaysWithoutAnExitAsZero()
    {
        BacktestTrade[] trades =
        [
            Trade(0.01, T0 + 3_600_000), Trade(0.02, T0 + 2 * Day + 600 * M), Trade(-0.005, T0 + 2 * Day + 700 * M),
        ];

        var s = Summary(trades, end: T0 + 4 * Day);
        var exitDaysOnly = Summary(trades, end: T0 + 3 * Day);

        // Daily returns 0.01, 0, 0.015, 0: mean 0.00625, stdev 0.0075.
        Assert.Equal(0.00625 / 0.0075 * Math.Sqrt(365), s.Sharpe!.Value, 9);
        Assert.NotEqual(s.Sharpe!.Value, exitDaysOnly.Sharpe!.Value, 3);
    }

    [Fact]
    public void Sharpe_IsNullWithFewerThanTwoDays_OrNoSpread_OrSpreadOfRoundingOnly()
    {
        var oneDay = Summary([Trade(0.01, T0 + 60 * M)], end: T0 + Day);
        var noTrade = Summary([], end: T0 + 3 * Day);
        // One stop a day: returns equal up to rounding (-0.01080000000000001 and -0.01080000000000012).
        var stops = new[] { 134.0115, 331.3324 }.Select((e, i) =>
        {
            var sim = new TradeSimulator("AAAUSDT", new BacktestParameters { Rule = PresetType.PioneerBull });
            sim.OnCandle(new Candle(T0 + i * Day, e, e, e, e, 1, 1, 1, 1, 1), signal: true);
            sim.OnCandle(new Candle(T0 + i * Day + M, e, e, e * 0.98, e, 1, 1, 1, 1, 1), signal: false);
            return sim.Trades[0];
        }).ToArray();
        var stopsSummary = Summary(stops, end: T0 + 2 * Day);

        Assert.Null(oneDay.Sharpe);
        Assert.Null(noTrade.Sharpe);
        Assert.NotEqual(stops[0].Return, stops[1].Return);
        Assert.Null(stopsSummary.Sharpe);
    }

    [Fact]
    public void PeriodDays_RunOverThePeriod_PlusTheDayOfAnExitStampedAtItsEnd()
    {
        var d0 = T0 / Day;

        Assert.Equal((d0, d0), BacktestStatistics.PeriodDays(T0 + 5 * M, T0 + Day, []));
        Assert.Equal((d0, d0 + 1), BacktestStatistics.PeriodDays(T0, T0 + 2 * Day - M, []));
        Assert.Equal((d0, d0 + 1), BacktestStatistics.PeriodDays(T0, T0 + Day, [Trade(0.01, T0 + Day, ExitReason.End)]));
        Assert.Null(BacktestStatistics.PeriodDays(null, null, []));
    }

    [Fact]
    public void EquityCurve_HasTheCumulativeReturnInPercentAtEachExit()
    {
        BacktestTrade[] trades = [Trade(0.02, T0 + 60 * M), Trade(-0.01, T0 + 90 * M), Trade(0.005, T0 + 90 * M, symbol: "BBBUSDT")];

        var curve = BacktestStatistics.EquityCurve(trades);

        Assert.Equal([T0 + 60 * M, T0 + 90 * M, T0 + 90 * M], curve.Select(p => p.Time));
        Assert.Equal(2.0, curve[0].CumulativeReturnPct, 12);
        Assert.Equal(1.0, curve[1].CumulativeReturnPct, 12);
        Assert.Equal(1.5, curve[2].CumulativeReturnPct, 12);
        Assert.Equal(Summary(trades).TotalReturnPct, curve[^1].CumulativeReturnPct);
    }
}
