using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services.Feeds.Simulated;

/// <summary>
/// The default feed: <see cref="SimulatedMarket"/> in real time on <see cref="TimeProvider"/>. On first start it
/// fills <see cref="SimulatedOptions.HistoryMinutes"/> at once (from the start of that UTC day, so every bar is
/// complete); after a restart it continues from each symbol's stored close. Then every tick (1 s) it updates the
/// forming candle and closes each minute as the clock passes it. Before a symbol's first history it stores and seeds
/// <c>Ingest:SeedDays</c> of coarse 4h/8h/1d history (<see cref="SimulatedHistory"/>); after a restart those come
/// from the table. Derivatives (<see cref="SimulatedDerivatives"/>) go with the candles: each closed minute's
/// liquidations, open interest every 5 minutes, funding settlements every 8 hours and the mark price, delivered before the
/// minute's candles; the mark price every tick; on a first start, the day before the 1m history too
/// (<see cref="SimulatedHistory.Derivatives"/>).
/// </summary>
public sealed partial class SimulatedFeed(IOptions<IngestOptions> options, MarketState state, BarSeeder seeder, TimeProvider time, ILogger<SimulatedFeed> logger) : IMarketFeed
{

    public string Name => FeedKinds.Simulated;

    public async Task RunAsync(IFeedSink sink, IReadOnlyDictionary<string, long> lastStored, CancellationToken cancellationToken)
    {
        var o = options.Value.Simulated;
        var market = new SimulatedMarket(o.Seed, o.SymbolCount);
        var derivatives = new SimulatedDerivatives(market, o.Seed);
        var symbols = market.Symbols;
        sink.SetSymbols(symbols.Select(s => s.Symbol).ToArray());
        sink.TrackLiquidations();
        sink.Status.RealTime = true;

        var current = Minute(time.GetUtcNow());
        var historyStart = (current - o.HistoryMinutes) / MinutesPerDay * MinutesPerDay;
        var next = new long[symbols.Count];
        var close = new double[symbols.Count];
        for (var i = 0; i < symbols.Count; i++)
        {
            next[i] = historyStart;
            close[i] = symbols[i].BasePrice;
            if (lastStored.TryGetValue(symbols[i].Symbol, out var last) && state.TryGet(symbols[i].Symbol, out var s))
            {
                lock (s.Gate)
                {
                    if (s.LastClosed is { } c && c.OpenTime == last)
                    {
                        close[i] = c.Close;
                        next[i] = Math.Max(next[i], last / Candle.MinuteMs + 1);
                    }
                }
            }
        }
        var seededBars = await SeedAsync(market, lastStored, next, close, cancellationToken);
        // Reused for every delivery (the sink reads the list during the call).
        var updates = new List<DerivativesUpdate>(symbols.Count * 8);
        for (var i = 0; i < symbols.Count; i++)
        {
            // A first start: the derivatives of the day before the 1m history, so its first candles have them all.
            if (!lastStored.ContainsKey(symbols[i].Symbol) && next[i] == historyStart)
            {
                SimulatedHistory.Derivatives(derivatives, i, next[i], seededBars[i], close[i], updates);
            }
        }
        Deliver(sink, updates);
        var from = next.Min();
        LogStarting(logger, symbols.Count, o.Seed, current - from);
        var batch = new List<SymbolCandle>(symbols.Count);
        async Task CloseMinutesAsync(long upTo)
        {
            for (var m = next.Min(); m < upTo; m++)
            {
                batch.Clear();
                for (var i = 0; i < symbols.Count; i++)
                {
                    if (next[i] != m)
                    {
                        continue;
                    }
                    var candle = market.Generate(i, m, close[i]);
                    derivatives.OnClosed(i, candle, updates);
                    close[i] = candle.Close;
                    next[i] = m + 1;
                    batch.Add(new SymbolCandle(symbols[i].Symbol, candle));
                }
                // The minute's samples before its candles, which read them at their close.
                Deliver(sink, updates);
                if (batch.Count > 0)
                {
                    await sink.OnClosedAsync(m * Candle.MinuteMs, batch.ToArray(), cancellationToken);
                }
            }
        }
        await CloseMinutesAsync(current);
        sink.Status.State = FeedStates.Running;

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(o.TickMilliseconds), time);
        do
        {
            var now = time.GetUtcNow();
            var minute = Minute(now);
            await CloseMinutesAsync(minute);
            var nowMs = now.ToUnixTimeMilliseconds();
            var seconds = (int)(nowMs / 1000 % 60) + 1;
            for (var i = 0; i < symbols.Count; i++)
            {
                var forming = market.Generate(i, minute, close[i], seconds);
                sink.OnForming(symbols[i].Symbol, forming);
                updates.Add(derivatives.Mark(i, nowMs, forming.Close));
            }
            Deliver(sink, updates);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>
    /// Seeds every symbol that starts its 1m history now (nothing stored) with the coarse history before it; returns
    /// the 4h bars generated per symbol (null where none were).
    /// </summary>
    private async Task<Candle[]?[]> SeedAsync(SimulatedMarket market, IReadOnlyDictionary<string, long> lastStored, long[] next, double[] close, CancellationToken cancellationToken)
    {
        var days = options.Value.SeedDays;
        var seed = options.Value.Simulated.Seed;
        var seeded = 0;
        var generated = new Candle[]?[market.Symbols.Count];
        for (var i = 0; i < market.Symbols.Count; i++)
        {
            var symbol = market.Symbols[i].Symbol;
            var start = next[i] * Candle.MinuteMs;
            if (days == 0 || lastStored.ContainsKey(symbol) || !seeder.CanSeed(symbol) || Timeframe.D1.AlignedOpen(start) != start)
            {
                continue;
            }
            // Bars already stored (e.g. the 1m candles were deleted) are not generated again.
            if (await seeder.SeedFromStoreAsync(symbol, start, cancellationToken) > 0)
            {
                continue;
            }
            var index = Array.FindIndex(SimulatedSymbols.All, x => x.Symbol == symbol);
            var bars = SimulatedHistory.FourHourBars(seed, index, start, days, close[i]);
            await seeder.StoreAndSeedAsync(symbol, bars, start, cancellationToken);
            generated[i] = bars;
            seeded++;
        }
        if (seeded > 0)
        {
            LogSeeded(logger, seeded, days);
        }
        return generated;
    }

    private static void Deliver(IFeedSink sink, List<DerivativesUpdate> updates)
    {
        if (updates.Count > 0)
        {
            sink.OnDerivatives(updates);
            updates.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Symbols} symbols with {Days} days of simulated 4h/8h/1d bars")]
    private static partial void LogSeeded(ILogger logger, int symbols, int days);

    private static long Minute(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / Candle.MinuteMs;

    private const long MinutesPerDay = 1440;

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulating {Symbols} symbols (seed {Seed}); filling {Minutes} minutes of history")]
    private static partial void LogStarting(ILogger logger, int symbols, int seed, long minutes);
}
