using Scalpaiboard.Ingest.Services.Feeds.Simulated;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>One run of the whole simulated market (50 symbols, a day and a half after the day before it), shared by the tests.</summary>
public sealed class SimulatedDerivativesFixture
{
    public const int Minutes = 36 * 60;

    internal SimulatedDerivativesRun Run { get; } = SimulatedDerivativesRun.Of(42, SimulatedSymbols.All.Length, Minutes);
}

public sealed class SimulatedDerivativesTests(SimulatedDerivativesFixture fixture) : IClassFixture<SimulatedDerivativesFixture>
{
    private const long HourMs = 3_600_000;

    private SimulatedDerivativesRun Run => fixture.Run;

    [Fact]
    public void The_same_seed_gives_the_same_derivatives_and_another_seed_others()
    {
        var a = SimulatedDerivativesRun.Of(42, 6, 600);
        var b = SimulatedDerivativesRun.Of(42, 6, 600);
        var c = SimulatedDerivativesRun.Of(7, 6, 600);
        Assert.True(a.Updates.Count > 6 * 600);
        Assert.Equal(a.Updates, b.Updates);
        Assert.NotEqual(a.Updates.Where(u => u.Kind == DerivativesKind.OpenInterest), c.Updates.Where(u => u.Kind == DerivativesKind.OpenInterest));
    }

    [Fact]
    public void A_restart_continues_where_the_run_left_off()
    {
        // A fresh model that starts 12 h into the run (as after a restart: its states warmed up on the minutes before)
        // gives what the model that ran all along gave, up to the warm-up's reach and rounding: no jump on a chart.
        const int restartAt = 720;
        var model = new SimulatedDerivatives(new SimulatedMarket(42, 6), 42);
        var after = new List<DerivativesUpdate>();
        for (var k = restartAt; k < SimulatedDerivativesFixture.Minutes; k++)
        {
            for (var i = 0; i < 6; i++)
            {
                model.OnClosed(i, Run.Candles[i][k], after);
            }
        }
        var from = (Run.FirstMinute + restartAt) * Candle.MinuteMs;
        var want = Run.Updates.Where(u => u.Time > from && Array.IndexOf(["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"], u.Symbol) >= 0
            && u.Kind is DerivativesKind.OpenInterest or DerivativesKind.Funding).ToDictionary(u => (u.Symbol, u.Kind, u.Time));
        var got = after.Where(u => u.Kind is DerivativesKind.OpenInterest or DerivativesKind.Funding).ToList();
        Assert.Equal(want.Count, got.Count);
        foreach (var g in got)
        {
            var w = want[(g.Symbol, g.Kind, g.Time)];
            if (g.Kind == DerivativesKind.Funding)
            {
                Assert.Equal(w.Funding.Rate, g.Funding.Rate, 5e-6);
                continue;
            }
            Near(w.OpenInterest.OpenInterest, g.OpenInterest.OpenInterest, 1e-3);
            Near(w.OpenInterest.OpenInterestValue, g.OpenInterest.OpenInterestValue, 1e-3);
            // the ratios read the recent move, from the rounded candles in the run and from the unrounded flow in the warm-up
            Near(w.OpenInterest.LongShortRatio, g.OpenInterest.LongShortRatio, 0.01);
            Near(w.OpenInterest.TopTraderLongShortRatio, g.OpenInterest.TopTraderLongShortRatio, 0.01);
            Assert.Equal(w.OpenInterest.TakerBuySellRatio, g.OpenInterest.TakerBuySellRatio);
        }

        static void Near(double want, double got, double tolerance) => Assert.True(Math.Abs((got / want) - 1) <= tolerance, $"want {want}, got {got}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public void Every_derivatives_field_is_there_from_the_first_candle_of_the_history(int seedDays)
    {
        var run = seedDays == 2 ? Run : SimulatedDerivativesRun.Of(42, 6, 60, seedDays: 0);
        for (var i = 0; i < run.Values.Length; i++)
        {
            for (var k = 0; k < run.Values[i].Count; k++)
            {
                var values = run.Values[i][k];
                var fields = values.AsSpan();
                for (var f = 0; f < DerivativesValues.Count; f++)
                {
                    Assert.True(double.IsFinite(fields[f]), $"{run.Market.Symbols[i].Symbol} minute {k}: {DerivativesValues.Names[f]} = {fields[f]}");
                }
            }
        }
    }

    [Fact]
    public void Open_interest_is_about_a_days_volume_priced_at_the_close_with_plausible_ratios()
    {
        var oi = Run.Samples<OpenInterestSample>(DerivativesKind.OpenInterest).ToList();
        // One sample per symbol every 5 minutes, from a day before the 1m history to its end.
        var first = (Run.FirstMinute - 1440) * Candle.MinuteMs;
        var last = (Run.FirstMinute + SimulatedDerivativesFixture.Minutes) * Candle.MinuteMs;
        Assert.Equal(SimulatedSymbols.All.Length * (((last - first) / 300_000) + 1), oi.Count);
        for (var i = 0; i < SimulatedSymbols.All.Length; i++)
        {
            var info = SimulatedSymbols.All[i];
            var bars = SimulatedHistory.FourHourBars(42, i, Run.FirstMinute * Candle.MinuteMs, 2, info.BasePrice);
            var times = oi.Where(x => x.Symbol == info.Symbol).Select(x => x.Sample.Time).ToArray();
            Assert.Equal(Enumerable.Range(0, times.Length).Select(n => first + (n * 300_000L)), times);
            foreach (var (_, s) in oi.Where(x => x.Symbol == info.Symbol))
            {
                var price = Run.ClosingAt(i, s.Time)?.Close ?? SimulatedHistory.PriceAt(bars, s.Time);
                Assert.Equal(Math.Round(s.OpenInterest * price, 2), s.OpenInterestValue);
                Assert.InRange(s.OpenInterestValue / info.DailyQuoteVolume, 0.4, 2.5);
                Assert.InRange(s.LongShortRatio, 0.3, 6);
                Assert.InRange(s.TopTraderLongShortRatio, 0.3, 6);
                Assert.InRange(s.TakerBuySellRatio, 0.4, 2.5);
                if (Run.ClosingAt(i, s.Time) is not null)
                {
                    // the taker ratio of the five candles up to the sample
                    double buy = 0, sell = 0;
                    for (var back = 0; back < 5; back++)
                    {
                        var c = Run.ClosingAt(i, s.Time - (back * Candle.MinuteMs))!.Value;
                        buy += c.TakerBuyQuoteVolume;
                        sell += c.QuoteVolume - c.TakerBuyQuoteVolume;
                    }
                    Assert.Equal(Math.Round(buy / sell, 4), s.TakerBuySellRatio);
                }
            }
        }
    }

    [Fact]
    public void Open_interest_grows_in_a_volume_backed_surge_and_is_pulled_back_slowly()
    {
        var surges = 0;
        for (var i = 0; i < SimulatedSymbols.All.Length; i++)
        {
            var symbol = SimulatedSymbols.All[i].Symbol;
            var contracts = Run.Samples<OpenInterestSample>(DerivativesKind.OpenInterest).Where(x => x.Symbol == symbol)
                .ToDictionary(x => x.Sample.Time, x => x.Sample.OpenInterest);
            for (var hour = Run.FirstMinute / 60; (hour * 60) + 180 <= Run.FirstMinute + SimulatedDerivativesFixture.Minutes; hour++)
            {
                // a trender's surge hour: twice the volume, then ten times over its last 15 minutes
                if (Run.Market.Regime(i, (hour * 60) + 50).VolumeFactor != 10)
                {
                    continue;
                }
                surges++;
                var start = contracts[hour * HourMs];
                Assert.True(contracts[(hour + 1) * HourMs] > start * 1.04, $"{symbol} hour {hour}: {start} -> {contracts[(hour + 1) * HourMs]}");
                Assert.True(contracts[(hour + 3) * HourMs] > start, $"{symbol} hour {hour}: back to {contracts[(hour + 3) * HourMs]} within 2 h");
            }
        }
        Assert.True(surges >= 20, $"{surges} surges");
    }

    [Fact]
    public void The_crowd_fades_the_move_and_the_top_traders_follow_it()
    {
        var moves = new List<double>();
        var crowd = new List<double>();
        var top = new List<double>();
        for (var i = 0; i < SimulatedSymbols.All.Length; i++)
        {
            var symbol = SimulatedSymbols.All[i].Symbol;
            var samples = Run.Samples<OpenInterestSample>(DerivativesKind.OpenInterest).Where(x => x.Symbol == symbol).ToDictionary(x => x.Sample.Time, x => x.Sample);
            foreach (var (time, s) in samples)
            {
                if (Run.ClosingAt(i, time - HourMs) is { } then && samples.TryGetValue(time - HourMs, out var before))
                {
                    moves.Add(Math.Log(Run.ClosingAt(i, time)!.Value.Close / then.Close));
                    crowd.Add(Math.Log(s.LongShortRatio / before.LongShortRatio));
                    top.Add(Math.Log(s.TopTraderLongShortRatio / before.TopTraderLongShortRatio));
                }
            }
        }
        Assert.True(Correlation(moves, crowd) < -0.5, $"accounts: {Correlation(moves, crowd)}");
        Assert.True(Correlation(moves, top) > 0.5, $"top traders: {Correlation(moves, top)}");
    }

    [Fact]
    public void Funding_settles_every_eight_hours_follows_the_premium_and_is_negative_for_some()
    {
        var funding = Run.Samples<FundingSample>(DerivativesKind.Funding).ToList();
        var marks = Run.Samples<MarkPriceSample>(DerivativesKind.MarkPrice).ToDictionary(x => (x.Symbol, x.Sample.Time), x => x.Sample);
        var first = (Run.FirstMinute - 1440) * Candle.MinuteMs;
        var last = (Run.FirstMinute + SimulatedDerivativesFixture.Minutes) * Candle.MinuteMs;
        var moves = new List<double>();
        var rates = new List<double>();
        for (var i = 0; i < SimulatedSymbols.All.Length; i++)
        {
            var symbol = SimulatedSymbols.All[i].Symbol;
            var settled = funding.Where(x => x.Symbol == symbol).Select(x => x.Sample).ToArray();
            Assert.Equal(Enumerable.Range(0, (int)((last - first) / (8 * HourMs)) + 1).Select(n => first + (n * 8 * HourMs)), settled.Select(f => f.Time));
            foreach (var f in settled)
            {
                Assert.InRange(f.Rate, -SimulatedDerivatives.MaxFundingRate, SimulatedDerivatives.MaxFundingRate);
                if (marks.TryGetValue((symbol, f.Time), out var mark))
                {
                    // the stream at the settlement says the settled rate and the next funding time
                    Assert.Equal(f.Rate, mark.FundingRate);
                    Assert.Equal(f.Time + (8 * HourMs), mark.NextFundingTime);
                }
                if (Run.ClosingAt(i, f.Time - (8 * HourMs)) is { } then)
                {
                    moves.Add(Math.Log(Run.ClosingAt(i, f.Time)!.Value.Close / then.Close));
                    rates.Add(f.Rate);
                }
            }
        }
        Assert.True(Correlation(moves, rates) > 0.25, $"funding against the 8 h move: {Correlation(moves, rates)}");
        Assert.Contains(rates, r => r < 0);
        Assert.Contains(rates, r => r > 0.0001);
        Assert.True(rates.Count(r => r == 0.0001) > rates.Count / 10, "most premiums sit in the formula's flat band");
    }

    [Fact]
    public void The_mark_price_is_near_the_price_and_says_the_next_funding_time()
    {
        foreach (var (symbol, mark) in Run.Samples<MarkPriceSample>(DerivativesKind.MarkPrice))
        {
            var i = Array.FindIndex(SimulatedSymbols.All, s => s.Symbol == symbol);
            var close = Run.ClosingAt(i, mark.Time)!.Value.Close;
            Assert.InRange(mark.MarkPrice / close, 0.995, 1.005);
            Assert.Equal(((mark.Time / (8 * HourMs)) + 1) * 8 * HourMs, mark.NextFundingTime);
        }
        // A tick between closes: the stream's state then.
        var model = new SimulatedDerivatives(new SimulatedMarket(42, 1), 42);
        var tick = model.Mark(0, (Run.FirstMinute * Candle.MinuteMs) + 12_345, 95_000).Mark;
        Assert.Equal((Run.FirstMinute * Candle.MinuteMs) + 12_345, tick.Time);
        Assert.InRange(tick.MarkPrice, 95_000 * 0.995, 95_000 * 1.005);
        Assert.Equal(((Run.FirstMinute / 480) + 1) * 8 * HourMs, tick.NextFundingTime);
    }

    [Fact]
    public void Liquidations_burst_on_sharp_moves_on_the_side_the_move_hurts_and_are_few_otherwise()
    {
        var liquidations = Run.Samples<Liquidation>(DerivativesKind.Liquidation).ToList();
        // Binance sends at most one per symbol per second.
        Assert.All(liquidations.GroupBy(x => (x.Symbol, x.Sample.Time / 1000)), g => Assert.Single(g));
        Assert.All(liquidations, x => Assert.True(x.Sample.Price > 0 && x.Sample.Quantity > 0));
        var byMinute = liquidations.ToLookup(x => (x.Symbol, x.Sample.Time / Candle.MinuteMs), x => x.Sample);
        int quietMinutes = 0, quietOnes = 0;
        double hurt = 0, spared = 0;
        var sides = new HashSet<LiquidationSide>();
        for (var i = 0; i < SimulatedSymbols.All.Length; i++)
        {
            foreach (var c in Run.Candles[i])
            {
                var move = Math.Log(c.Close / c.Open) / SimulatedMarket.Noise;
                var minute = byMinute[(SimulatedSymbols.All[i].Symbol, c.OpenTime / Candle.MinuteMs)].ToList();
                Assert.All(minute, l => Assert.InRange(l.Price, Math.Min(c.Open, c.Close) * 0.999, Math.Max(c.Open, c.Close) * 1.001));
                if (Math.Abs(move) < 2)
                {
                    quietMinutes++;
                    quietOnes += minute.Count;
                }
                else if (Math.Abs(move) > 6)
                {
                    // a sharp drop liquidates longs, a sharp rise shorts
                    var side = move < 0 ? LiquidationSide.Long : LiquidationSide.Short;
                    sides.Add(side);
                    Assert.True(minute.Count(l => l.Side == side) >= 5, $"{SimulatedSymbols.All[i].Symbol} at {c.OpenTime}: {minute.Count} liquidations on a {move:F1}-deviation move");
                    var h = minute.Where(l => l.Side == side).Sum(l => l.Notional);
                    var s = minute.Where(l => l.Side != side).Sum(l => l.Notional);
                    Assert.True(h > s, $"{SimulatedSymbols.All[i].Symbol} at {c.OpenTime}: {h} on the hurt side, {s} on the other");
                    hurt += h;
                    spared += s;
                }
            }
        }
        Assert.Equal(2, sides.Count);
        Assert.True(hurt > 20 * spared, $"sharp moves: {hurt} on the hurt side, {spared} on the other");
        Assert.InRange((double)quietOnes / quietMinutes, 0.01, 0.2);
    }

    [Fact]
    public void A_tick_and_a_closed_minute_allocate_nothing()
    {
        var market = new SimulatedMarket(42);
        var model = new SimulatedDerivatives(market, 42);
        var output = new List<DerivativesUpdate>(4096);
        var minute = SimulatedDerivativesRun.Start;
        for (var i = 0; i < market.Symbols.Count; i++)
        {
            model.OnClosed(i, market.Generate(i, minute, market.Symbols[i].BasePrice), output); // the warm-up, once
        }
        output.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var m = minute + 1; m < minute + 11; m++)
        {
            for (var second = 1; second <= 60; second++)
            {
                for (var i = 0; i < market.Symbols.Count; i++)
                {
                    output.Add(model.Mark(i, (m * Candle.MinuteMs) + (second * 1000), market.Symbols[i].BasePrice));
                }
                output.Clear();
            }
            for (var i = 0; i < market.Symbols.Count; i++)
            {
                model.OnClosed(i, market.Generate(i, m, market.Symbols[i].BasePrice), output);
            }
            output.Clear();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double Correlation(List<double> a, List<double> b)
    {
        var ma = a.Average();
        var mb = b.Average();
        double ab = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
