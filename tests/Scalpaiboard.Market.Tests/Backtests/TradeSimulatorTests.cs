using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Backtests;

/// <summary>The trade rules of BACKTEST.md on hand-made candles with given signals (the reference's own cases).</summary>
public sealed class TradeSimulatorTests
{
    private const long M = Candle.MinuteMs;

    private static readonly BacktestParameters Bull = new() { Rule = PresetType.PioneerBull };
    private static readonly BacktestParameters Bear = new() { Rule = PresetType.PioneerBear };

    /// <summary>n quiet candles around price, high/low within 0.2 %: never near a 1 % stop or a 2 % target.</summary>
    private static List<(double O, double H, double L, double C)> Flat(int n, double price = 100.0) =>
        Enumerable.Repeat((price, price * 1.002, price * 0.998, price), n).ToList();

    private static Candle Bar(int i, (double O, double H, double L, double C) b) =>
        new(Minute(i), b.O, b.H, b.L, b.C, 10, 1000 + i, 10, 5, 500);

    private static TradeSimulator Simulate(BacktestParameters p, IReadOnlyList<(double O, double H, double L, double C)> bars,
        params int[] signals)
    {
        var sim = new TradeSimulator("AAAUSDT", p);
        for (var i = 0; i < bars.Count; i++)
        {
            sim.OnCandle(Bar(i, bars[i]), signals.Contains(i));
        }
        sim.Finish();
        return sim;
    }

    private static BacktestTrade One(BacktestParameters p, IReadOnlyList<(double, double, double, double)> bars, int at = 0)
    {
        var sim = Simulate(p, bars, at);
        Assert.Equal(0, sim.SkippedSignals);
        return Assert.Single(sim.Trades);
    }

    [Fact]
    public void Long_ReachingTheTarget_ExitsAtTheTargetLevel()
    {
        var bars = Flat(3);
        bars.Add((100.0, 102.5, 99.5, 102.2));
        bars.AddRange(Flat(5, 102.2));

        var t = One(Bull, bars);

        Assert.Equal((TradeSide.Long, ExitReason.Target), (t.Side, t.Reason));
        Assert.Equal(Minute(0) + M, t.EntryTime);
        Assert.Equal(100.0, t.EntryPrice);
        Assert.Equal(Minute(3) + M, t.ExitTime);
        Assert.Equal(100 * (1 + 0.02), t.ExitPrice);
        Assert.Equal(0.02 - 0.0008, t.Return, 12);
        Assert.Equal(1.92, t.RMultiple, 10);
    }

    [Fact]
    public void Long_ReachingTheStop_ExitsAtTheStopLevel()
    {
        var bars = Flat(2);
        bars.Add((100.0, 100.1, 98.9, 99.2));
        bars.AddRange(Flat(5, 99.2));

        var t = One(Bull, bars);

        Assert.Equal(ExitReason.Stop, t.Reason);
        Assert.Equal(99.0, t.ExitPrice, 12);
        Assert.Equal(Minute(2) + M, t.ExitTime);
        Assert.Equal(-0.0108, t.Return, 12);
        Assert.Equal(-1.08, t.RMultiple, 10);
    }

    [Fact]
    public void Long_LowExactlyAtTheStop_IsAStop()
    {
        var bars = Flat(2);
        bars.Add((100.0, 100.1, 100 * (1 - 0.01), 99.5));
        bars.AddRange(Flat(5, 99.5));

        Assert.Equal(ExitReason.Stop, One(Bull, bars).Reason);
    }

    [Fact]
    public void ACandleTouchingStopAndTarget_IsAStop_OnBothSides()
    {
        var bars = Flat(2);
        bars.Add((100.0, 103.0, 98.0, 102.5));
        bars.AddRange(Flat(5, 102.5));

        var longTrade = One(Bull, bars);
        var shortTrade = One(Bear, bars);

        Assert.Equal((ExitReason.Stop, 99.0), (longTrade.Reason, Math.Round(longTrade.ExitPrice, 12)));
        Assert.Equal((ExitReason.Stop, 101.0), (shortTrade.Reason, Math.Round(shortTrade.ExitPrice, 12)));
        Assert.Equal(Minute(2) + M, shortTrade.ExitTime);
    }

    [Fact]
    public void TheSignalCandle_IsNotCheckedForAnExit()
    {
        List<(double, double, double, double)> bars = [(100.0, 103.0, 97.0, 100.0)];
        bars.AddRange(Flat(3));
        bars.Add((100.0, 102.1, 99.9, 102.0));
        bars.AddRange(Flat(3, 102.0));

        var t = One(Bull, bars);

        Assert.Equal((ExitReason.Target, Minute(4) + M), (t.Reason, t.ExitTime));
    }

    [Fact]
    public void Short_ExitsAtTheTargetBelow_AndTheStopAbove()
    {
        var down = Flat(2);
        down.Add((100.0, 100.4, 97.9, 98.1));
        down.AddRange(Flat(5, 98.1));
        var up = Flat(4);
        up.Add((100.0, 101.2, 99.8, 101.1));
        up.AddRange(Flat(5, 101.1));

        var target = One(Bear, down);
        var stop = One(Bear with { Rule = PresetType.TopHunter }, up);

        Assert.Equal((TradeSide.Short, ExitReason.Target), (target.Side, target.Reason));
        Assert.Equal(98.0, target.ExitPrice, 12);
        Assert.Equal(0.02 - 0.0008, target.Return, 12);
        Assert.Equal((TradeSide.Short, ExitReason.Stop), (stop.Side, stop.Reason));
        Assert.Equal(101.0, stop.ExitPrice, 12);
        Assert.Equal(Minute(4) + M, stop.ExitTime);
        Assert.Equal(-0.01 - 0.0008, stop.Return, 12);
        Assert.Equal(-1.08, stop.RMultiple, 10);
    }

    [Theory]
    [InlineData(PresetType.BigBull60, TradeSide.Long)]
    [InlineData(PresetType.PioneerBull, TradeSide.Long)]
    [InlineData(PresetType.FiveBigBull, TradeSide.Long)]
    [InlineData(PresetType.FifteenBigBull, TradeSide.Long)]
    [InlineData(PresetType.BottomHunter, TradeSide.Long)]
    [InlineData(PresetType.BigBear60, TradeSide.Short)]
    [InlineData(PresetType.PioneerBear, TradeSide.Short)]
    [InlineData(PresetType.FiveBigBear, TradeSide.Short)]
    [InlineData(PresetType.FifteenBigBear, TradeSide.Short)]
    [InlineData(PresetType.TopHunter, TradeSide.Short)]
    public void Bull_presets_and_the_bottom_hunter_go_long_bear_presets_and_the_top_hunter_short(PresetType rule, TradeSide side)
    {
        Assert.Equal(side, TradeSides.Of(rule));
        Assert.Equal(side, new BacktestParameters { Rule = rule }.Side);
    }

    [Fact]
    public void TimeExit_AtTheCloseOfTheFirstCandleClosingMaxHoldAfterTheEntry()
    {
        var bars = Flat(30);
        bars[12] = (100.0, 100.1, 99.9, 100.3);

        var t = One(Bull with { MaxHoldMinutes = 10 }, bars, at: 2);

        Assert.Equal(ExitReason.Time, t.Reason);
        Assert.Equal(Minute(3), t.EntryTime);
        Assert.Equal(Minute(12) + M, t.ExitTime);
        Assert.Equal(100.3, t.ExitPrice);
        Assert.Equal(0.003 - 0.0008, t.Return, 12);
    }

    [Fact]
    public void TimeExit_CountsFromTheEntry_AcrossMissingMinutes()
    {
        // Minutes 5..11 are missing: the first candle closing 10 minutes or more after the entry is minute 12.
        var sim = new TradeSimulator("AAAUSDT", Bull with { MaxHoldMinutes = 10 });
        foreach (var i in new[] { 0, 1, 2, 3, 4, 12, 13 })
        {
            sim.OnCandle(Bar(i, (100.0, 100.1, 99.9, 100.0 + i / 100.0)), signal: i == 2);
        }
        sim.Finish();

        var t = Assert.Single(sim.Trades);
        Assert.Equal((ExitReason.Time, Minute(12) + M, 100.0 + 12 / 100.0), (t.Reason, t.ExitTime, t.ExitPrice));
    }

    [Fact]
    public void AStillOpenPosition_EndsAtTheLastCandlesClose()
    {
        var bars = Flat(20);
        bars[^1] = (100.0, 100.1, 99.9, 99.7);

        var t = One(Bull, bars, at: 5);

        Assert.Equal(ExitReason.End, t.Reason);
        Assert.Equal(Minute(19) + M, t.ExitTime);
        Assert.Equal(99.7, t.ExitPrice);
    }

    [Fact]
    public void ASignalOnTheLastCandle_GivesAZeroLengthEndTrade()
    {
        var t = One(Bull, Flat(10), at: 9);

        Assert.Equal((ExitReason.End, Minute(10), Minute(10)), (t.Reason, t.EntryTime, t.ExitTime));
        Assert.Equal(-0.0008, t.Return, 12);
    }

    [Fact]
    public void SignalsWhileAPositionIsOpen_AreSkippedAndCounted()
    {
        var bars = Flat(10);
        bars.Add((100.0, 102.1, 99.9, 102.0));
        bars.AddRange(Flat(10, 102.0));

        var sim = Simulate(Bull, bars, 0, 5, 9);

        Assert.Equal(2, sim.SkippedSignals);
        Assert.Equal(3, sim.Signals);
        Assert.Equal([Minute(0) + M], sim.Trades.Select(t => t.EntryTime));
    }

    [Fact]
    public void ASignalOnTheCandleThatClosesThePosition_OpensTheNextOne()
    {
        var bars = Flat(10);
        bars.Add((100.0, 102.1, 99.9, 102.0));
        bars.AddRange(Flat(10, 102.0));

        var sim = Simulate(Bull, bars, 0, 10);

        Assert.Equal(0, sim.SkippedSignals);
        Assert.Equal([(Minute(0) + M, ExitReason.Target), (Minute(10) + M, ExitReason.End)],
            sim.Trades.Select(t => (t.EntryTime, t.Reason)));
        Assert.Equal(102.0, sim.Trades[1].EntryPrice);
    }

    [Fact]
    public void Fees_AreChargedOnBothSides_AndTheRMultipleDividesByTheStop()
    {
        var bars = Flat(3);
        bars.Add((100.0, 102.1, 99.9, 102.0));
        bars.AddRange(Flat(3, 102.0));

        Assert.Equal(0.02, One(Bull with { FeePct = 0 }, bars).Return, 12);
        var tenth = One(Bull with { FeePct = 0.1 }, bars);
        Assert.Equal(0.02 - 0.002, tenth.Return, 12);
        Assert.Equal(1.8, tenth.RMultiple, 10);
        var tight = One(Bull with { TakeProfitPct = 1.5, StopLossPct = 0.5, FeePct = 0.05 }, bars);
        Assert.Equal(101.5, tight.ExitPrice, 12);
        Assert.Equal(0.015 - 0.001, tight.Return, 12);
        Assert.Equal(2.8, tight.RMultiple, 10);
    }

    [Fact]
    public void OnCandle_WithAnOpenPosition_DoesNotAllocate()
    {
        var sim = new TradeSimulator("AAAUSDT", Bull with { MaxHoldMinutes = 1_000_000 });
        var candles = Enumerable.Range(0, 4096).Select(i => Bar(i, (100.0, 100.2, 99.8, 100.0))).ToArray();
        sim.OnCandle(candles[0], signal: true);
        sim.OnCandle(candles[1], signal: true);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 2; i < candles.Length; i++)
        {
            sim.OnCandle(candles[i], signal: (i & 7) == 0);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sim.HasOpenPosition);
        Assert.Empty(sim.Trades);
    }
}
