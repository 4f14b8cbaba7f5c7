using Scalpaiboard.Ai.Services.Patterns;

namespace Scalpaiboard.Ai.Tests.Patterns;

public sealed class PatternDetectorTests
{
    [Fact]
    public void Double_top_with_broken_neckline_is_confirmed()
    {
        var bars = Path((0, 100), (20, 110), (30, 104), (40, 110), (48, 103));
        var top = Assert.Single(PatternDetector.Detect(bars), p => p.Name == "double_top");
        Assert.Equal("confirmed", top.Status);
        Assert.Equal("bearish", top.Bias);
        Assert.InRange(top.Confidence, 0.8, 0.95);
        Assert.Equal(103.9, top.Levels["neckline"], 6);
        Assert.DoesNotContain(PatternDetector.Detect(bars), p => p.Name == "double_bottom");
    }

    [Fact]
    public void Double_bottom_mirrors_the_top()
    {
        var bars = Path((0, 100), (20, 90), (30, 96), (40, 90), (46, 94));
        var bottom = Assert.Single(PatternDetector.Detect(bars), p => p.Name == "double_bottom");
        Assert.Equal("forming", bottom.Status); // 94 has not closed above the 96.1 neckline yet
        Assert.Equal("bullish", bottom.Bias);
    }

    [Fact]
    public void Head_and_shoulders_from_three_peaks()
    {
        var bars = Path((0, 100), (10, 108), (18, 103), (30, 114), (42, 103), (52, 108), (60, 101));
        var hs = Assert.Single(PatternDetector.Detect(bars), p => p.Name == "head_and_shoulders");
        Assert.Equal("confirmed", hs.Status);
        Assert.Equal(114.1, hs.Levels["head"], 6);
        Assert.DoesNotContain(PatternDetector.Detect(bars), p => p.Name == "double_top");
    }

    [Fact]
    public void Inverse_head_and_shoulders()
    {
        var bars = Path((0, 100), (10, 92), (18, 97), (30, 86), (42, 97), (52, 92), (60, 96));
        Assert.Contains(PatternDetector.Detect(bars), p => p.Name == "inverse_head_and_shoulders" && p.Bias == "bullish");
    }

    [Fact]
    public void Flat_highs_and_rising_lows_make_an_ascending_triangle()
    {
        var bars = Path((0, 100), (8, 110), (16, 102), (24, 110), (32, 104), (40, 110), (48, 106), (56, 110), (62, 108));
        var triangle = Assert.Single(PatternDetector.Detect(bars), p => p.Name.EndsWith("triangle", StringComparison.Ordinal));
        Assert.Equal("ascending_triangle", triangle.Name);
        Assert.Equal("forming", triangle.Status);
    }

    [Fact]
    public void Falling_highs_and_flat_lows_make_a_descending_triangle()
    {
        var bars = Path((0, 110), (8, 100), (16, 108), (24, 100), (32, 106), (40, 100), (48, 104), (56, 100), (62, 102));
        Assert.Contains(PatternDetector.Detect(bars), p => p.Name == "descending_triangle");
    }

    [Fact]
    public void Converging_highs_and_lows_make_a_symmetric_triangle()
    {
        var bars = Path((0, 104), (8, 114), (16, 96), (24, 112), (32, 98), (40, 110), (48, 100), (56, 108), (62, 104));
        Assert.Contains(PatternDetector.Detect(bars), p => p.Name == "symmetric_triangle");
    }

    [Fact]
    public void Strong_rise_then_tight_drift_is_a_bull_flag()
    {
        var bars = Path((0, 100), (30, 101), (38, 112), (44, 110.5), (50, 111), (55, 110));
        var flag = Assert.Single(PatternDetector.Detect(bars), p => p.Name == "bull_flag");
        Assert.True(flag.Levels["target"] > 115);
        Assert.DoesNotContain(PatternDetector.Detect(bars), p => p.Name == "bear_flag");
    }

    [Fact]
    public void Strong_drop_then_tight_drift_is_a_bear_flag()
    {
        var bars = Path((0, 100), (30, 99), (38, 88), (44, 89.5), (50, 89), (55, 90));
        Assert.Contains(PatternDetector.Detect(bars), p => p.Name == "bear_flag" && p.Bias == "bearish");
    }

    [Fact]
    public void A_steady_trend_or_a_short_series_has_no_pattern()
    {
        Assert.Empty(PatternDetector.Detect(Path((0, 100), (80, 140))));
        Assert.Empty(PatternDetector.Detect(Path((0, 100), (10, 110), (18, 100))));
    }

    [Fact]
    public void Swing_points_are_local_extremes_of_their_neighbourhood()
    {
        var bars = Path((0, 100), (10, 110), (20, 100), (30, 110), (40, 100));
        var swings = SwingPoints.Find(bars, 3);
        Assert.Equal([10, 30], swings.Where(s => s.IsHigh).Select(s => s.Index));
        Assert.Equal([20], swings.Where(s => !s.IsHigh).Select(s => s.Index));
    }

    /// <summary>Bars along straight lines between anchor points (index, close), with a 0.1 wick each side.</summary>
    internal static List<Bar> Path(params (int Index, double Price)[] anchors)
    {
        var bars = new List<Bar>();
        var prev = anchors[0].Price;
        for (var a = 1; a < anchors.Length; a++)
        {
            var (i0, p0) = anchors[a - 1];
            var (i1, p1) = anchors[a];
            for (var i = a == 1 ? i0 : i0 + 1; i <= i1; i++)
            {
                var close = p0 + (p1 - p0) * (i - i0) / (i1 - i0);
                bars.Add(new Bar(i * 3_600_000L, prev, Math.Max(prev, close) + 0.1, Math.Min(prev, close) - 0.1, close, 1000));
                prev = close;
            }
        }
        return bars;
    }
}
