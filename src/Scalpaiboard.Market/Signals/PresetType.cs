namespace Scalpaiboard.Market.Signals;

/// <summary>The ten preset futures signals of SIGNALS.md.</summary>
public enum PresetType
{
    BigBull60 = 0,
    BigBear60 = 1,
    PioneerBull = 2,
    PioneerBear = 3,
    FiveBigBull = 4,
    FiveBigBear = 5,
    FifteenBigBull = 6,
    FifteenBigBear = 7,
    BottomHunter = 8,
    TopHunter = 9,
}

public static class PresetTypes
{
    public const int Count = 10;

    /// <summary>Wire names (<c>type</c> in the API, <c>rule</c> in scan output), indexed by <see cref="PresetType"/>.</summary>
    public static readonly string[] Keys =
    [
        "futures_big_bull_60", "futures_big_bear_60", "futures_pioneer_bull", "futures_pioneer_bear",
        "futures_5_big_bull", "futures_5_big_bear", "futures_15_big_bull", "futures_15_big_bear",
        "futures_bottom_hunter", "futures_top_hunter",
    ];

    public static readonly string[] DisplayNames =
    [
        "60 Big Bull", "60 Big Bear", "Pioneer Bull", "Pioneer Bear", "5 Big Bull", "5 Big Bear",
        "15 Big Bull", "15 Big Bear", "Bottom Hunter", "Top Hunter",
    ];

    public static string Key(this PresetType type) => Keys[(int)type];

    public static bool TryParse(string? key, out PresetType type)
    {
        for (var i = 0; i < Keys.Length; i++)
        {
            if (string.Equals(Keys[i], key, StringComparison.OrdinalIgnoreCase))
            {
                type = (PresetType)i;
                return true;
            }
        }
        type = default;
        return false;
    }
}
