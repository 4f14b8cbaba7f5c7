using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>
/// The market engine peeks all timeframes at once in SIMD lanes; every lane must give, bit for bit, what the scalar
/// kernel (<see cref="TimeframeIndicators"/>) gives for that timeframe on the same bars, at every candle: through
/// every warm-up stage of every indicator, after gaps, with one timeframe's lanes closing bars while others do not.
/// </summary>
public sealed class IndicatorLanesTests
{
    public static TheoryData<int, int> Configurations => new()
    {
        { 1, 6 }, // the default timeframes (six lanes)
        { 2, 7 }, // with 1m: seven lanes, an odd stride
        { 3, 1 }, // a single lane
    };

    /// <summary>
    /// Shocks up and down a few bars apart: SuperTrend and the parabolic SAR flip one way and straight back (a band
    /// the previous close broke, a reversal right after a reversal), the branches the smooth walk below rarely takes.
    /// </summary>
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Lanes_follow_the_scalar_kernel_through_whipsaws(int seed)
    {
        Timeframe[] timeframes = [Timeframe.M1, Timeframe.M5, Timeframe.M15];
        var engine = new MarketEngine(new MarketEngineOptions { IndicatorTimeframes = timeframes });
        var bars = new BarBuilder();
        var scalar = timeframes.Select(_ => new TimeframeIndicators()).ToArray();
        var random = new Random(seed);
        var time = DateTimeOffset.Parse("2026-01-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var price = 100d;
        var flips = 0;
        var previousDirection = double.NaN;
        for (var m = 0; m < 3000; m++)
        {
            time += Candle.MinuteMs;
            var open = price;
            // Calm minutes, and now and then a shock of 3 to 8 % that the next minutes may take back.
            var shock = random.Next(12) == 0 ? (random.Next(2) == 0 ? -1 : 1) * (0.03 + (random.NextDouble() * 0.05)) : 0;
            price *= Math.Exp(shock + ((random.NextDouble() - 0.5) * 0.002));
            var high = Math.Max(open, price) * (1 + (random.NextDouble() * 0.002));
            var low = Math.Min(open, price) * (1 - (random.NextDouble() * 0.002));
            var volume = random.NextDouble() * 1000;
            var candle = new Candle(time, open, high, low, price, volume, volume * price, 1 + random.Next(50), volume / 2, volume * price / 2);

            var update = engine.OnClosedCandle("AUSDT", candle);
            var closed = bars.Add(candle);
            for (var k = 0; k < timeframes.Length; k++)
            {
                if (closed.Contains(timeframes[k]))
                {
                    scalar[k].OnBarClosed(bars.Closed(timeframes[k]));
                }

                var expected = IndicatorValues.Unavailable;
                scalar[k].Compute(bars.Forming(timeframes[k]), ref expected);
                PackedIndicatorsTests.AssertBits(expected, update.Snapshot!.Indicators[(int)timeframes[k]], $"minute {m}, {timeframes[k]}");
            }

            var direction = update.Snapshot!.Indicators[(int)Timeframe.M1].SuperTrendDirection;
            flips += direction != previousDirection && !double.IsNaN(previousDirection) ? 1 : 0;
            previousDirection = direction;
        }

        Assert.True(flips > 100, $"the series must whipsaw ({flips} SuperTrend flips on 1m)");
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Every_lane_gives_the_scalar_kernels_bits_at_every_candle(int seed, int timeframeCount)
    {
        Timeframe[] timeframes = timeframeCount switch
        {
            6 => [.. MarketEngineOptions.DefaultIndicatorTimeframes],
            7 => [Timeframe.M1, .. MarketEngineOptions.DefaultIndicatorTimeframes],
            _ => [Timeframe.M15],
        };
        var engine = new MarketEngine(new MarketEngineOptions { IndicatorTimeframes = timeframes });
        var bars = new BarBuilder();
        var scalar = timeframes.Select(_ => new TimeframeIndicators()).ToArray();
        var random = new Random(seed);
        var start = DateTimeOffset.Parse("2026-01-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var time = start;
        var price = 100d;
        for (var m = 0; m < 3000; m++)
        {
            // Mostly consecutive minutes; now and then a gap (the engine restarts its windows, not its bars).
            time += Candle.MinuteMs * (random.Next(400) == 0 ? 1 + random.Next(90) : 1);
            var open = price;
            price *= Math.Exp((random.NextDouble() - 0.5) * 0.004);
            // Flat minutes (high = low = close, zero volume) now and then.
            var flat = random.Next(50) == 0;
            var high = flat ? open : Math.Max(open, price) * (1 + (random.NextDouble() * 0.001));
            var low = flat ? open : Math.Min(open, price) * (1 - (random.NextDouble() * 0.001));
            var close = flat ? open : price;
            var volume = flat ? 0 : random.NextDouble() * 1000;
            var candle = new Candle(time, open, high, low, close, volume, volume * close, 1 + random.Next(50), volume / 2, volume * close / 2);
            price = close;

            var update = engine.OnClosedCandle("AUSDT", candle);
            var closed = bars.Add(candle);
            for (var k = 0; k < timeframes.Length; k++)
            {
                if (closed.Contains(timeframes[k]))
                {
                    scalar[k].OnBarClosed(bars.Closed(timeframes[k]));
                }

                var expected = IndicatorValues.Unavailable;
                scalar[k].Compute(bars.Forming(timeframes[k]), ref expected);
                PackedIndicatorsTests.AssertBits(expected, update.Snapshot!.Indicators[(int)timeframes[k]], $"minute {m}, {timeframes[k]}");
            }
        }
    }
}
