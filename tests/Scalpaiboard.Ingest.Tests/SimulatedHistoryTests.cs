using Scalpaiboard.Ingest.Services.Feeds.Simulated;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Tests;

public sealed class SimulatedHistoryTests
{
    private const long End = 1_772_409_600_000; // 2026-03-02T00:00:00Z

    [Fact]
    public void Four_hour_history_is_reproducible_plausible_and_ends_at_the_first_open()
    {
        var market = new SimulatedMarket(42, SimulatedSymbols.All.Length);
        for (var symbol = 0; symbol < SimulatedSymbols.All.Length; symbol++)
        {
            var info = SimulatedSymbols.All[symbol];
            var bars = SimulatedHistory.FourHourBars(42, symbol, End, 90, info.BasePrice);
            Assert.Equal(bars, SimulatedHistory.FourHourBars(42, symbol, End, 90, info.BasePrice));
            Assert.NotEqual(bars, SimulatedHistory.FourHourBars(7, symbol, End, 90, info.BasePrice));
            Assert.Equal(540, bars.Length);
            Assert.Equal(End - (90 * 86_400_000L), bars[0].OpenTime);
            Assert.Equal(End, bars[^1].OpenTime + Timeframe.H4.DurationMs());
            // the 1m history's first candle opens where the coarse history closes
            Assert.Equal(market.Generate(symbol, End / 60_000, info.BasePrice).Open, bars[^1].Close);
            for (var i = 0; i < bars.Length; i++)
            {
                var b = bars[i];
                Assert.True(b.High >= Math.Max(b.Open, b.Close) && b.Low <= Math.Min(b.Open, b.Close) && b.Low > 0, $"{info.Symbol} bar {i}: {b}");
                Assert.True(b.Volume > 0 && b.QuoteVolume > 0 && b.Trades > 0);
                if (i > 0)
                {
                    Assert.Equal(bars[i - 1].Close, b.Open);
                    Assert.Equal(bars[i - 1].OpenTime + Timeframe.H4.DurationMs(), b.OpenTime);
                }
            }
            // plausible: within a factor of three of today's price over 90 days, a day's volume near the 24 h volume
            Assert.InRange(bars.Max(b => b.High) / info.BasePrice, 1, 3);
            Assert.InRange(bars.Min(b => b.Low) / info.BasePrice, 1 / 3.0, 1);
            Assert.InRange(bars.Sum(b => b.QuoteVolume) / 90 / info.DailyQuoteVolume, 0.7, 1.3);
        }
    }
}
