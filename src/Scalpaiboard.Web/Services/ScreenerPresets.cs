namespace Scalpaiboard.Web.Services;

/// <summary>A named set of screener columns with the sort that goes with them.</summary>
public sealed record ScreenerPreset(string Key, string Label, IReadOnlyList<string> Columns, string Sort, string Dir);

/// <summary>
/// The screener's column presets: picked from the page's selector (applied in the browser and remembered like a
/// column choice) or linked as <c>/screener?preset=oi-surge</c>, which the server renders without script.
/// </summary>
public static class ScreenerPresets
{
    public static readonly IReadOnlyList<ScreenerPreset> All =
    [
        new("default", "Default columns", [.. ScreenerColumns.All.Where(c => c.Default).Select(c => c.Key)], "quoteVolume_1d", "desc"),
        new("funding-extremes", "Funding extremes",
            ["price", "change_1d", "fundingRate", "nextFundingTime", "oiChange_1h", "oiChange_4h", "oiChange_1d", "openInterestValue", "longShortRatio"],
            "fundingRate", "desc"),
        new("oi-surge", "OI surge",
            ["price", "change_1h", "change_4h", "oiChange_1h", "oiChange_4h", "openInterestValue", "quoteVolume_1h", "fundingRate"],
            "oiChange_1h", "desc"),
    ];

    public static ScreenerPreset? Find(string? key) => All.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase));
}
