using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Market.Tests.Derivatives;

public sealed class DerivativesHistoryTests
{
    private const long T0 = 1_772_409_600_000; // 2026-03-02 00:00 UTC
    private const long Minute = 60_000;

    private static OpenInterestSample Oi(long minutes, double value, double ratio = 1.5) =>
        new(T0 + (minutes * Minute), value / 10, value, ratio, 2.0, 0.9);

    private static DerivativesValues Evaluate(DerivativesHistory h, long minutes, bool liquidations = false)
    {
        var v = DerivativesValues.Unavailable;
        h.Evaluate(T0 + (minutes * Minute), liquidations, ref v);
        return v;
    }

    [Fact]
    public void Values_are_those_of_the_latest_sample_at_or_before_the_close()
    {
        var h = new DerivativesHistory();
        h.Add(Oi(0, 1000));
        h.Add(Oi(5, 1100, ratio: 1.7));
        Assert.True(double.IsNaN(Evaluate(h, -1).OpenInterestValue));
        Assert.Equal(1000, Evaluate(h, 4).OpenInterestValue);
        var at5 = Evaluate(h, 5);
        Assert.Equal(1100, at5.OpenInterestValue);
        Assert.Equal(110, at5.OpenInterest);
        Assert.Equal(1.7, at5.LongShortRatio);
        Assert.Equal(2.0, at5.TopTraderLongShortRatio);
        Assert.Equal(0.9, at5.TakerBuySellRatio);
    }

    [Fact]
    public void Oi_change_needs_a_sample_at_or_before_the_start_of_its_window()
    {
        var h = new DerivativesHistory();
        for (var m = 0; m <= 24 * 60; m += 5)
        {
            h.Add(Oi(m, 1000 + m));
        }
        var v = Evaluate(h, 59);
        Assert.True(double.IsNaN(v.OiChange1h)); // 59 - 60 is before the first sample
        v = Evaluate(h, 62);
        Assert.Equal(((1060.0 / 1000) - 1) * 100, v.OiChange1h, 12);
        Assert.True(double.IsNaN(v.OiChange4h));
        v = Evaluate(h, 24 * 60);
        Assert.Equal(((2440.0 / 2380) - 1) * 100, v.OiChange1h, 12);
        Assert.Equal(((2440.0 / 2200) - 1) * 100, v.OiChange4h, 12);
        Assert.Equal(((2440.0 / 1000) - 1) * 100, v.OiChange1d, 12);
    }

    [Fact]
    public void A_missing_or_zero_value_has_no_change()
    {
        var h = new DerivativesHistory();
        h.Add(Oi(0, 0));
        h.Add(new OpenInterestSample(T0 + (5 * Minute), double.NaN, double.NaN, 1, 1, 1));
        h.Add(Oi(65, 1200));
        var v = Evaluate(h, 65);
        Assert.True(double.IsNaN(v.OiChange1h)); // the sample at minute 5 has no value
        v = Evaluate(h, 60);
        Assert.True(double.IsNaN(v.OiChange1h)); // now unavailable
        Assert.True(double.IsNaN(v.OpenInterestValue));
    }

    [Fact]
    public void Samples_arriving_out_of_order_or_twice_give_the_same_answers()
    {
        var ordered = new DerivativesHistory();
        var shuffled = new DerivativesHistory();
        var samples = Enumerable.Range(0, 250).Select(k => Oi(5 * k, 1000 + (k * 3 % 17))).ToArray();
        foreach (var s in samples)
        {
            ordered.Add(s);
        }
        foreach (var s in samples.OrderBy(s => (s.Time * 7919) % 1009).Concat(samples.Take(50)))
        {
            shuffled.Add(s);
        }
        for (var m = -3; m < 1400; m += 7)
        {
            var a = Evaluate(ordered, m);
            var b = Evaluate(shuffled, m);
            Assert.Equal(a.AsSpan().ToArray(), b.AsSpan().ToArray());
        }
    }

    [Fact]
    public void Funding_is_the_latest_settlement_or_the_streams_newer_rate()
    {
        var h = new DerivativesHistory();
        h.Add(new FundingSample(T0, 0.0001));
        h.Add(new FundingSample(T0 + (480 * Minute), -0.0002));
        Assert.True(double.IsNaN(Evaluate(h, -1).FundingRate));
        Assert.Equal(0.0001, Evaluate(h, 479).FundingRate);
        Assert.Equal(-0.0002, Evaluate(h, 480).FundingRate);
        Assert.True(double.IsNaN(Evaluate(h, 480).MarkPrice));

        var next = T0 + (960 * Minute);
        h.Add(new MarkPriceSample(T0 + (500 * Minute) - 1000, 101.5, 0.0003, next));
        h.Add(new MarkPriceSample(T0 + (500 * Minute) + 1000, 102.5, 0.0004, next)); // after the close: not yet known
        var v = Evaluate(h, 500);
        Assert.Equal(0.0003, v.FundingRate);
        Assert.Equal(101.5, v.MarkPrice);
        Assert.Equal(next, v.NextFundingTime);
        Assert.Equal(0.0004, Evaluate(h, 501).FundingRate);
    }

    [Fact]
    public void Liquidations_sum_the_notional_per_side_over_each_window()
    {
        var h = new DerivativesHistory();
        Assert.True(double.IsNaN(Evaluate(h, 10).LiquidationsLong5m));
        Assert.Equal(0, Evaluate(h, 10, liquidations: true).LiquidationsLong5m);

        h.Add(new Liquidation(T0 + (1 * Minute), LiquidationSide.Long, 100, 2));      // 200, long
        h.Add(new Liquidation(T0 + (30 * Minute), LiquidationSide.Short, 50, 3));     // 150, short
        h.Add(new Liquidation(T0 + (58 * Minute), LiquidationSide.Long, 10, 1));      // 10, long
        h.Add(new Liquidation(T0 + (57 * Minute), LiquidationSide.Short, 20, 1));     // 20, short, out of order
        h.Add(new Liquidation(T0 + (61 * Minute) + 1, LiquidationSide.Long, 1000, 1)); // after the close below

        var v = Evaluate(h, 60, liquidations: true);
        Assert.Equal(10, v.LiquidationsLong5m);
        Assert.Equal(20, v.LiquidationsShort5m);
        Assert.Equal(210, v.LiquidationsLong1h);
        Assert.Equal(170, v.LiquidationsShort1h);
        Assert.Equal(210, v.LiquidationsLong1d);
        v = Evaluate(h, 61, liquidations: true); // (minute 1 is the window's open end: excluded)
        Assert.Equal(10, v.LiquidationsLong1h);
        Assert.Equal(1010, Evaluate(h, 62, liquidations: true).LiquidationsLong1h);
        Assert.Equal((1210.0, 170.0), h.LiquidationsBetween(T0, T0 + (62 * Minute)));
    }

    [Fact]
    public void Old_samples_are_pruned_but_the_one_a_window_starts_from_is_kept()
    {
        var h = new DerivativesHistory();
        for (var m = 0; m <= 5 * 24 * 60; m += 5)
        {
            h.Add(Oi(m, 1000 + m));
        }
        Assert.InRange(h.OpenInterestCount, 290, 340);
        var v = Evaluate(h, 5 * 24 * 60);
        Assert.Equal((((1000.0 + 7200) / (1000 + 5760)) - 1) * 100, v.OiChange1d, 12);
    }

    [Fact]
    public void Liquidation_sums_stay_exact_while_old_liquidations_are_pruned()
    {
        // One long liquidation of 1 x (its minute) every 10 minutes for three days: the oldest go in chunks, each day's
        // sum must still be that of its own liquidations (the pruned ones live on in the running totals' base).
        var h = new DerivativesHistory();
        for (var m = 0; m < 3 * 24 * 60; m += 10)
        {
            h.Add(new Liquidation(T0 + (m * Minute), LiquidationSide.Long, m, 1));
            if (m % 600 == 0 && m >= 24 * 60)
            {
                var v = Evaluate(h, m, liquidations: true);
                // (m - 1440, m]: the minutes m - 1430 .. m in steps of 10.
                var expected = Enumerable.Range(0, 144).Sum(k => (double)(m - (k * 10)));
                Assert.Equal(expected, v.LiquidationsLong1d);
                Assert.Equal(0, v.LiquidationsShort1d);
                Assert.Equal(m + (m - 10) + (m - 20) + (m - 30) + (m - 40) + (m - 50), v.LiquidationsLong1h);
            }
        }
    }

    [Fact]
    public void Values_kept_between_closes_equal_those_of_a_history_read_once()
    {
        // The history keeps its open-interest and liquidation fields while no lookup would change; a new history
        // holding the same samples, read once, has nothing kept: both must agree at every close, with funding
        // settlements (some late) and the mark-price stream in the mix.
        var live = new DerivativesHistory();
        var samples = new List<Action<DerivativesHistory>>();
        void Add(Action<DerivativesHistory> add)
        {
            add(live);
            samples.Add(add);
        }
        for (var m = 0; m < 3 * 24 * 60; m++)
        {
            if (m % 5 == 0)
            {
                var value = 1000 + (m * 7 % 113);
                var minute = m; // (the loop variable is one variable for every iteration)
                Add(h => h.Add(Oi(minute, value)));
            }
            if (m % 37 == 0)
            {
                var side = m % 2 == 0 ? LiquidationSide.Long : LiquidationSide.Short;
                var time = T0 + (m * Minute) + 1234;
                var price = 10 + (m % 7);
                Add(h => h.Add(new Liquidation(time, side, price, 3)));
            }
            if (m % 97 == 0 && m > 0)
            {
                var late = T0 + ((m - 50) * Minute); // a late sample, inside the windows
                Add(h => h.Add(new Liquidation(late, LiquidationSide.Short, 5, 1)));
            }
            if (m % 480 == 7)
            {
                // A settlement a few minutes after the fact (the stream's rate holds until then), and now and then
                // one that arrives late, before the latest held.
                var settled = T0 + ((m - 7) * Minute);
                var rate = ((m % 5) - 2) * 0.0001;
                Add(h => h.Add(new FundingSample(settled, rate)));
                if (m > 1000)
                {
                    var earlier = settled - (240 * Minute);
                    Add(h => h.Add(new FundingSample(earlier, -rate)));
                }
            }
            // The mark-price stream with hours of silence (the settlements then show), and at times without a rate.
            if (m % 3 != 0 && (m / 300) % 3 != 2)
            {
                var streamRate = (m / 100) % 4 == 0 ? double.NaN : (m % 13) * 0.00001;
                var mark = new MarkPriceSample(T0 + (m * Minute) - 500, 100 + (m % 11), streamRate, T0 + (((m / 480) + 1) * 480 * Minute));
                Add(h => h.Add(mark));
            }
            var kept = Evaluate(live, m, liquidations: true);
            if (m % 53 == 0)
            {
                var once = new DerivativesHistory();
                foreach (var add in samples)
                {
                    add(once);
                }
                Assert.Equal(Evaluate(once, m, liquidations: true).AsSpan().ToArray(), kept.AsSpan().ToArray());
            }
        }
    }
}
