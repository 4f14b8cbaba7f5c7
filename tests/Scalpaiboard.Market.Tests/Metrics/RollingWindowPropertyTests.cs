using FsCheck;
using FsCheck.Fluent;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Market.Tests.Metrics;

/// <summary>Streaming windows against a batch recomputation over a random candle feed with gaps and corrections.</summary>
public class RollingWindowPropertyTests
{
    private const double Tolerance = 1e-12;

    private sealed record Scenario(int Seed, int Length, int GapPerMille, int ReplacePerMille, int OpenJumpPercent);

    private static readonly Arbitrary<Scenario> Scenarios =
        (from seed in Gen.Choose(0, int.MaxValue - 1)
         from length in Gen.Choose(1, 3200)
         from gaps in Gen.Elements(0, 1, 5)
         from replaces in Gen.Elements(0, 10, 50)
         from openJumps in Gen.Elements(0, 1, 3, 30)
         select new Scenario(seed, length, gaps, replaces, openJumps)).ToArbitrary();

    [Fact]
    public void StreamingWindows_EqualBatchRecomputation()
    {
        Prop.ForAll(Scenarios, scenario => Run(scenario))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    private static bool Run(Scenario scenario)
    {
        var rng = new Random(scenario.Seed);
        var state = new SymbolState();
        var history = new List<Candle>(); // the contiguous run since the last gap
        var minute = 0;
        var price = 100.0;
        for (var step = 0; step < scenario.Length; step++)
        {
            var roll = rng.Next(1000);
            if (history.Count > 0 && roll < scenario.ReplacePerMille)
            {
                var replacement = Random(rng, history[^1].OpenTime, ref price, scenario.OpenJumpPercent);
                Assert.Equal(CandleStatus.Replaced, state.Apply(replacement));
                history[^1] = replacement;
            }
            else if (history.Count > 1 && roll < scenario.ReplacePerMille + 10)
            {
                var old = history[^(1 + rng.Next(Math.Min(history.Count, 50)))];
                Assert.Equal(CandleStatus.Duplicate, state.Apply(old));
            }
            else
            {
                var gap = history.Count > 0 && rng.Next(1000) < scenario.GapPerMille;
                minute += gap ? 2 + rng.Next(300) : 1;
                var candle = Random(rng, TestCandles.Minute(minute), ref price, scenario.OpenJumpPercent);
                var expected = history.Count == 0 ? CandleStatus.Appended : gap ? CandleStatus.AppendedAfterGap : CandleStatus.Appended;
                Assert.Equal(expected, state.Apply(candle));
                if (gap)
                {
                    history.Clear();
                }
                history.Add(candle);
            }
            if (step % 7 == 0 || step == scenario.Length - 1)
            {
                Compare(state, history);
            }
        }
        return true;
    }

    /// <summary>A candle opening at the previous close, except for <paramref name="openJumpPercent"/> % of them.</summary>
    private static Candle Random(Random rng, long openTime, ref double price, int openJumpPercent)
    {
        var open = rng.Next(100) < openJumpPercent ? price * (1 + (rng.NextDouble() - 0.5) * 0.001) : price;
        price *= Math.Exp((rng.NextDouble() - 0.5) * 0.02);
        var high = Math.Max(open, price) * (1 + rng.NextDouble() * 0.01);
        var low = Math.Min(open, price) * (1 - rng.NextDouble() * 0.01);
        // Quote volumes across many magnitudes: a plain rolling double sum drifts on these.
        var quote = Math.Pow(10, rng.NextDouble() * 9 - 2);
        return new Candle(openTime, open, high, low, price, quote / price, quote, rng.Next(0, 5000), 0, 0);
    }

    private static void Compare(SymbolState state, List<Candle> history)
    {
        var n = history.Count;
        for (var w = 0; w < Windows.Count; w++)
        {
            var window = (Window)w;
            var len = Windows.Minutes[w];
            var change = n > len ? (history[n - 1].Close / history[n - 1 - len].Close - 1) * 100 : double.NaN;
            Assert.Equal(change, state.Change(window));
            if (n < len)
            {
                Assert.True(double.IsNaN(state.QuoteVolume(window)));
                Assert.True(double.IsNaN(state.High(window)));
                Assert.True(double.IsNaN(state.Open(window)));
                continue;
            }
            decimal quote = 0, baseVolume = 0;
            long trades = 0;
            double high = double.MinValue, low = double.MaxValue;
            for (var i = n - len; i < n; i++)
            {
                quote += (decimal)history[i].QuoteVolume;
                baseVolume += (decimal)history[i].Volume;
                trades += history[i].Trades;
                high = Math.Max(high, history[i].High);
                low = Math.Min(low, history[i].Low);
            }
            Near((double)quote, state.QuoteVolume(window));
            Near((double)baseVolume, state.BaseVolume(window));
            Assert.Equal(trades, state.Trades(window));
            Assert.Equal(high, state.High(window));
            Assert.Equal(low, state.Low(window));
            Assert.Equal(history[n - len].Open, state.Open(window));
        }
    }

    private static void Near(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)),
            $"expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / Math.Abs(expected):E2})");
}
