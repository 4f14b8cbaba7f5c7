using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests;

public class MarketEngineTests
{
    [Fact]
    public void OnClosedCandle_FillsTheSnapshot()
    {
        var engine = new MarketEngine();
        MarketUpdate update = default;
        for (var m = 0; m < 61; m++)
        {
            update = engine.OnClosedCandle("AUSDT", At(m, 100 + m, quote: 10));
        }
        var s = update.Snapshot!;
        Assert.Equal("AUSDT", s.Symbol);
        Assert.Equal(Minute(60), s.OpenTime);
        Assert.Equal(160, s.Price);
        Assert.Equal(159, s.PreviousPrice);
        Assert.Equal((160.0 / 100 - 1) * 100, s.Change[(int)Window.H1]);
        Assert.Equal(600, s.QuoteVolume[(int)Window.H1]);
        Assert.True(double.IsNaN(s.Change[(int)Window.H4]));
        Assert.True(engine.TryGetSnapshot("AUSDT", out var latest));
        Assert.Same(s, latest);
    }

    [Fact]
    public void Duplicates_AndOlderCandles_AreCountedAndGiveNoSnapshot()
    {
        var engine = new MarketEngine();
        engine.OnClosedCandle("AUSDT", At(0));
        engine.OnClosedCandle("AUSDT", At(1));
        var dup = engine.OnClosedCandle("AUSDT", At(1));
        var old = engine.OnClosedCandle("AUSDT", At(0, 5));
        Assert.Equal((CandleStatus.Duplicate, (MetricsSnapshot?)null), (dup.Status, dup.Snapshot));
        Assert.Equal((CandleStatus.Rejected, (MetricsSnapshot?)null), (old.Status, old.Snapshot));
        Assert.Equal((2L, 1L, 1L), (engine.Accepted, engine.Duplicates, engine.Rejected));
    }

    [Fact]
    public void Presets_FireThenCoolDown()
    {
        var engine = new MarketEngine();
        // Flat, then a pump on rising volume: pioneer bull holds for several minutes in a row.
        var fired = new List<int>();
        var held = new List<int>();
        for (var m = 0; m < 40; m++)
        {
            var close = m < 20 ? 100 : 100 * Math.Pow(1.01, m - 19);
            var update = engine.OnClosedCandle("AUSDT", At(m, close, quote: m < 20 ? 1000 : 1000 * (m - 18)));
            if (update.Held.Contains(PresetType.PioneerBull))
            {
                held.Add(m);
            }
            if (update.Fired.Contains(PresetType.PioneerBull))
            {
                fired.Add(m);
            }
        }
        Assert.True(held.Count >= 6);
        Assert.Equal(held[0], fired[0]);
        for (var i = 1; i < fired.Count; i++)
        {
            Assert.True(fired[i] - fired[i - 1] >= 5);
        }
        Assert.Contains(held[0] + 5, fired);
    }

    [Fact]
    public void ReplacedCandle_RecomputesButKeepsCooldownAndPreviousIndicators()
    {
        var engine = new MarketEngine();
        for (var m = 0; m < 10; m++)
        {
            engine.OnClosedCandle("AUSDT", At(m, 100, quote: 10));
        }
        var update = engine.OnClosedCandle("AUSDT", At(9, 120, quote: 10));
        Assert.Equal(CandleStatus.Replaced, update.Status);
        Assert.Equal(120, update.Snapshot!.Price);
        Assert.Equal(20, update.Snapshot.Change[(int)Window.M5], 12);
        Assert.Equal(120, engine.GetBars("AUSDT")!.Forming(Timeframe.M5).Close);
    }

    [Fact]
    public void Indicators_EqualABatchReplayOfTheAlignedBars_AndPreviousOnesShift()
    {
        var engine = new MarketEngine();
        var candles = new List<Candle>();
        MarketUpdate update = default;
        for (var m = 0; m < 1500; m++)
        {
            candles.Add(At(m, 100 + Math.Sin(m / 37.0) * 3 + m * 0.01, quote: 10 + m % 7, high: 104 + m * 0.01, low: 96));
            update = engine.OnClosedCandle("AUSDT", candles[^1]);
        }
        var s = update.Snapshot!;
        foreach (var tf in MarketEngineOptions.DefaultIndicatorTimeframes)
        {
            var bars = new List<Candle>();
            BarBuilder.Aggregate(candles.ToArray(), tf, bars);
            var batch = new TimeframeIndicators();
            for (var i = 0; i < bars.Count - 1; i++)
            {
                batch.OnBarClosed(bars[i]);
            }
            var expected = IndicatorValues.Unavailable;
            batch.Compute(bars[^1], ref expected);
            Assert.Equal(expected, s.Indicators[(int)tf]);
        }
        Assert.Equal(IndicatorValues.Unavailable, s.Indicators[(int)Timeframe.M1]);

        var previous = s.Indicators[(int)Timeframe.M5];
        update = engine.OnClosedCandle("AUSDT", At(1500, 101, quote: 10));
        Assert.Equal(previous, update.Snapshot!.PreviousIndicators[(int)Timeframe.M5]);
    }

    [Fact]
    public void Reset_ForgetsTheHistory()
    {
        var engine = new MarketEngine();
        engine.OnClosedCandle("AUSDT", At(10));
        engine.Reset("AUSDT");
        Assert.Equal(CandleStatus.Appended, engine.OnClosedCandle("AUSDT", At(0)).Status);
    }

    [Fact]
    public void Symbols_in_any_order_get_their_own_state_whatever_the_guess_of_the_next_symbol()
    {
        // The engine guesses each candle's symbol from the order of the previous minute before it looks it up; the
        // order here changes every minute (rotations, reversals, swaps, a symbol skipped, new string instances), and
        // every symbol's results must be those of an engine that sees that symbol alone.
        string[] symbols = ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"];
        var shared = new MarketEngine();
        var alone = symbols.Select(_ => new MarketEngine()).ToArray();
        var feed = new EngineFingerprintTests.MessyFeed(seed: 11);
        var random = new Random(3);
        var order = new[] { 0, 1, 2, 3 };
        for (var m = 0; m < 3 * 1440; m++)
        {
            if (m % 7 == 0)
            {
                random.Shuffle(order);
            }

            var candles = symbols.Select((_, s) => feed.Next(s, m).ToArray()).ToArray();
            foreach (var s in order)
            {
                if (m % 13 == 5 && s == order[0])
                {
                    continue;
                }

                var name = m % 2 == 0 ? symbols[s] : new string(symbols[s].AsSpan());
                foreach (var candle in candles[s])
                {
                    var got = shared.OnClosedCandle(name, candle);
                    var expected = alone[s].OnClosedCandle(symbols[s], candle);
                    Assert.Equal(expected.Status, got.Status);
                    Assert.Equal(expected.Held, got.Held);
                    if (expected.Snapshot is { } e)
                    {
                        var g = got.Snapshot!;
                        Assert.Equal(symbols[s], g.Symbol);
                        Assert.Equal(e.OpenTime, g.OpenTime);
                        Assert.Equal(e.Price, g.Price);
                        Assert.Equal(e.QuoteVolume, g.QuoteVolume);
                        Assert.Equal(e.High, g.High);
                        Assert.Equal(e.Indicators[(int)Timeframe.M5].Rsi14, g.Indicators[(int)Timeframe.M5].Rsi14);
                        Assert.Equal(e.Indicators[(int)Timeframe.H1].Cci20, g.Indicators[(int)Timeframe.H1].Cci20);
                    }
                }
            }
        }

        Assert.Equal(symbols.Length, shared.SymbolCount);
    }
}
