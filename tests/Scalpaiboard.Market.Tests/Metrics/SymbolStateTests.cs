using Scalpaiboard.Market.Metrics;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Metrics;

public class SymbolStateTests
{
    private static SymbolState Feed(int minutes, Func<int, double>? close = null)
    {
        var state = new SymbolState();
        for (var m = 0; m < minutes; m++)
        {
            Assert.Equal(CandleStatus.Appended, state.Apply(At(m, close?.Invoke(m) ?? 100 + m, quote: 1000 + m)));
        }
        return state;
    }

    [Fact]
    public void Change_NeedsTheCandleExactlyNMinutesBack()
    {
        var state = Feed(5);
        Assert.True(double.IsNaN(state.Change(Window.M5)));
        Assert.Equal(CandleStatus.Appended, state.Apply(At(5, 110)));
        Assert.Equal((110.0 / 100 - 1) * 100, state.Change(Window.M5));
    }

    [Fact]
    public void Volume_NeedsNContiguousCandles()
    {
        var state = Feed(4);
        Assert.True(double.IsNaN(state.QuoteVolume(Window.M5)));
        state.Apply(At(4, quote: 1004));
        Assert.Equal(1000.0 + 1001 + 1002 + 1003 + 1004, state.QuoteVolume(Window.M5));
    }

    [Fact]
    public void OneDay_ChangeUsesTheCandleTheRingHasJustOverwritten()
    {
        var state = Feed(1441, m => 100 + m);
        Assert.Equal((1540.0 / 100 - 1) * 100, state.Change(Window.D1));
        state.Apply(At(1441, 2000));
        Assert.Equal((2000.0 / 101 - 1) * 100, state.Change(Window.D1));
    }

    [Fact]
    public void Duplicate_OfLatestOrOfAnOlderCandle_IsIgnored()
    {
        var state = Feed(10);
        Assert.Equal(CandleStatus.Duplicate, state.Apply(At(9, 109, quote: 1009)));
        Assert.Equal(CandleStatus.Duplicate, state.Apply(At(3, 103, quote: 1003)));
        Assert.Equal(2, state.Duplicates);
        Assert.Equal(0, state.Rejected);
        Assert.Equal(Minute(9), state.LatestOpenTime);
    }

    [Fact]
    public void OlderCandle_WithOtherValues_IsRejectedAndCounted()
    {
        var state = Feed(10);
        var before = state.QuoteVolume(Window.M5);
        Assert.Equal(CandleStatus.Rejected, state.Apply(At(3, 999)));
        Assert.Equal(CandleStatus.Rejected, state.Apply(At(-500, 1)));
        Assert.Equal(2, state.Rejected);
        Assert.Equal(before, state.QuoteVolume(Window.M5));
        Assert.Equal(109, state.LatestClose);
    }

    [Fact]
    public void SameOpenTimeAsLatest_WithOtherValues_ReplacesItAndRecomputes()
    {
        var state = Feed(20);
        Assert.Equal(CandleStatus.Replaced, state.Apply(At(19, 50, quote: 1, high: 500, low: 1)));
        Assert.Equal(1, state.Replacements);
        Assert.Equal(50, state.LatestClose);
        Assert.Equal(1015.0 + 1016 + 1017 + 1018 + 1, state.QuoteVolume(Window.M5));
        Assert.Equal(500, state.High(Window.M5));
        Assert.Equal(1, state.Low(Window.M15));
        Assert.Equal((50.0 / 114 - 1) * 100, state.Change(Window.M5));

        // A lower high after a higher one: the deque is rebuilt, not left with the old maximum.
        state.Apply(At(19, 50, quote: 1, high: 50, low: 50));
        Assert.Equal(118, state.High(Window.M5));
    }

    [Fact]
    public void Gap_MakesSpanningWindowsUnavailable_UntilContiguousHistoryFollows()
    {
        var state = Feed(100);
        Assert.False(double.IsNaN(state.Change(Window.H1)));

        Assert.Equal(CandleStatus.AppendedAfterGap, state.Apply(At(103, 200)));
        Assert.Equal(1, state.Gaps);
        Assert.True(double.IsNaN(state.Change(Window.M5)));
        Assert.True(double.IsNaN(state.QuoteVolume(Window.M5)));
        Assert.True(double.IsNaN(state.PreviousClose));

        for (var m = 104; m <= 107; m++)
        {
            state.Apply(At(m, 200 + m - 103, quote: 10));
        }
        Assert.Equal(1000.0 + 40, state.QuoteVolume(Window.M5));
        Assert.True(double.IsNaN(state.Change(Window.M5)));
        state.Apply(At(108, 300, quote: 10));
        Assert.Equal((300.0 / 200 - 1) * 100, state.Change(Window.M5));
        Assert.True(double.IsNaN(state.Change(Window.H1)));
        Assert.True(double.IsNaN(state.QuoteVolume(Window.H1)));
    }

    [Fact]
    public void RollingBar_HasOpenHighLowTradesOfTheWindow()
    {
        var state = new SymbolState();
        double[] highs = [5, 9, 3, 7, 4, 6, 2];
        for (var m = 0; m < highs.Length; m++)
        {
            state.Apply(At(m, 2, open: 1 + m, high: highs[m], low: 1.0 / highs[m], trades: m + 1));
        }
        Assert.Equal(3, state.Open(Window.M5));
        Assert.Equal(7, state.High(Window.M5));
        Assert.Equal(1.0 / 7, state.Low(Window.M5));
        Assert.Equal(3 + 4 + 5 + 6 + 7, state.Trades(Window.M5));
    }

    [Fact]
    public void VolumeSums_DoNotDrift_OverMonthsOfUpdates()
    {
        var rng = new Random(3);
        var state = new SymbolState();
        var quotes = new double[300_000];
        for (var m = 0; m < quotes.Length; m++)
        {
            // Small volumes with rare huge bursts: a plain rolling sum keeps the bursts' rounding error after they leave.
            quotes[m] = rng.Next(100) == 0 ? Math.Pow(10, 9 + rng.NextDouble()) : Math.Pow(10, rng.NextDouble() * 4 - 2);
            state.Apply(At(m, 100, quote: quotes[m]));
        }
        foreach (var window in new[] { Window.M5, Window.M15, Window.H1, Window.D1 })
        {
            var n = Windows.Minutes[(int)window];
            decimal exact = 0;
            for (var m = quotes.Length - n; m < quotes.Length; m++)
            {
                exact += (decimal)quotes[m];
            }
            var got = state.QuoteVolume(window);
            Assert.True(Math.Abs(got - (double)exact) <= 1e-12 * (double)exact, $"{window}: {got:R} vs {exact}");
        }
    }
}
