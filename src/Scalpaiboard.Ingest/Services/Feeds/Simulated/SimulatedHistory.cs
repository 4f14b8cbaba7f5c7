using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services.Feeds.Simulated;

/// <summary>
/// The simulated market's coarse history before its 1m history: closed 4h bars per symbol, a seeded random walk
/// (the same seed gives the same bars) with the symbol's volatility and volume scale, walked backwards from the
/// price the 1m history opens at, so the last bar closes exactly there. OHLC consistent: the high is at least the
/// open and close, the low at most; prices on the symbol's tick.
/// </summary>
public static class SimulatedHistory
{
    private static readonly long H4 = Timeframe.H4.DurationMs();

    /// <summary>
    /// <paramref name="days"/> days of 4h bars of <paramref name="symbol"/> (index into <see cref="SimulatedSymbols.All"/>)
    /// ending at <paramref name="end"/> (a UTC day start: the first 1m candle's open time), whose last close is
    /// <paramref name="lastClose"/>. Oldest first.
    /// </summary>
    public static Candle[] FourHourBars(int seed, int symbol, long end, int days, double lastClose)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        if (Timeframe.D1.AlignedOpen(end) != end)
        {
            throw new ArgumentException("the history must end at a UTC day start", nameof(end));
        }
        var info = SimulatedSymbols.All[symbol];
        var count = days * 6;
        var bars = new Candle[count];
        // Volatility per 4h: about 0.9 % for the biggest symbols (2.2 % a day), up to about 2.1 % for the small ones
        // (5 % a day); daily volume as the symbol's 24 h quote volume, log-normal around it.
        var sigma = 0.009 + (0.0025 * (symbol % 5)) + (symbol >= 10 ? 0.002 : 0);
        var quotePerBar = info.DailyQuoteVolume / 6;
        var rng = new SplitMix(SplitMix.Mix((ulong)seed ^ 0x5EEDB4A25UL, (ulong)symbol));
        var close = SimulatedMarket.RoundPrice(lastClose);
        for (var j = count - 1; j >= 0; j--)
        {
            // A slight pull towards the start price (half-life about 12 days) keeps 90 days of walk plausible.
            var ret = (sigma * rng.NextGaussian()) + (0.01 * Math.Log(close / info.BasePrice));
            var open = SimulatedMarket.RoundPrice(close * Math.Exp(-ret));
            var wick = sigma * 0.6;
            var high = SimulatedMarket.RoundPrice(Math.Max(open, close) * Math.Exp(Math.Abs(rng.NextGaussian()) * wick));
            var low = SimulatedMarket.RoundPrice(Math.Min(open, close) * Math.Exp(-Math.Abs(rng.NextGaussian()) * wick));
            var quote = Math.Round(quotePerBar * Math.Exp((0.35 * rng.NextGaussian()) - 0.06), 2);
            var mid = (open + close) / 2;
            var volume = Math.Round(quote / mid, 4);
            var trades = (long)Math.Max(1, quote / (250 + (50 * (symbol % 7))));
            var takerShare = 0.5 + Math.Clamp(ret * 5, -0.1, 0.1);
            bars[j] = new Candle(end - ((count - j) * H4), open, Math.Max(high, Math.Max(open, close)), Math.Min(low, Math.Min(open, close)),
                close, volume, quote, trades, Math.Round(volume * takerShare, 4), Math.Round(quote * takerShare, 2));
            close = open;
        }
        return bars;
    }

    /// <summary>
    /// The derivatives of the day before the 1m history of <paramref name="symbol"/>, which starts at
    /// <paramref name="firstMinute"/> (Unix minutes): open interest every 5 minutes from a day before it up to it and
    /// the funding settlements in between, so the first 1m candles have a 1d open-interest change and a funding rate.
    /// The model (<paramref name="model"/>) runs over that day's minutes (<see cref="SimulatedMarket.Flow"/>), priced
    /// at <paramref name="fourHourBars"/> (the bars ending at the 1m history, <see cref="FourHourBars"/>), or at
    /// <paramref name="firstOpen"/> without them. Appended to <paramref name="output"/>, oldest first; the model
    /// continues with the 1m history.
    /// </summary>
    public static void Derivatives(SimulatedDerivatives model, int symbol, long firstMinute, IReadOnlyList<Candle>? fourHourBars, double firstOpen,
        List<DerivativesUpdate> output)
    {
        // One block more than a day: the sample exactly a day before the first close is there too.
        for (var m = firstMinute - MinutesPerDay - 5; m < firstMinute; m++)
        {
            var flow = model.Market.Flow(symbol, m);
            var price = fourHourBars is { Count: > 0 } ? PriceAt(fourHourBars, (m + 1) * Candle.MinuteMs) : firstOpen;
            model.Advance(symbol, m, flow.Return, flow.QuoteVolume, flow.QuoteVolume * flow.TakerShare, price, output);
        }
    }

    /// <summary>
    /// The price at <paramref name="time"/> (Unix ms) on consecutive 4h bars: within a bar, geometric from its open to
    /// its close; before the first bar its open, from the end of the last its close.
    /// </summary>
    public static double PriceAt(IReadOnlyList<Candle> fourHourBars, long time)
    {
        var first = fourHourBars[0];
        if (time <= first.OpenTime)
        {
            return first.Open;
        }
        var index = (time - first.OpenTime) / H4;
        if (index >= fourHourBars.Count)
        {
            return fourHourBars[^1].Close;
        }
        var bar = fourHourBars[(int)index];
        var fraction = (double)(time - bar.OpenTime) / H4;
        return SimulatedMarket.RoundPrice(bar.Open * Math.Pow(bar.Close / bar.Open, fraction));
    }

    private const long MinutesPerDay = 1440;
}
