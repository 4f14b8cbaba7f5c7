using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Market.Tests;

internal static class TestCandles
{
    /// <summary>2026-03-02T00:00:00Z, a UTC midnight.</summary>
    public const long T0 = 1_772_409_600_000;

    public static long Minute(int m) => T0 + m * Candle.MinuteMs;

    public static Candle At(int minute, double close = 100, double quote = 1000, double? high = null, double? low = null,
        double? open = null, long trades = 10, double volume = 10) =>
        new(Minute(minute), open ?? close, high ?? close, low ?? close, close, volume, quote, trades, volume / 2, quote / 2);

    public static MetricsSnapshot Snapshot(
        double c5 = double.NaN, double c15 = double.NaN, double c1h = double.NaN, double c4h = double.NaN,
        double c8h = double.NaN, double c1d = double.NaN,
        double v5 = double.NaN, double v15 = double.NaN, double v1h = double.NaN, double v4h = double.NaN,
        double v8h = double.NaN, double v1d = double.NaN)
    {
        var s = new MetricsSnapshot { Symbol = "TESTUSDT", OpenTime = T0, Price = 100, PreviousPrice = 99 };
        double[] c = [c5, c15, c1h, c4h, c8h, c1d];
        double[] v = [v5, v15, v1h, v4h, v8h, v1d];
        c.CopyTo(s.Change, 0);
        v.CopyTo(s.QuoteVolume, 0);
        return s;
    }
}
