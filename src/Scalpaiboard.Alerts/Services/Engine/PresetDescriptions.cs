namespace Scalpaiboard.Alerts.Services.Engine;

/// <summary>SIGNALS.md's conditions in words, indexed by preset (with the default thresholds).</summary>
public static class PresetDescriptions
{
    public static readonly string[] Text =
    [
        "Strong 1h rise inside a rising day: c_1h > 1.6; c_1d < 15; c_8h > c_1h; c_1d > c_8h; v_1h > 500,000; v_8h > 5,000,000; 6·v_1h > v_8h; 16·v_1h > v_1d",
        "Strong 1h fall inside a falling day: c_1h < -1.6; c_1d > -15; c_8h < c_1h; c_1d < c_8h; v_1h > 500,000; v_8h > 5,000,000; 6·v_1h > v_8h; 16·v_1h > v_1d",
        "Early breakout up: c_5m > 1; c_15m > 1; 3·c_5m > c_15m; 2·v_5m > v_15m",
        "Early breakdown: c_5m < -1; c_15m < -1; 3·c_5m < c_15m; 2·v_5m > v_15m",
        "5-minute surge with volume: c_5m > 0.6; c_1d < 15; c_15m > c_5m; c_1h > c_15m; v_5m > 100,000; v_1h > 1,000,000; 3·v_5m > v_15m; 6·v_5m > v_1h; 66·v_5m > v_8h",
        "5-minute drop with volume: c_5m < -0.6; c_1d > -15; c_15m < c_5m; c_1h < c_15m; v_5m > 100,000; v_1h > 1,000,000; 3·v_5m > v_15m; 6·v_5m > v_1h; 66·v_5m > v_8h",
        "15-minute surge with volume: c_15m > 1; c_1d < 15; c_1h > c_15m; c_8h > c_1h; v_15m > 400,000; v_1h > 1,000,000; 3·v_15m > v_1h; 26·v_15m > v_8h",
        "15-minute drop with volume: c_15m < -1; c_1d > -15; c_1h < c_15m; c_8h < c_1h; v_15m > 400,000; v_1h > 1,000,000; 3·v_15m > v_1h; 26·v_15m > v_8h",
        "Rebound after a fall: c_1h < -0.7; c_15m < -0.6; c_5m > 0.5; 2·v_5m > v_15m; 8·v_5m > v_1h",
        "Reversal after a rise: c_1h > 0.7; c_15m > 0.6; c_5m < -0.5; 2·v_5m > v_15m; 8·v_5m > v_1h",
    ];
}
