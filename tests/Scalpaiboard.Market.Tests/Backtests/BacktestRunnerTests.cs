using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Signals;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Backtests;

/// <summary>The runner: signals from the engine, the period and its warm-up, symbols in parallel, progress, cancellation.</summary>
public sealed class BacktestRunnerTests
{
    private const long M = Candle.MinuteMs;

    private static readonly BacktestParameters Pioneer = new() { Rule = PresetType.PioneerBull };

    /// <summary>
    /// Flat at 100 for 20 minutes, then 1 % a minute up on rising volume (Pioneer Bull holds minute after minute),
    /// then flat again at the top.
    /// </summary>
    private static List<Candle> Pump(int minutes = 120, double scale = 1)
    {
        var candles = new List<Candle>();
        var close = 100.0 * scale;
        for (var m = 0; m < minutes; m++)
        {
            var previous = close;
            close = m is >= 20 and < 40 ? 100 * scale * Math.Pow(1.01, m - 19) : close;
            var quote = m is >= 20 and < 40 ? 1000.0 * (m - 18) : 1000.0;
            candles.Add(new Candle(Minute(m), previous, Math.Max(previous, close) * 1.001, Math.Min(previous, close) * 0.999,
                close, quote / close, quote, 10, quote / close / 2, quote / 2));
        }
        return candles;
    }

    /// <summary>The minutes at which the rule holds and fires, from an engine with indicators (scan's engine).</summary>
    private static (List<int> Held, List<int> Fired) Signals(IReadOnlyList<Candle> candles, PresetType rule)
    {
        var engine = new MarketEngine();
        var held = new List<int>();
        var fired = new List<int>();
        foreach (var c in candles)
        {
            var update = engine.OnClosedCandle("AAAUSDT", c);
            var minute = (int)((c.OpenTime - T0) / M);
            if (update.Held.Contains(rule))
            {
                held.Add(minute);
            }
            if (update.Fired.Contains(rule))
            {
                fired.Add(minute);
            }
        }
        return (held, fired);
    }

    private static BacktestResult Run(BacktestParameters p, params BacktestSeries[] series) => new BacktestRunner(p).Run(series);

    [Fact]
    public void Run_TradesTheEnginesSignals_EnteringAtTheSignalCandlesClose()
    {
        var candles = Pump();
        var (_, fired) = Signals(candles, PresetType.PioneerBull);

        var result = Run(Pioneer with { MaxHoldMinutes = 3 }, BacktestSeries.Of("AAAUSDT", candles));

        Assert.NotEmpty(fired);
        Assert.Equal(fired.Count, result.Signals);
        Assert.Equal(fired.Count, result.Summary.Trades + result.Summary.SkippedSignals);
        var first = result.Trades[0];
        Assert.Equal(Minute(fired[0]) + M, first.EntryTime);
        Assert.Equal(candles[fired[0]].Close, first.EntryPrice);
        Assert.All(result.Trades, t => Assert.Contains((int)((t.EntryTime - M - T0) / M), fired));
        Assert.Equal(candles.Count, result.Candles);
        Assert.Equal((T0, Minute(candles.Count)), (result.PeriodStart!.Value, result.PeriodEnd!.Value));
    }

    [Fact]
    public void From_WarmsTheEngineUpBeforeThePeriod_AndItsCooldownCarriesIntoIt()
    {
        var candles = Pump();
        var (held, fired) = Signals(candles, PresetType.PioneerBull);
        var h0 = fired[0];
        Assert.Contains(h0 + 2, held); // the rule holds at From, but fired 2 minutes earlier: cooling down
        Assert.Contains(h0 + 5, fired);

        var result = Run(Pioneer with { From = Minute(h0 + 2) }, BacktestSeries.Of("AAAUSDT", candles));

        Assert.Equal(Minute(h0 + 5) + M, result.Trades[0].EntryTime);
        Assert.Equal(fired.Count(f => f >= h0 + 2), result.Signals);
        Assert.Equal(Minute(h0 + 2), result.PeriodStart);
    }

    [Fact]
    public void From_SignalsBeforeThePeriodAreNotTraded_ButTheirHistoryLetsTheEngineFireInIt()
    {
        var candles = Pump();
        var (_, fired) = Signals(candles, PresetType.PioneerBull);
        var from = fired[1];

        var warm = Run(Pioneer with { From = Minute(from) }, BacktestSeries.Of("AAAUSDT", candles));
        var cold = Run(Pioneer, BacktestSeries.Of("AAAUSDT", candles.Where(c => c.OpenTime >= Minute(from)).ToList()));

        Assert.Equal(Minute(from) + M, warm.Trades[0].EntryTime);
        Assert.DoesNotContain(warm.Trades, t => t.EntryTime <= Minute(from));
        // Without the history before it, the windows are not available yet and nothing fires at once.
        Assert.DoesNotContain(cold.Trades, t => t.EntryTime == Minute(from) + M);
    }

    [Fact]
    public void To_StopsReadingCandles_AndClosesWhatIsOpenAtTheLastCandleBeforeIt()
    {
        var candles = Pump();
        var (_, fired) = Signals(candles, PresetType.PioneerBull);
        var to = Minute(fired[0] + 2);

        var result = Run(Pioneer with { To = to }, BacktestSeries.Of("AAAUSDT", candles));

        var t = Assert.Single(result.Trades);
        Assert.Equal(ExitReason.End, t.Reason);
        Assert.Equal(to, t.ExitTime);
        Assert.Equal(candles[fired[0] + 1].Close, t.ExitPrice);
        Assert.Equal(to, result.PeriodEnd);
    }

    [Fact]
    public void Trades_OfAllSymbols_AreOrderedByExitTimeThenSymbol_WhateverTheWorkers()
    {
        // The same pump on four symbols, at different price scales so only the symbols tell the trades apart.
        var series = new[] { "DDDUSDT", "BBBUSDT", "AAAUSDT", "CCCUSDT" }
            .Select((s, i) => BacktestSeries.Of(s, Pump(scale: 1 + i * 0.5))).ToArray();
        var p = Pioneer with { MaxHoldMinutes = 7 };

        var parallel = new BacktestRunner(p) { MaxDegreeOfParallelism = 2 }.Run(series);
        var sequential = new BacktestRunner(p) { MaxDegreeOfParallelism = 1 }.Run(series);

        Assert.True(parallel.Trades.Count >= 8);
        Assert.Equal(sequential.Trades, parallel.Trades);
        Assert.Equal(sequential.Summary, parallel.Summary);
        for (var i = 1; i < parallel.Trades.Count; i++)
        {
            Assert.True(BacktestTrade.CompareByExit(parallel.Trades[i - 1], parallel.Trades[i]) < 0);
        }
        Assert.Equal(["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"], parallel.Trades.Take(4).Select(t => t.Symbol));
        Assert.Equal(parallel.Summary.TotalReturnPct, parallel.Equity[^1].CumulativeReturnPct);
    }

    [Fact]
    public void Progress_IsReported_AndEndsAtTheNumberOfCandlesRead()
    {
        var series = Enumerable.Range(0, 6).Select(i => BacktestSeries.Of($"S{i}USDT", Pump(minutes: 20_000))).ToArray();
        var reports = new List<BacktestProgress>();

        var result = new BacktestRunner(Pioneer) { ProgressInterval = TimeSpan.Zero }.Run(series, reports.Add);

        Assert.True(reports.Count >= 2);
        Assert.Equal(new BacktestProgress(120_000, 120_000), reports[^1]);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(120_000, result.Candles);
        Assert.All(reports, r => Assert.InRange(r.Candles, 0, r.ExpectedCandles));
    }

    [Fact]
    public void Run_IsCancelled_ByItsToken()
    {
        using var cts = new CancellationTokenSource();
        var series = Enumerable.Range(0, 4).Select(i => BacktestSeries.Of($"S{i}USDT", Pump(minutes: 50_000))).ToArray();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            new BacktestRunner(Pioneer) { ProgressInterval = TimeSpan.Zero }.Run(series, _ => cts.Cancel(), cts.Token));
    }

    [Fact]
    public void AFailingSource_FailsTheRunWithItsException()
    {
        static IEnumerable<Candle> Broken()
        {
            yield return At(0);
            throw new InvalidDataException("bad.csv:2: expected 12 columns, found 4");
        }

        var e = Assert.Throws<InvalidDataException>(() =>
            Run(Pioneer, BacktestSeries.Of("AAAUSDT", Pump()), new BacktestSeries("BBBUSDT", Broken)));
        Assert.Contains("bad.csv:2", e.Message);
    }

    [Theory]
    [InlineData(0.0, 1.0, 240, 0.04, 5, "TakeProfitPct")]
    [InlineData(2.0, 0.0, 240, 0.04, 5, "StopLossPct")]
    [InlineData(2.0, 1.0, 0, 0.04, 5, "MaxHoldMinutes")]
    [InlineData(2.0, 1.0, 240, -0.1, 5, "FeePct")]
    [InlineData(2.0, 1.0, 240, 0.04, -1, "CooldownMinutes")]
    public void Parameters_OutOfRange_AreNamed(double tp, double sl, int hold, double fee, int cooldown, string name)
    {
        var p = new BacktestParameters { Rule = PresetType.TopHunter, TakeProfitPct = tp, StopLossPct = sl, MaxHoldMinutes = hold, FeePct = fee, CooldownMinutes = cooldown };

        Assert.Equal([name], p.Validate().Select(e => e.Name));
        var e = Assert.Throws<ArgumentException>(() => new BacktestRunner(p));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Parameters_ThePeriodMustNotBeEmpty()
    {
        Assert.Equal(["To"], (Pioneer with { From = Minute(5), To = Minute(5) }).Validate().Select(e => e.Name));
        Assert.Empty((Pioneer with { From = Minute(5), To = Minute(6) }).Validate());
    }

    [Theory]
    [InlineData(PresetType.BigBull60)]
    [InlineData(PresetType.PioneerBear)]
    [InlineData(PresetType.FiveBigBull)]
    [InlineData(PresetType.FifteenBigBear)]
    [InlineData(PresetType.BottomHunter)]
    [InlineData(PresetType.TopHunter)]
    public void OnTheSample_EveryTradeIsASignalOfScansEngine_AndEverySignalIsTradedOrSkipped(PresetType rule)
    {
        // scan's engine computes the indicators too; the runner's does not, as no preset reads them.
        var sample = SharedData.Data("klines-sample");
        var bySymbol = KlineCsvReader.Read(sample).GroupBy(c => c.Symbol).ToDictionary(g => g.Key, g => g.Select(c => c.Candle).ToList());
        var scan = new MarketEngine();
        var signals = new HashSet<(string, long)>();
        foreach (var (symbol, candle) in KlineCsvReader.Read(sample))
        {
            if (scan.OnClosedCandle(symbol, candle).Fired.Contains(rule))
            {
                signals.Add((symbol, candle.OpenTime));
            }
        }

        var result = Run(new BacktestParameters { Rule = rule, MaxHoldMinutes = 30 },
            bySymbol.Select(kv => BacktestSeries.Of(kv.Key, kv.Value)).ToArray());

        Assert.Equal(signals.Count, result.Signals);
        Assert.Equal(signals.Count, result.Summary.Trades + result.Summary.SkippedSignals);
        Assert.All(result.Trades, t => Assert.Contains((t.Symbol, t.EntryTime - M), signals));
        Assert.Equal(rule is PresetType.BigBull60 or PresetType.FiveBigBull or PresetType.BottomHunter ? TradeSide.Long : TradeSide.Short,
            result.Parameters.Side);
    }
}
