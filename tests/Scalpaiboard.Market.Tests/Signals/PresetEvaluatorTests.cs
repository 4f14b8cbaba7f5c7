using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;
using static Scalpaiboard.Market.Tests.TestCandles;

namespace Scalpaiboard.Market.Tests.Signals;

public class PresetEvaluatorTests
{
    private static readonly PresetEvaluator Evaluator = new();

    /// <summary>A snapshot on which the preset holds (all other windows available with neutral values).</summary>
    private static MetricsSnapshot Firing(PresetType type) => type switch
    {
        PresetType.BigBull60 => Snapshot(c5: 0, c15: 0, c1h: 2, c4h: 0, c8h: 5, c1d: 10, v5: 1, v15: 1, v1h: 1e6, v4h: 1, v8h: 5.5e6, v1d: 1.5e7),
        PresetType.BigBear60 => Snapshot(c5: 0, c15: 0, c1h: -2, c4h: 0, c8h: -5, c1d: -10, v5: 1, v15: 1, v1h: 1e6, v4h: 1, v8h: 5.5e6, v1d: 1.5e7),
        PresetType.PioneerBull => Snapshot(c5: 1.5, c15: 2, c1h: 0, c4h: 0, c8h: 0, c1d: 0, v5: 100, v15: 150, v1h: 1, v4h: 1, v8h: 1, v1d: 1),
        PresetType.PioneerBear => Snapshot(c5: -1.5, c15: -2, c1h: 0, c4h: 0, c8h: 0, c1d: 0, v5: 100, v15: 150, v1h: 1, v4h: 1, v8h: 1, v1d: 1),
        PresetType.FiveBigBull => Snapshot(c5: 0.8, c15: 1, c1h: 1.5, c4h: 0, c8h: 2, c1d: 5, v5: 2e5, v15: 5e5, v1h: 1.1e6, v4h: 1, v8h: 1e7, v1d: 1e8),
        PresetType.FiveBigBear => Snapshot(c5: -0.8, c15: -1, c1h: -1.5, c4h: 0, c8h: -2, c1d: -5, v5: 2e5, v15: 5e5, v1h: 1.1e6, v4h: 1, v8h: 1e7, v1d: 1e8),
        PresetType.FifteenBigBull => Snapshot(c5: 0, c15: 1.5, c1h: 2, c4h: 0, c8h: 3, c1d: 5, v5: 1, v15: 5e5, v1h: 1.2e6, v4h: 1, v8h: 1e7, v1d: 1e8),
        PresetType.FifteenBigBear => Snapshot(c5: 0, c15: -1.5, c1h: -2, c4h: 0, c8h: -3, c1d: -5, v5: 1, v15: 5e5, v1h: 1.2e6, v4h: 1, v8h: 1e7, v1d: 1e8),
        PresetType.BottomHunter => Snapshot(c5: 0.6, c15: -0.8, c1h: -1, c4h: 0, c8h: 0, c1d: 0, v5: 100, v15: 150, v1h: 700, v4h: 1, v8h: 1, v1d: 1),
        PresetType.TopHunter => Snapshot(c5: -0.6, c15: 0.8, c1h: 1, c4h: 0, c8h: 0, c1d: 0, v5: 100, v15: 150, v1h: 700, v4h: 1, v8h: 1, v1d: 1),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static TheoryData<PresetType> AllPresets() => new(Enum.GetValues<PresetType>());

    [Theory]
    [MemberData(nameof(AllPresets))]
    public void Preset_Fires_WhenEveryConditionHolds(PresetType type) =>
        Assert.True(Evaluator.Evaluate(Firing(type)).Contains(type));

    /// <summary>(preset, window index, change or volume, the value that sits exactly on a threshold).</summary>
    public static TheoryData<PresetType, string, int, double> Boundaries() => new()
    {
        { PresetType.BigBull60, "c", 2, 1.6 },          // c_1h > 1.6
        { PresetType.BigBull60, "c", 5, 15 },           // c_1d < 15 (c_8h=5 still below)
        { PresetType.BigBull60, "v", 2, 500_000 },      // v_1h > 500k
        { PresetType.BigBull60, "v", 4, 6e6 },          // 6·v_1h > v_8h
        { PresetType.BigBear60, "c", 2, -1.6 },
        { PresetType.BigBear60, "v", 5, 1.6e7 },        // 16·v_1h > v_1d
        { PresetType.PioneerBull, "c", 0, 1 },
        { PresetType.PioneerBull, "c", 1, 4.5 },        // 3·c_5m > c_15m
        { PresetType.PioneerBull, "v", 1, 200 },        // 2·v_5m > v_15m
        { PresetType.PioneerBear, "c", 1, -1 },
        { PresetType.PioneerBear, "c", 1, -4.5 },       // c_15m > 3·c_5m
        { PresetType.FiveBigBull, "c", 0, 0.6 },
        { PresetType.FiveBigBull, "c", 1, 0.8 },        // c_15m > c_5m
        { PresetType.FiveBigBull, "v", 0, 100_000 },
        { PresetType.FiveBigBull, "v", 4, 1.32e7 },     // 66·v_5m > v_8h
        { PresetType.FiveBigBear, "c", 5, -15 },
        { PresetType.FifteenBigBull, "c", 1, 1 },
        { PresetType.FifteenBigBull, "v", 4, 1.3e7 },   // 26·v_15m > v_8h
        { PresetType.FifteenBigBear, "c", 4, -2 },      // c_8h < c_1h
        { PresetType.BottomHunter, "c", 2, -0.7 },
        { PresetType.BottomHunter, "c", 0, 0.5 },
        { PresetType.BottomHunter, "v", 2, 800 },       // 8·v_5m > v_1h
        { PresetType.TopHunter, "c", 1, 0.6 },
        { PresetType.TopHunter, "c", 0, -0.5 },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void Preset_DoesNotFire_OnAThresholdExactly(PresetType type, string metric, int window, double value)
    {
        var s = Firing(type);
        (metric == "c" ? s.Change : s.QuoteVolume)[window] = value;
        Assert.False(Evaluator.Evaluate(s).Contains(type));
    }

    [Theory]
    [MemberData(nameof(AllPresets))]
    public void Preset_DoesNotFire_WhenAWindowItNeedsIsUnavailable(PresetType type)
    {
        var needs = type switch
        {
            PresetType.BigBull60 or PresetType.BigBear60 => new[] { Window.H1, Window.H8, Window.D1 },
            PresetType.PioneerBull or PresetType.PioneerBear => [Window.M5, Window.M15],
            PresetType.FiveBigBull or PresetType.FiveBigBear => [Window.M5, Window.M15, Window.H1, Window.H8, Window.D1],
            PresetType.FifteenBigBull or PresetType.FifteenBigBear => [Window.M15, Window.H1, Window.H8, Window.D1],
            _ => [Window.M5, Window.M15, Window.H1],
        };
        foreach (var w in needs)
        {
            var s = Firing(type);
            s.Change[(int)w] = double.NaN;
            Assert.False(Evaluator.Evaluate(s).Contains(type), $"{type} fired without change_{w.Name()}");
            s = Firing(type);
            s.QuoteVolume[(int)w] = double.NaN;
            Assert.False(Evaluator.Evaluate(s).Contains(type), $"{type} fired without volume_{w.Name()}");
        }
        var unrelated = Firing(type);
        unrelated.Change[(int)Window.H4] = double.NaN;
        Assert.True(Evaluator.Evaluate(unrelated).Contains(type));
    }

    [Fact]
    public void MarketCap_BoundsApplyOnlyWhenKnown()
    {
        var s = Firing(PresetType.PioneerBull);
        Assert.True(Evaluator.Evaluate(s).Contains(PresetType.PioneerBull));
        s.MarketCap = 1e9;
        Assert.True(Evaluator.Evaluate(s).Contains(PresetType.PioneerBull));
        s.MarketCap = 23_000_000;
        Assert.True(Evaluator.Evaluate(s).IsEmpty);
        s.MarketCap = 3e9;
        Assert.True(Evaluator.Evaluate(s).IsEmpty);
    }

    [Fact]
    public void Thresholds_AreConfigurable()
    {
        var s = Firing(PresetType.PioneerBull);
        var strict = new PresetThresholds();
        strict.PioneerBull.Change5m = 1.6;
        Assert.False(new PresetEvaluator(strict).Evaluate(s).Contains(PresetType.PioneerBull));
        strict.PioneerBull.Change5m = 1.4;
        Assert.True(new PresetEvaluator(strict).Evaluate(s).Contains(PresetType.PioneerBull));
    }

    [Fact]
    public void Defaults_AreExactlySignalsMd()
    {
        var t = new PresetThresholds();
        Assert.Equal((1.6, 15.0, 500_000.0, 5_000_000.0, 6.0, 16.0),
            (t.BigBull60.Change1h, t.BigBull60.Change1d, t.BigBull60.Volume1h, t.BigBull60.Volume8h, t.BigBull60.Volume1hTo8hFactor, t.BigBull60.Volume1hTo1dFactor));
        Assert.Equal((-0.6, -15.0, 100_000.0, 1_000_000.0, 3.0, 6.0, 66.0),
            (t.FiveBigBear.Change5m, t.FiveBigBear.Change1d, t.FiveBigBear.Volume5m, t.FiveBigBear.Volume1h,
             t.FiveBigBear.Volume5mTo15mFactor, t.FiveBigBear.Volume5mTo1hFactor, t.FiveBigBear.Volume5mTo8hFactor));
        Assert.Equal((-0.7, -0.6, 0.5, 2.0, 8.0),
            (t.BottomHunter.Change1h, t.BottomHunter.Change15m, t.BottomHunter.Change5m, t.BottomHunter.Volume5mTo15mFactor, t.BottomHunter.Volume5mTo1hFactor));
        Assert.Equal((23_000_000.0, 2_500_000_000.0), (t.MinMarketCap, t.MaxMarketCap));
        Assert.Empty(t.Validate());
    }
}
