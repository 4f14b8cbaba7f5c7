namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// One bar as the indicators see it (the shape of Skender.Stock.Indicators' quote), so the same code runs on
/// daily CSV data and on the engine's candles.
/// </summary>
public readonly record struct Quote(DateTime Date, double Open, double High, double Low, double Close, double Volume)
{
    public double TypicalPrice => (High + Low + Close) / 3d;

    public static Quote FromCandle(in Candle candle) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(candle.OpenTime).UtcDateTime,
        candle.Open, candle.High, candle.Low, candle.Close, candle.Volume);
}

internal static class Num
{
    /// <summary>NaN (our "not yet") as the null of the reference library's results.</summary>
    public static double? N(double value) => double.IsNaN(value) ? null : value;

    public static double V(double? value) => value ?? double.NaN;
}
