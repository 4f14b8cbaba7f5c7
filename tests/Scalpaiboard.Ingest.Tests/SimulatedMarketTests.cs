using Scalpaiboard.Ingest.Services.Feeds.Simulated;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Tests;

public sealed class SimulatedMarketTests
{
    [Theory]
    [InlineData(42, 29_000_000L)]
    [InlineData(7, 29_377_123L)]
    [InlineData(2026, 29_888_891L)]
    public void Every_preset_fires_in_every_clock_hour(int seed, long startMinute)
    {
        const int hours = 24;
        var market = new SimulatedMarket(seed);
        var first = startMinute - startMinute % 60;
        var length = 1440 + hours * 60;
        var firedByHour = new HashSet<string>[hours];
        for (var h = 0; h < hours; h++)
        {
            firedByHour[h] = [];
        }
        for (var s = 0; s < market.Symbols.Count; s++)
        {
            var close = new double[length];
            var prefix = new double[length + 1];
            var price = market.Symbols[s].BasePrice;
            for (var i = 0; i < length; i++)
            {
                var c = market.Generate(s, first - 1440 + i, price);
                Assert.True(c.Low <= Math.Min(c.Open, c.Close) && c.High >= Math.Max(c.Open, c.Close) && c.QuoteVolume > 0);
                price = c.Close;
                close[i] = c.Close;
                prefix[i + 1] = prefix[i] + c.QuoteVolume;
            }
            for (var i = 1440; i < length; i++)
            {
                foreach (var name in PresetOracle.Fired(close, prefix, i))
                {
                    firedByHour[(i - 1440) / 60].Add(name);
                }
            }
        }
        for (var h = 0; h < hours; h++)
        {
            var missing = PresetOracle.Names.Except(firedByHour[h]).ToArray();
            Assert.True(missing.Length == 0, $"hour {h}: {string.Join(", ", missing)} did not fire");
        }
    }

    [Fact]
    public void The_market_engine_fires_every_preset_in_every_clock_hour()
    {
        const int hours = 12;
        var market = new SimulatedMarket(42);
        var engine = new MarketEngine();
        var first = 29_100_000L - 29_100_000L % 60;
        var prices = market.Symbols.Select(s => s.BasePrice).ToArray();
        var firedByHour = Enumerable.Range(0, hours).Select(_ => new HashSet<PresetType>()).ToArray();
        for (var m = first - 1440; m < first + hours * 60; m++)
        {
            for (var s = 0; s < market.Symbols.Count; s++)
            {
                var c = market.Generate(s, m, prices[s]);
                prices[s] = c.Close;
                var update = engine.OnClosedCandle(market.Symbols[s].Symbol, c);
                if (m >= first)
                {
                    foreach (var type in update.Fired)
                    {
                        firedByHour[(m - first) / 60].Add(type);
                    }
                }
            }
        }
        for (var h = 0; h < hours; h++)
        {
            var missing = Enum.GetValues<PresetType>().Except(firedByHour[h]).ToArray();
            Assert.True(missing.Length == 0, $"hour {h}: {string.Join(", ", missing)} did not fire");
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_market_and_forming_candles_end_in_the_closed_one()
    {
        var a = new SimulatedMarket(5);
        var b = new SimulatedMarket(5);
        var other = new SimulatedMarket(6);
        var closed = a.Generate(3, 29_000_123, 100);
        Assert.Equal(closed, b.Generate(3, 29_000_123, 100));
        Assert.Equal(closed, a.Generate(3, 29_000_123, 100, seconds: 60));
        Assert.NotEqual(closed, other.Generate(3, 29_000_123, 100));
        var forming = a.Generate(3, 29_000_123, 100, seconds: 20);
        Assert.Equal(closed.Open, forming.Open);
        Assert.True(forming.QuoteVolume < closed.QuoteVolume);
        Assert.True(forming.High <= closed.High && forming.Low >= closed.Low);
    }

    [Fact]
    public void Prices_and_volumes_are_plausible()
    {
        var market = new SimulatedMarket(42);
        Assert.Equal(50, market.Symbols.Count);
        Assert.Contains(market.Symbols, s => s.Symbol == "BTCUSDT");
        for (var s = 0; s < market.Symbols.Count; s++)
        {
            var price = market.Symbols[s].BasePrice;
            double volume = 0;
            for (var m = 0; m < 1440 * 3; m++)
            {
                var c = market.Generate(s, 29_000_000 + m, price);
                price = c.Close;
                volume += c.QuoteVolume;
            }
            // Three days later the price is within a band of the start and daily volume near the nominal figure.
            Assert.InRange(price / market.Symbols[s].BasePrice, 0.7, 1.4);
            Assert.InRange(volume / 3 / market.Symbols[s].DailyQuoteVolume, 0.8, 2.0);
        }
        _ = Candle.MinuteMs;
    }
}
