using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The symbol state holds the engine's own metrics snapshot (no copy): a reader that takes the symbol's Gate while the
/// pipeline applies candles must always find metrics, latest candle and bars that belong together.
/// </summary>
public sealed class SymbolStateConsistencyTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static double Close(long openTime, int i) => 100 + i + ((openTime - T0) / Candle.MinuteMs % 97 * 0.25);

    [Fact]
    public async Task Readers_under_the_gate_never_see_metrics_of_another_candle_than_the_latest()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("stategate");
        using var redis = new RedisServer();
        await using var app = await IngestApp.StartIdleAsync(cs, redis.ConnectionString);
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();
        var state = app.Services.GetRequiredService<MarketState>();
        string[] symbols = ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"];
        pipeline.SetSymbols(symbols);

        using var stop = new CancellationTokenSource();
        long checks = 0;
        var problems = new List<string>();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var symbol in symbols)
                {
                    var s = state.GetOrAdd(symbol);
                    lock (s.Gate)
                    {
                        if (s.Metrics is not { } m || s.LastClosed is not { } c)
                        {
                            continue;
                        }
                        checks++;
                        var i = Array.IndexOf(symbols, symbol);
                        if (m.OpenTime != c.OpenTime || m.Price != c.Close || c.Close != Close(c.OpenTime, i)
                            || m.Symbol != symbol || s.MetricsDto is not { } dto || dto.Price != c.Close
                            || !s.TryClosedBar(Timeframe.M1, out var bar, out _) || bar.OpenTime != c.OpenTime)
                        {
                            problems.Add($"{symbol}: metrics of {m.OpenTime} at {m.Price}, latest candle {c.OpenTime} at {c.Close}");
                            return;
                        }
                    }
                }
            }
        });

        for (var minute = 0; minute < 3000 && problems.Count == 0; minute++)
        {
            var openTime = T0 + (minute * Candle.MinuteMs);
            pipeline.Restore([.. symbols.Select((s, i) =>
            {
                var p = Close(openTime, i);
                return new SymbolCandle(s, new Candle(openTime, p, p + 1, p - 1, p, 10, 10 * p, 5, 4, 4 * p));
            })]);
        }
        await stop.CancelAsync();
        await reader;

        Assert.Empty(problems);
        Assert.True(checks > 0);
        foreach (var symbol in symbols)
        {
            var s = state.GetOrAdd(symbol);
            lock (s.Gate)
            {
                Assert.Equal(T0 + (2999 * Candle.MinuteMs), s.Metrics!.OpenTime);
                Assert.Equal(1440, s.RecentAfter(long.MinValue).Count);
                Assert.True(s.TryClosedBar(Timeframe.H1, out var hour, out _));
                Assert.Equal(Timeframe.H1.AlignedOpen(T0 + (2999 * Candle.MinuteMs)), hour.OpenTime);
            }
        }
    }

    /// <summary>
    /// The pipeline guesses each candle's symbol state from the previous batch's order; batches in other orders, with
    /// fewer symbols or with a new one, must still update exactly the right states.
    /// </summary>
    [Fact]
    public async Task Each_candle_updates_its_own_symbols_state_whatever_the_order_of_the_batch()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("stateorder");
        using var redis = new RedisServer();
        await using var app = await IngestApp.StartIdleAsync(cs, redis.ConnectionString);
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();
        var state = app.Services.GetRequiredService<MarketState>();
        string[] all = ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT", "EEEUSDT"];
        string[][] orders =
        [
            ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"],
            ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"],
            ["DDDUSDT", "CCCUSDT", "BBBUSDT", "AAAUSDT"],
            ["BBBUSDT", "DDDUSDT"],
            ["AAAUSDT", "EEEUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"], // a new symbol in the middle
            ["AAAUSDT", "EEEUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"],
            [new string("CCCUSDT".AsSpan()), "AAAUSDT"], // an equal string, not the same instance
        ];
        var latest = new Dictionary<string, long>();
        for (var m = 0; m < orders.Length; m++)
        {
            var openTime = T0 + (m * Candle.MinuteMs);
            pipeline.Restore([.. orders[m].Select(symbol =>
            {
                var i = Array.IndexOf(all, symbol);
                var close = Close(openTime, i);
                return new SymbolCandle(symbol, new Candle(openTime, close, close + 1, close - 1, close, 10, 10 * close, 5, 5, 5 * close));
            })]);
            foreach (var symbol in orders[m])
            {
                latest[symbol] = openTime;
            }
            foreach (var (symbol, expected) in latest)
            {
                Assert.True(state.TryGet(symbol, out var s), symbol);
                lock (s.Gate)
                {
                    Assert.Equal(expected, s.LastClosed!.Value.OpenTime);
                    Assert.Equal(Close(expected, Array.IndexOf(all, symbol)), s.LastClosed.Value.Close);
                    Assert.Equal(symbol, s.Metrics!.Symbol);
                    Assert.Equal(s.LastClosed.Value.Close, s.Metrics.Price);
                }
            }
        }
    }

    /// <summary>
    /// A corrected candle (same open time, other values) replaces the latest one in every bar the live frames and the
    /// charts read: each bar equals the aggregation of the candles as they now stand, never counting the first version too.
    /// </summary>
    [Fact]
    public async Task A_corrected_candle_replaces_the_latest_in_every_bar()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("statereplace");
        using var redis = new RedisServer();
        await using var app = await IngestApp.StartIdleAsync(cs, redis.ConnectionString);
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();
        var state = app.Services.GetRequiredService<MarketState>();
        const string symbol = "AAAUSDT";
        var start = T0 + (57 * Candle.MinuteMs); // 00:57: the third candle ends the 5m, 15m and 1h bars
        var candles = new List<Candle>();
        for (var m = 0; m < 3; m++)
        {
            var openTime = start + (m * Candle.MinuteMs);
            var close = 100 + m;
            candles.Add(new Candle(openTime, close, close + 1, close - 1, close, 10 + m, (10 + m) * close, 5, 5, 5 * close));
        }
        var corrected = candles[^1] with { High = candles[^1].High + 3, Volume = 40, QuoteVolume = 40 * 102, Trades = 9 };
        foreach (var c in candles.Append(corrected))
        {
            pipeline.Restore([new SymbolCandle(symbol, c)]);
        }

        candles[^1] = corrected;
        Assert.True(state.TryGet(symbol, out var s));
        lock (s.Gate)
        {
            Assert.Equal(corrected, s.LastClosed);
            Assert.Equal(corrected, s.RecentAfter(long.MinValue)[^1]);
            foreach (var tf in Enum.GetValues<Timeframe>())
            {
                var expected = new List<Candle>();
                BarBuilder.Aggregate(CollectionsMarshal.AsSpan(candles), tf, expected);
                Assert.True(s.TryClosedBar(tf, out var bar, out var closed), tf.ToString());
                Assert.Equal(expected[^1], bar);
                Assert.Equal(bar.OpenTime + tf.DurationMs() == corrected.OpenTime + Candle.MinuteMs, closed);
            }
        }
    }
}
