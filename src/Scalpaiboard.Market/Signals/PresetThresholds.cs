namespace Scalpaiboard.Market.Signals;

/// <summary>
/// Every threshold of the ten presets (SIGNALS.md), bindable from configuration (e.g.
/// <c>Presets__PioneerBull__Change5m=1.2</c>). The defaults are exactly SIGNALS.md's. Changes are in percent,
/// volumes in quote currency (USDT), factors are the multipliers of the volume-ratio conditions
/// (e.g. <c>6·v_1h &gt; v_8h</c> has factor 6). Bull presets use "greater than" on their change thresholds, bear
/// presets "less than" on theirs (which is why the bear defaults are negative); hunters as SIGNALS.md says.
/// </summary>
public sealed class PresetThresholds
{
    public Big60Thresholds BigBull60 { get; set; } = Big60Thresholds.Bull();
    public Big60Thresholds BigBear60 { get; set; } = Big60Thresholds.Bear();
    public PioneerThresholds PioneerBull { get; set; } = PioneerThresholds.Bull();
    public PioneerThresholds PioneerBear { get; set; } = PioneerThresholds.Bear();
    public FiveBigThresholds FiveBigBull { get; set; } = FiveBigThresholds.Bull();
    public FiveBigThresholds FiveBigBear { get; set; } = FiveBigThresholds.Bear();
    public FifteenBigThresholds FifteenBigBull { get; set; } = FifteenBigThresholds.Bull();
    public FifteenBigThresholds FifteenBigBear { get; set; } = FifteenBigThresholds.Bear();
    public HunterThresholds BottomHunter { get; set; } = HunterThresholds.Bottom();
    public HunterThresholds TopHunter { get; set; } = HunterThresholds.Top();

    /// <summary>Market-cap bounds (exclusive, USD), applied only when a symbol's market cap is known.</summary>
    public double MinMarketCap { get; set; } = 23_000_000;
    public double MaxMarketCap { get; set; } = 2_500_000_000;

    /// <summary>Names of the thresholds that are not finite numbers (empty when all are valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var bad = new List<string>();
        void Check(string name, params double[] values)
        {
            foreach (var v in values)
            {
                if (!double.IsFinite(v))
                {
                    bad.Add(name);
                    return;
                }
            }
        }
        Check(nameof(BigBull60), BigBull60.Values());
        Check(nameof(BigBear60), BigBear60.Values());
        Check(nameof(PioneerBull), PioneerBull.Values());
        Check(nameof(PioneerBear), PioneerBear.Values());
        Check(nameof(FiveBigBull), FiveBigBull.Values());
        Check(nameof(FiveBigBear), FiveBigBear.Values());
        Check(nameof(FifteenBigBull), FifteenBigBull.Values());
        Check(nameof(FifteenBigBear), FifteenBigBear.Values());
        Check(nameof(BottomHunter), BottomHunter.Values());
        Check(nameof(TopHunter), TopHunter.Values());
        Check(nameof(MinMarketCap), MinMarketCap);
        Check(nameof(MaxMarketCap), MaxMarketCap);
        return bad;
    }
}

/// <summary>60 Big Bull/Bear: c_1h vs Change1h, c_1d vs Change1d, c_8h beyond c_1h, c_1d beyond c_8h, volumes.</summary>
public sealed class Big60Thresholds
{
    public double Change1h { get; set; }
    public double Change1d { get; set; }
    public double Volume1h { get; set; }
    public double Volume8h { get; set; }
    public double Volume1hTo8hFactor { get; set; }
    public double Volume1hTo1dFactor { get; set; }

    public static Big60Thresholds Bull() => new()
    {
        Change1h = 1.6, Change1d = 15, Volume1h = 500_000, Volume8h = 5_000_000, Volume1hTo8hFactor = 6, Volume1hTo1dFactor = 16,
    };

    public static Big60Thresholds Bear() => new()
    {
        Change1h = -1.6, Change1d = -15, Volume1h = 500_000, Volume8h = 5_000_000, Volume1hTo8hFactor = 6, Volume1hTo1dFactor = 16,
    };

    internal double[] Values() => [Change1h, Change1d, Volume1h, Volume8h, Volume1hTo8hFactor, Volume1hTo1dFactor];
}

/// <summary>Pioneer Bull/Bear: c_5m and c_15m beyond their thresholds, Change5mTo15mFactor·c_5m beyond c_15m.</summary>
public sealed class PioneerThresholds
{
    public double Change5m { get; set; }
    public double Change15m { get; set; }
    public double Change5mTo15mFactor { get; set; }
    public double Volume5mTo15mFactor { get; set; }

    public static PioneerThresholds Bull() => new() { Change5m = 1, Change15m = 1, Change5mTo15mFactor = 3, Volume5mTo15mFactor = 2 };

    public static PioneerThresholds Bear() => new() { Change5m = -1, Change15m = -1, Change5mTo15mFactor = 3, Volume5mTo15mFactor = 2 };

    internal double[] Values() => [Change5m, Change15m, Change5mTo15mFactor, Volume5mTo15mFactor];
}

/// <summary>5 Big Bull/Bear.</summary>
public sealed class FiveBigThresholds
{
    public double Change5m { get; set; }
    public double Change1d { get; set; }
    public double Volume5m { get; set; }
    public double Volume1h { get; set; }
    public double Volume5mTo15mFactor { get; set; }
    public double Volume5mTo1hFactor { get; set; }
    public double Volume5mTo8hFactor { get; set; }

    public static FiveBigThresholds Bull() => new()
    {
        Change5m = 0.6, Change1d = 15, Volume5m = 100_000, Volume1h = 1_000_000,
        Volume5mTo15mFactor = 3, Volume5mTo1hFactor = 6, Volume5mTo8hFactor = 66,
    };

    public static FiveBigThresholds Bear() => new()
    {
        Change5m = -0.6, Change1d = -15, Volume5m = 100_000, Volume1h = 1_000_000,
        Volume5mTo15mFactor = 3, Volume5mTo1hFactor = 6, Volume5mTo8hFactor = 66,
    };

    internal double[] Values() =>
        [Change5m, Change1d, Volume5m, Volume1h, Volume5mTo15mFactor, Volume5mTo1hFactor, Volume5mTo8hFactor];
}

/// <summary>15 Big Bull/Bear.</summary>
public sealed class FifteenBigThresholds
{
    public double Change15m { get; set; }
    public double Change1d { get; set; }
    public double Volume15m { get; set; }
    public double Volume1h { get; set; }
    public double Volume15mTo1hFactor { get; set; }
    public double Volume15mTo8hFactor { get; set; }

    public static FifteenBigThresholds Bull() => new()
    {
        Change15m = 1, Change1d = 15, Volume15m = 400_000, Volume1h = 1_000_000, Volume15mTo1hFactor = 3, Volume15mTo8hFactor = 26,
    };

    public static FifteenBigThresholds Bear() => new()
    {
        Change15m = -1, Change1d = -15, Volume15m = 400_000, Volume1h = 1_000_000, Volume15mTo1hFactor = 3, Volume15mTo8hFactor = 26,
    };

    internal double[] Values() => [Change15m, Change1d, Volume15m, Volume1h, Volume15mTo1hFactor, Volume15mTo8hFactor];
}

/// <summary>
/// Bottom/Top Hunter: the 1h and 15m changes in one direction, the 5m change turning the other way. Bottom:
/// c_1h &lt; Change1h, c_15m &lt; Change15m, c_5m &gt; Change5m; Top: the mirror image.
/// </summary>
public sealed class HunterThresholds
{
    public double Change1h { get; set; }
    public double Change15m { get; set; }
    public double Change5m { get; set; }
    public double Volume5mTo15mFactor { get; set; }
    public double Volume5mTo1hFactor { get; set; }

    public static HunterThresholds Bottom() => new()
    {
        Change1h = -0.7, Change15m = -0.6, Change5m = 0.5, Volume5mTo15mFactor = 2, Volume5mTo1hFactor = 8,
    };

    public static HunterThresholds Top() => new()
    {
        Change1h = 0.7, Change15m = 0.6, Change5m = -0.5, Volume5mTo15mFactor = 2, Volume5mTo1hFactor = 8,
    };

    internal double[] Values() => [Change1h, Change15m, Change5m, Volume5mTo15mFactor, Volume5mTo1hFactor];
}
