using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Tests.Indicators;

public sealed class TimeframeIndicatorsTests
{
    private static Candle ToCandle(in Quote q) => new(
        new DateTimeOffset(q.Date).ToUnixTimeMilliseconds(), q.Open, q.High, q.Low, q.Close, q.Volume, q.Volume * q.Close, 1, 0, 0);

    [Fact]
    public void Compute_peeks_the_forming_bar_as_if_it_closed()
    {
        var quotes = TestQuotes.Default;
        var sma = Sma.Calculate(quotes, 20);
        var ema50 = Ema.Calculate(quotes, 50);
        var rsi = Rsi.Calculate(quotes, 14);
        var macd = Macd.Calculate(quotes);
        var bb = BollingerBands.Calculate(quotes);
        var atr = Atr.Calculate(quotes, 14);
        var stoch = Stoch.Calculate(quotes);
        var adx = Adx.Calculate(quotes, 14);
        var cci = Cci.Calculate(quotes, 20);
        var wr = WilliamsR.Calculate(quotes, 14);
        var vwap = RollingVwap.Calculate(quotes, 20);
        var vcp = Vcp.Calculate(quotes, 20);

        var tf = new TimeframeIndicators();
        var values = IndicatorValues.Unavailable;
        for (var i = 0; i < quotes.Length; i++)
        {
            var bar = ToCandle(quotes[i]);
            // A different forming bar first: peeking must not leave a trace.
            var other = bar with { Close = bar.Close * 1.5, High = bar.High * 1.5 };
            tf.Compute(other, ref values);
            tf.Compute(bar, ref values);

            Same(sma[i].Sma, values.Sma20);
            Same(ema50[i].Ema, values.Ema50);
            Same(rsi[i].Rsi, values.Rsi14);
            Same(macd[i].Macd, values.Macd);
            Same(macd[i].Signal, values.MacdSignal);
            Same(macd[i].Histogram, values.MacdHistogram);
            Same(bb[i].UpperBand, values.BbUpper);
            Same(bb[i].Sma, values.BbMiddle);
            Same(bb[i].LowerBand, values.BbLower);
            Same(bb[i].PercentB, values.BbPercentB);
            Same(bb[i].Width, values.BbWidth);
            Same(atr[i].Atr, values.Atr14);
            Same(atr[i].Atrp, values.AtrPercent);
            Same(stoch[i].Oscillator, values.StochK);
            Same(stoch[i].Signal, values.StochD);
            Same(adx[i].Adx, values.Adx14);
            Same(cci[i].Cci, values.Cci20);
            Same(wr[i].WilliamsR, values.WilliamsR14);
            Same(vwap[i].Vwap, values.Vwap);
            Same(vcp[i].Vcp, values.Vcp);
            if (i == 0)
            {
                Assert.True(double.IsNaN(values.PivotPp));
            }
            else
            {
                var p = quotes[i - 1];
                var pp = (p.High + p.Low + p.Close) / 3;
                Assert.Equal(pp, values.PivotPp, 10);
                Assert.Equal((2 * pp) - p.Low, values.PivotR1, 10);
                Assert.Equal((2 * pp) - p.High, values.PivotS1, 10);
            }

            tf.OnBarClosed(bar);
        }

        Assert.Equal(502, tf.BarCount);
    }

    [Fact]
    public void Everything_is_NaN_before_the_first_bar_and_after_Reset()
    {
        var tf = new TimeframeIndicators();
        var values = default(IndicatorValues);
        var bar = ToCandle(TestQuotes.Default[0]);
        tf.Compute(bar, ref values);
        Assert.True(double.IsNaN(values.Rsi14));
        Assert.True(double.IsNaN(values.PivotPp));
        foreach (var q in TestQuotes.Default)
        {
            tf.OnBarClosed(ToCandle(q));
        }

        tf.Compute(bar, ref values);
        Assert.False(double.IsNaN(values.Adx14));
        tf.Reset();
        tf.Compute(bar, ref values);
        Assert.True(double.IsNaN(values.Adx14));
        Assert.True(double.IsNaN(values.Sma20));
        Assert.True(double.IsNaN(values.PivotR1));
        Assert.Equal(0, tf.BarCount);
    }

    [Fact]
    public void Updates_do_not_allocate()
    {
        var tf = new TimeframeIndicators();
        var values = IndicatorValues.Unavailable;
        var candles = TestQuotes.Default.Select(q => ToCandle(q)).ToArray();
        foreach (var c in candles[..100])
        {
            tf.Compute(c, ref values);
            tf.OnBarClosed(c);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < candles.Length; i++)
        {
            tf.Compute(candles[i], ref values);
            tf.OnBarClosed(candles[i]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Seven_timeframes_of_state_stay_far_below_100_KB_per_symbol()
    {
        const int count = 200;
        var keep = new TimeframeIndicators[count];
        // Bytes this thread allocated (the heap's total also moves with the tests running in parallel, which made
        // this test fail now and then with a negative size).
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            keep[i] = new TimeframeIndicators();
        }

        var perInstance = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)count;
        GC.KeepAlive(keep);
        // About 1.6 KB per instance today (11 KB for 7 timeframes); the budget is 100 KB per symbol in all.
        Assert.InRange(perInstance * 7, 1, 50 * 1024);
    }

    private static void Same(double? expected, double actual)
    {
        if (expected is { } e)
        {
            Assert.True(Math.Abs(e - actual) <= 1e-7 * Math.Max(1, Math.Abs(e)), $"expected {e:R}, got {actual:R}");
        }
        else
        {
            Assert.True(double.IsNaN(actual), $"expected NaN, got {actual:R}");
        }
    }
}
