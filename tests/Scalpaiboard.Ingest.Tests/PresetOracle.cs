namespace Scalpaiboard.Ingest.Tests;

/// <summary>The ten presets of SIGNALS.md, written out plainly from the table, as a test oracle.</summary>
public static class PresetOracle
{
    public static readonly string[] Names =
    [
        "futures_big_bull_60", "futures_big_bear_60", "futures_pioneer_bull", "futures_pioneer_bear",
        "futures_5_big_bull", "futures_5_big_bear", "futures_15_big_bull", "futures_15_big_bear",
        "futures_bottom_hunter", "futures_top_hunter",
    ];

    /// <summary>Which presets hold at index t of a contiguous series of closes and quote volumes.</summary>
    public static IEnumerable<string> Fired(double[] close, double[] prefixVolume, int t)
    {
        if (t < 1440)
        {
            yield break;
        }
        double C(int n) => (close[t] / close[t - n] - 1) * 100;
        double V(int n) => prefixVolume[t + 1] - prefixVolume[t + 1 - n];
        double c5 = C(5), c15 = C(15), c1h = C(60), c8h = C(480), c1d = C(1440);
        double v5 = V(5), v15 = V(15), v1h = V(60), v8h = V(480), v1d = V(1440);
        if (c1h > 1.6 && c1d < 15 && c8h > c1h && c1d > c8h && v1h > 500_000 && v8h > 5_000_000 && 6 * v1h > v8h && 16 * v1h > v1d) yield return Names[0];
        if (c1h < -1.6 && c1d > -15 && c8h < c1h && c1d < c8h && v1h > 500_000 && v8h > 5_000_000 && 6 * v1h > v8h && 16 * v1h > v1d) yield return Names[1];
        if (c5 > 1 && c15 > 1 && 3 * c5 > c15 && 2 * v5 > v15) yield return Names[2];
        if (c5 < -1 && c15 < -1 && 3 * c5 < c15 && 2 * v5 > v15) yield return Names[3];
        if (c5 > 0.6 && c1d < 15 && c15 > c5 && c1h > c15 && v5 > 100_000 && v1h > 1_000_000 && 3 * v5 > v15 && 6 * v5 > v1h && 66 * v5 > v8h) yield return Names[4];
        if (c5 < -0.6 && c1d > -15 && c15 < c5 && c1h < c15 && v5 > 100_000 && v1h > 1_000_000 && 3 * v5 > v15 && 6 * v5 > v1h && 66 * v5 > v8h) yield return Names[5];
        if (c15 > 1 && c1d < 15 && c1h > c15 && c8h > c1h && v15 > 400_000 && v1h > 1_000_000 && 3 * v15 > v1h && 26 * v15 > v8h) yield return Names[6];
        if (c15 < -1 && c1d > -15 && c1h < c15 && c8h < c1h && v15 > 400_000 && v1h > 1_000_000 && 3 * v15 > v1h && 26 * v15 > v8h) yield return Names[7];
        if (c1h < -0.7 && c15 < -0.6 && c5 > 0.5 && 2 * v5 > v15 && 8 * v5 > v1h) yield return Names[8];
        if (c1h > 0.7 && c15 > 0.6 && c5 < -0.5 && 2 * v5 > v15 && 8 * v5 > v1h) yield return Names[9];
    }
}
