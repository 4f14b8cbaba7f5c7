using System.Runtime.InteropServices;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests;

public class SeedingTests
{
    private const long DayMs = 86_400_000;
    private static readonly Timeframe[] Seeded = [Timeframe.H4, Timeframe.H8, Timeframe.D1];

    /// <summary>A random walk of 1m candles over <paramref name="days"/> days from T0 + <paramref name="startMinute"/>, with random gaps.</summary>
    private static List<Candle> Series(int seed, int days, int startMinute, double gapChance)
    {
        var rng = new Random(seed);
        var list = new List<Candle>(days * 1440);
        var price = 10 + (rng.NextDouble() * 1000);
        for (var m = startMinute; m < days * 1440; m++)
        {
            if (rng.NextDouble() < gapChance)
            {
                continue;
            }
            var open = price;
            price *= Math.Exp((rng.NextDouble() - 0.5) * 0.004);
            var high = Math.Max(open, price) * (1 + (rng.NextDouble() * 0.001));
            var low = Math.Min(open, price) * (1 - (rng.NextDouble() * 0.001));
            var volume = rng.NextDouble() * 50;
            var quote = volume * price;
            list.Add(new Candle(Minute(m), open, high, low, price, volume, quote, rng.Next(1, 500), volume / 2, quote / 2));
        }
        return list;
    }

    private static List<Candle> Aggregate(IEnumerable<Candle> candles, Timeframe tf)
    {
        var bars = new List<Candle>();
        BarBuilder.Aggregate(candles.ToArray(), tf, bars);
        return bars;
    }

    private static bool SameBits(in IndicatorValues a, in IndicatorValues b) =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<IndicatorValues>(in a)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<IndicatorValues>(in b)));

    [Theory]
    [InlineData(1, 56, 54, 0, 0.0)]
    [InlineData(2, 45, 40, 637, 0.0)] // history starting mid-day: its first bars are partial, in both engines
    [InlineData(3, 50, 47, 0, 0.02)] // random missing minutes
    [InlineData(4, 42, 41, 1000, 0.3)]
    public void SeededEngine_HasBitIdenticalHigherTimeframeIndicators(int seed, int days, int seedDays, int startMinute, double gapChance)
    {
        var candles = Series(seed, days, startMinute, gapChance);
        var split = T0 + (seedDays * DayMs);
        var before = candles.Where(c => c.OpenTime < split).ToList();
        var after = candles.Where(c => c.OpenTime >= split).ToList();

        var full = new MarketEngine();
        foreach (var c in before)
        {
            full.OnClosedCandle("XUSDT", c);
        }
        var seeded = new MarketEngine();
        foreach (var tf in Seeded)
        {
            var bars = Aggregate(before, tf);
            Assert.True(bars[^1].OpenTime + tf.DurationMs() <= split);
            seeded.SeedBars("XUSDT", tf, CollectionsMarshal.AsSpan(bars), after[0].OpenTime);
        }

        var compared = 0;
        for (var i = 0; i < after.Count; i++)
        {
            var a = full.OnClosedCandle("XUSDT", after[i]).Snapshot!;
            var b = seeded.OnClosedCandle("XUSDT", after[i]).Snapshot!;
            foreach (var tf in Seeded)
            {
                Assert.True(SameBits(a.Indicators[(int)tf], b.Indicators[(int)tf]), $"{tf.Name()} indicators differ at candle {i} ({after[i].OpenTime})");
                if (i > 0)
                {
                    Assert.True(SameBits(a.PreviousIndicators[(int)tf], b.PreviousIndicators[(int)tf]), $"{tf.Name()} previous indicators differ at candle {i}");
                }
                compared++;
            }
        }
        Assert.True(compared > 1000);

        // The comparison is not between two empty states: with 40+ days of bars the daily indicators are there.
        var last = seeded.TryGetSnapshot("XUSDT", out var snapshot) ? snapshot : throw new InvalidOperationException();
        var d1 = last.Indicators[(int)Timeframe.D1];
        Assert.False(double.IsNaN(d1.Rsi14));
        Assert.False(double.IsNaN(d1.MacdSignal));
        Assert.False(double.IsNaN(d1.Adx14));
        Assert.False(double.IsNaN(last.Indicators[(int)Timeframe.H4].Ema50));

        // And the seeds matter: an engine given only the later candles has no daily RSI.
        var unseeded = new MarketEngine();
        MetricsSnapshotProbe(unseeded, after);
        Assert.True(unseeded.TryGetSnapshot("XUSDT", out var bare) && double.IsNaN(bare.Indicators[(int)Timeframe.D1].Rsi14));
    }

    private static void MetricsSnapshotProbe(MarketEngine engine, List<Candle> candles)
    {
        foreach (var c in candles)
        {
            engine.OnClosedCandle("XUSDT", c);
        }
    }

    [Fact]
    public void SeedBars_AfterTheFirstCandle_Throws()
    {
        var engine = new MarketEngine();
        engine.OnClosedCandle("XUSDT", At(0));
        var bar = new Candle(T0 - DayMs, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        var ex = Assert.Throws<InvalidOperationException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [bar], Minute(0)));
        Assert.Contains("XUSDT", ex.Message);
    }

    [Fact]
    public void SeedBars_MisalignedBar_Throws()
    {
        var engine = new MarketEngine();
        var bar = new Candle(T0 - DayMs + Candle.MinuteMs, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        var ex = Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [bar], T0));
        Assert.Contains("boundary", ex.Message);
        var h4 = new Candle(T0 - (2 * 3_600_000), 1, 1, 1, 1, 1, 1, 1, 0, 0); // 22:00: an 8h... no, not even a 4h boundary
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.H4, [h4], T0));
    }

    [Fact]
    public void SeedBars_OutOfOrderOrRepeated_Throws()
    {
        var engine = new MarketEngine();
        Candle Day(int d) => new(T0 + (d * DayMs), 1, 1, 1, 1, 1, 1, 1, 0, 0);
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [Day(-1), Day(-2)], T0));
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [Day(-2), Day(-2)], T0));
        engine.SeedBars("XUSDT", Timeframe.D1, [Day(-3), Day(-2)], T0);
        // a later call continues after the bars seeded before
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [Day(-2)], T0));
        engine.SeedBars("XUSDT", Timeframe.D1, [Day(-1)], T0);
    }

    [Fact]
    public void SeedBars_BarReachingIntoTheFirstCandlesBar_Throws()
    {
        var engine = new MarketEngine();
        var first = T0 + (5 * 3_600_000); // 05:00: the day's 1d bar and the 04:00 4h bar are built from 1m candles
        var today = new Candle(T0, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [today], first));
        var h4At4 = new Candle(T0 + (4 * 3_600_000), 1, 1, 1, 1, 1, 1, 1, 0, 0);
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.H4, [h4At4], first));
        // the 00:00 4h bar ends at 04:00, before the first candle's 4h bar: allowed
        engine.SeedBars("XUSDT", Timeframe.H4, [today], first);
        // every seed of a symbol names the same first candle
        var yesterday = new Candle(T0 - DayMs, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [yesterday], first + Candle.MinuteMs));
        engine.SeedBars("XUSDT", Timeframe.D1, [yesterday], first);
    }

    [Fact]
    public void SeedBars_NotFinite_ThrowsAndCommitsNothing()
    {
        var engine = new MarketEngine();
        var good = new Candle(T0 - (2 * DayMs), 10, 11, 9, 10, 1, 10, 1, 0, 0);
        var bad = new Candle(T0 - DayMs, 10, double.NaN, 9, 10, 1, 10, 1, 0, 0);
        Assert.Throws<ArgumentException>(() => engine.SeedBars("XUSDT", Timeframe.D1, [good, bad], T0));
        // nothing of the refused call was kept: the good bar can still be seeded
        engine.SeedBars("XUSDT", Timeframe.D1, [good], T0);
    }

    [Fact]
    public void CheckSeedBars_RefusesWhatSeedBarsRefuses_WithoutAnEngine()
    {
        Candle Day(int d) => new(T0 + (d * DayMs), 10, 11, 9, 10, 1, 10, 1, 0, 0);
        MarketEngine.CheckSeedBars("XUSDT", Timeframe.D1, [Day(-2), Day(-1)], T0);
        Assert.Contains("boundary", Assert.Throws<ArgumentException>(
            () => MarketEngine.CheckSeedBars("XUSDT", Timeframe.D1, [Day(-1) with { OpenTime = T0 - DayMs + Candle.MinuteMs }], T0)).Message);
        Assert.Throws<ArgumentException>(() => MarketEngine.CheckSeedBars("XUSDT", Timeframe.D1, [Day(-1), Day(-2)], T0));
        Assert.Throws<ArgumentException>(() => MarketEngine.CheckSeedBars("XUSDT", Timeframe.D1, [Day(0)], T0));
        Assert.Throws<ArgumentException>(() => MarketEngine.CheckSeedBars("XUSDT", Timeframe.D1, [Day(-1) with { High = double.NaN }], T0));
    }

    [Fact]
    public void Reset_ForgetsTheSeeds()
    {
        var engine = new MarketEngine();
        var bars = Aggregate(Series(9, 30, 0, 0), Timeframe.D1);
        var start = T0 + (30 * DayMs);
        Assert.False(engine.IsSeeded("XUSDT"));
        engine.SeedBars("XUSDT", Timeframe.D1, CollectionsMarshal.AsSpan(bars), start);
        Assert.True(engine.IsSeeded("XUSDT"));
        engine.Reset("XUSDT");
        Assert.False(engine.IsSeeded("XUSDT"));
        engine.SeedBars("XUSDT", Timeframe.D1, CollectionsMarshal.AsSpan(bars), start + Candle.MinuteMs);
        var snapshot = engine.OnClosedCandle("XUSDT", new Candle(start + Candle.MinuteMs, 1, 1, 1, 1, 1, 1, 1, 0, 0)).Snapshot!;
        Assert.False(double.IsNaN(snapshot.Indicators[(int)Timeframe.D1].Rsi14));
        Assert.True(double.IsNaN(snapshot.Indicators[(int)Timeframe.H4].Rsi14));
    }
}
