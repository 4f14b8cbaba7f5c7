namespace Scalpaiboard.Market.Metrics;

/// <summary>The rolling windows of SIGNALS.md, in order. Values index the per-window arrays of a snapshot.</summary>
public enum Window
{
    M5 = 0,
    M15 = 1,
    H1 = 2,
    H4 = 3,
    H8 = 4,
    D1 = 5,
}

public static class Windows
{
    public const int Count = 6;

    /// <summary>Length of each window in 1m candles, indexed by <see cref="Window"/>.</summary>
    public static readonly int[] Minutes = [5, 15, 60, 240, 480, 1440];

    /// <summary>API names: <c>5m, 15m, 1h, 4h, 8h, 1d</c>.</summary>
    public static readonly string[] Names = ["5m", "15m", "1h", "4h", "8h", "1d"];

    public static bool TryParse(string? name, out Window window)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                window = (Window)i;
                return true;
            }
        }
        window = default;
        return false;
    }

    public static string Name(this Window window) => Names[(int)window];
}
