namespace Scalpaiboard.Ai.Services.Patterns;

public readonly record struct SwingPoint(int Index, double Price, bool IsHigh);

/// <summary>
/// Fractal swing points: bar i is a swing high when its high is above the highs of the <c>k</c> bars on each
/// side (ties to the left count as higher, so a flat top is reported once), and a swing low likewise.
/// The last <c>k</c> bars cannot be confirmed and are never swing points.
/// </summary>
public static class SwingPoints
{
    public static List<SwingPoint> Find(IReadOnlyList<Bar> bars, int k)
    {
        var swings = new List<SwingPoint>();
        for (var i = k; i < bars.Count - k; i++)
        {
            bool high = true, low = true;
            for (var j = i - k; j <= i + k && (high || low); j++)
            {
                if (j == i)
                {
                    continue;
                }
                if (j < i ? bars[j].High >= bars[i].High : bars[j].High > bars[i].High)
                {
                    high = false;
                }
                if (j < i ? bars[j].Low <= bars[i].Low : bars[j].Low < bars[i].Low)
                {
                    low = false;
                }
            }
            if (high)
            {
                swings.Add(new SwingPoint(i, bars[i].High, true));
            }
            if (low)
            {
                swings.Add(new SwingPoint(i, bars[i].Low, false));
            }
        }
        return swings;
    }

    /// <summary>The swing width used for a series: wider on long series so noise does not make every bar a swing.</summary>
    public static int DefaultWidth(int barCount) => Math.Clamp(barCount / 40, 2, 5);
}
