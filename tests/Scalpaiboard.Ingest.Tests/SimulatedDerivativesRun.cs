using Scalpaiboard.Ingest.Services.Feeds.Simulated;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The simulated market and its derivatives over a range of minutes, driven the way <see cref="SimulatedFeed"/> drives
/// them on a first start: the day before the 1m history (priced at the seeded 4h bars), then every minute's candles
/// with the samples of their close, all fed to a market engine in the feed's order.
/// </summary>
internal sealed class SimulatedDerivativesRun
{
    public const long Start = 29_100_000L - (29_100_000L % 1440); // a UTC day start, in Unix minutes

    private SimulatedDerivativesRun(SimulatedMarket market, long firstMinute, int minutes)
    {
        Market = market;
        FirstMinute = firstMinute;
        Candles = new Candle[market.Symbols.Count][];
        for (var i = 0; i < Candles.Length; i++)
        {
            Candles[i] = new Candle[minutes];
        }
    }

    public SimulatedMarket Market { get; }

    public long FirstMinute { get; }

    /// <summary>Every update, in delivery order.</summary>
    public List<DerivativesUpdate> Updates { get; } = [];

    /// <summary>Per symbol, the closed candles from <see cref="FirstMinute"/> on.</summary>
    public Candle[][] Candles { get; }

    public MarketEngine Engine { get; } = new() { TracksLiquidations = true };

    /// <summary>The engine's derivatives values at each candle close, per symbol.</summary>
    public List<DerivativesValues>[] Values { get; private set; } = [];

    public static SimulatedDerivativesRun Of(int seed, int symbols, int minutes, long firstMinute = Start, int seedDays = 2)
    {
        var market = new SimulatedMarket(seed, symbols);
        var model = new SimulatedDerivatives(market, seed);
        var run = new SimulatedDerivativesRun(market, firstMinute, minutes);
        run.Values = Enumerable.Range(0, symbols).Select(_ => new List<DerivativesValues>(minutes)).ToArray();
        var close = market.Symbols.Select(s => s.BasePrice).ToArray();
        var updates = new List<DerivativesUpdate>();
        for (var i = 0; i < symbols; i++)
        {
            var bars = seedDays > 0 ? SimulatedHistory.FourHourBars(seed, i, firstMinute * Candle.MinuteMs, seedDays, close[i]) : null;
            SimulatedHistory.Derivatives(model, i, firstMinute, bars, close[i], updates);
        }
        run.Deliver(updates);
        for (var k = 0; k < minutes; k++)
        {
            var candles = new Candle[symbols];
            for (var i = 0; i < symbols; i++)
            {
                candles[i] = market.Generate(i, firstMinute + k, close[i]);
                model.OnClosed(i, candles[i], updates);
                close[i] = candles[i].Close;
                run.Candles[i][k] = candles[i];
            }
            run.Deliver(updates);
            for (var i = 0; i < symbols; i++)
            {
                var update = run.Engine.OnClosedCandle(market.Symbols[i].Symbol, candles[i]);
                Assert.True(update.Status.IsAccepted());
                run.Values[i].Add(update.Snapshot!.Derivatives);
            }
        }
        return run;
    }

    private void Deliver(List<DerivativesUpdate> updates)
    {
        foreach (var u in updates)
        {
            Engine.OnDerivatives(u);
        }
        Updates.AddRange(updates);
        updates.Clear();
    }

    public IEnumerable<(string Symbol, T Sample)> Samples<T>(DerivativesKind kind)
    {
        foreach (var u in Updates)
        {
            if (u.Kind == kind)
            {
                object sample = kind switch
                {
                    DerivativesKind.OpenInterest => u.OpenInterest,
                    DerivativesKind.Funding => u.Funding,
                    DerivativesKind.MarkPrice => u.Mark,
                    _ => u.Liquidation,
                };
                yield return (u.Symbol, (T)sample);
            }
        }
    }

    /// <summary>The candle of symbol <paramref name="i"/> that closes at <paramref name="time"/> (Unix ms), or null before the 1m history.</summary>
    public Candle? ClosingAt(int i, long time)
    {
        var k = (time / Candle.MinuteMs) - 1 - FirstMinute;
        return k >= 0 && k < Candles[i].Length ? Candles[i][k] : null;
    }
}
