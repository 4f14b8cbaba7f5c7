using Scalpaiboard.Market.Bars;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Bars;

public class BarBuilderTests
{
    [Theory]
    [InlineData(Timeframe.M5, "2026-03-02T13:47:00Z", "2026-03-02T13:45:00Z")]
    [InlineData(Timeframe.M15, "2026-03-02T13:47:00Z", "2026-03-02T13:45:00Z")]
    [InlineData(Timeframe.H1, "2026-03-02T13:47:00Z", "2026-03-02T13:00:00Z")]
    [InlineData(Timeframe.H4, "2026-03-02T13:47:00Z", "2026-03-02T12:00:00Z")]
    [InlineData(Timeframe.H8, "2026-03-02T07:59:00Z", "2026-03-02T00:00:00Z")]
    [InlineData(Timeframe.H8, "2026-03-02T23:59:00Z", "2026-03-02T16:00:00Z")]
    [InlineData(Timeframe.D1, "2026-03-02T23:59:00Z", "2026-03-02T00:00:00Z")]
    public void AlignedOpen_IsOnUtcBoundaries(Timeframe tf, string time, string open)
    {
        var t = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var builder = new BarBuilder();
        builder.Add(new Candle(t, 1, 1, 1, 1, 1, 1, 1, 0, 0));
        Assert.Equal(DateTimeOffset.Parse(open, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
            builder.Forming(tf).OpenTime);
    }

    [Fact]
    public void Add_AggregatesOhlcvAndClosesTheBarWhenTheNextPeriodStarts()
    {
        var builder = new BarBuilder();
        for (var m = 0; m < 5; m++)
        {
            var mask = builder.Add(At(m, close: 10 + m, open: 9 + m, high: 20 + m, low: 5 - m, quote: 100, trades: 2, volume: 3));
            Assert.False(mask.Contains(Timeframe.M5));
        }
        Assert.True(builder.IsComplete(Timeframe.M5));
        Assert.False(builder.IsComplete(Timeframe.M15));

        var closed = builder.Add(At(5, close: 50));
        Assert.True(closed.Contains(Timeframe.M1));
        Assert.True(closed.Contains(Timeframe.M5));
        Assert.False(closed.Contains(Timeframe.M15));
        Assert.Equal(new Candle(Minute(0), 9, 24, 1, 14, 15, 500, 10, 7.5, 250), builder.Closed(Timeframe.M5));
        Assert.Equal(Minute(5), builder.Forming(Timeframe.M5).OpenTime);
        Assert.Equal(50, builder.Forming(Timeframe.M5).Close);
        Assert.Equal(9, builder.Forming(Timeframe.M15).Open);
        Assert.Equal(50, builder.Forming(Timeframe.M15).Close);
    }

    [Fact]
    public void ReplaceLatest_RecomputesTheFormingBars()
    {
        var builder = new BarBuilder();
        builder.Add(At(0, close: 10, high: 12, low: 9));
        builder.Add(At(1, close: 11, high: 30, low: 8, quote: 500));
        builder.ReplaceLatest(At(1, close: 11, high: 11, low: 10, quote: 7));
        var bar = builder.Forming(Timeframe.M5);
        Assert.Equal(12, bar.High);
        Assert.Equal(9, bar.Low);
        Assert.Equal(1007, bar.QuoteVolume);
    }

    [Fact]
    public void Gap_LeavesMissingMinutesOutOfTheBar()
    {
        var builder = new BarBuilder();
        builder.Add(At(0, close: 10, quote: 1));
        var closed = builder.Add(At(62, close: 20, quote: 2));
        Assert.True(closed.Contains(Timeframe.H1));
        Assert.Equal(1, builder.Closed(Timeframe.H1).QuoteVolume);
        Assert.Equal(Minute(60), builder.Forming(Timeframe.H1).OpenTime);
        Assert.Equal(2, builder.Forming(Timeframe.H1).QuoteVolume);
    }

    [Fact]
    public void Aggregate_GivesAlignedBarsLikeStreaming()
    {
        var candles = Enumerable.Range(0, 200).Select(m => At(m + 7, close: 100 + m % 13, quote: m)).ToArray();
        var bars = new List<Candle>();
        BarBuilder.Aggregate(candles, Timeframe.H1, bars);

        var builder = new BarBuilder();
        var streamed = new List<Candle>();
        foreach (var c in candles)
        {
            if (builder.Add(c).Contains(Timeframe.H1))
            {
                streamed.Add(builder.Closed(Timeframe.H1));
            }
        }
        streamed.Add(builder.Forming(Timeframe.H1));

        Assert.Equal(4, bars.Count);
        Assert.Equal(streamed, bars);
        Assert.Equal(Minute(0), bars[0].OpenTime);
        Assert.Equal(Enumerable.Range(0, 53).Sum(), bars[0].QuoteVolume);
    }
}
