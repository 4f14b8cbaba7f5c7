namespace Scalpaiboard.Market.Bars;

/// <summary>Chart timeframes: calendar-aligned UTC bars built from 1m candles (4h/8h/1d aligned to 00:00 UTC).</summary>
public enum Timeframe
{
    M1 = 0,
    M5 = 1,
    M15 = 2,
    H1 = 3,
    H4 = 4,
    H8 = 5,
    D1 = 6,
}

public static class Timeframes
{
    public const int Count = 7;

    public static readonly int[] Minutes = [1, 5, 15, 60, 240, 480, 1440];

    public static readonly string[] Names = ["1m", "5m", "15m", "1h", "4h", "8h", "1d"];

    public static string Name(this Timeframe tf) => Names[(int)tf];

    public static long DurationMs(this Timeframe tf) => Minutes[(int)tf] * 60_000L;

    /// <summary>Open time of the aligned bar containing <paramref name="time"/> (Unix ms, UTC).</summary>
    public static long AlignedOpen(this Timeframe tf, long time)
    {
        var d = tf.DurationMs();
        var r = time % d;
        return r >= 0 ? time - r : time - r - d;
    }

    public static bool TryParse(string? name, out Timeframe timeframe)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                timeframe = (Timeframe)i;
                return true;
            }
        }
        timeframe = default;
        return false;
    }
}
