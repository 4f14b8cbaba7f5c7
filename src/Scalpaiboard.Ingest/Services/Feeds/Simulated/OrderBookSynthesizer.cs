using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services.Feeds.Simulated;

/// <summary>
/// A plausible order book around a price for feeds that carry none (simulated, replay): a one-tick spread,
/// sizes growing away from the touch with seeded noise and the odd large resting order ("wall").
/// Deterministic for (seed, symbol, second).
/// </summary>
public static class OrderBookSynthesizer
{
    public static OrderBookSnapshot Build(string symbol, double price, double quoteVolumePerMinute, long timeMs, int seed, int depth = 100)
    {
        if (!(price > 0) || !double.IsFinite(price))
        {
            return new OrderBookSnapshot(symbol, timeMs, [], [], Synthetic: true);
        }
        var tick = TickSize(price);
        var rng = new SplitMix(Hash(seed, symbol, timeMs / 1000));
        // Typical resting size per level: a few seconds of traded volume, in base units.
        var levelSize = Math.Max(quoteVolumePerMinute, 1000) / 60 * 3 / price;
        var mid = Math.Round(price / tick) * tick;
        var bids = new BookLevel[depth];
        var asks = new BookLevel[depth];
        for (var i = 0; i < depth; i++)
        {
            var growth = 1 + i * 0.04;
            var bidQty = levelSize * growth * (0.3 + rng.NextDouble() * 1.4) * (rng.NextDouble() < 0.03 ? 8 : 1);
            var askQty = levelSize * growth * (0.3 + rng.NextDouble() * 1.4) * (rng.NextDouble() < 0.03 ? 8 : 1);
            bids[i] = new BookLevel(Round(mid - (i + 1) * tick, tick), Round(bidQty, 0.001));
            asks[i] = new BookLevel(Round(mid + (i + 1) * tick, tick), Round(askQty, 0.001));
        }
        return new OrderBookSnapshot(symbol, timeMs, bids, asks, Synthetic: true);
    }

    /// <summary>A price step of about 1/100,000 of the price, a power of ten.</summary>
    public static double TickSize(double price) => Math.Pow(10, Math.Floor(Math.Log10(price)) - 4);

    private static double Round(double v, double step) => Math.Round(Math.Round(v / step) * step, 10);

    private static ulong Hash(int seed, string symbol, long second)
    {
        var h = 1469598103934665603UL ^ (ulong)seed;
        foreach (var ch in symbol)
        {
            h = (h ^ ch) * 1099511628211UL;
        }
        return (h ^ (ulong)second) * 0x9E3779B97F4A7C15UL;
    }
}
