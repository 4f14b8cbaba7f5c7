using Scalpaiboard.Market;

namespace Scalpaiboard.Benchmarks;

/// <summary>Seeded random-walk 1m candles for many symbols, generated up front.</summary>
internal static class MarketFeed
{
    public const long Start = 1_767_571_200_000; // 2026-01-05T00:00:00Z

    /// <summary>candles[minute][symbol]</summary>
    public static Candle[][] Generate(int symbols, int minutes, int seed = 7)
    {
        var rng = new Random(seed);
        var price = new double[symbols];
        for (var s = 0; s < symbols; s++)
        {
            price[s] = Math.Pow(10, rng.NextDouble() * 4);
        }
        var result = new Candle[minutes][];
        for (var m = 0; m < minutes; m++)
        {
            result[m] = new Candle[symbols];
            for (var s = 0; s < symbols; s++)
            {
                var open = price[s];
                var close = open * Math.Exp((rng.NextDouble() - 0.5) * 0.004);
                var quote = 20_000 * Math.Exp(rng.NextDouble());
                result[m][s] = new Candle(Start + m * Candle.MinuteMs, open, Math.Max(open, close) * 1.0005,
                    Math.Min(open, close) * 0.9995, close, quote / close, quote, 40, quote / close / 2, quote / 2);
                price[s] = close;
            }
        }
        return result;
    }

    public static string[] Names(int symbols) => Enumerable.Range(0, symbols).Select(s => $"SYM{s:D4}USDT").ToArray();
}
