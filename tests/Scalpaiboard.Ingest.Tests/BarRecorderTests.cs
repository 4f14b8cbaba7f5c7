using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class BarRecorderTests
{
    private const long T0 = 1_772_409_600_000; // 2026-03-02T00:00:00Z

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Recorded_bars_are_the_engines_bars_whatever_the_steps_gaps_and_restarts(int seed)
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("barrec");
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "simulated",
            ["Ingest:Simulated:SymbolCount"] = "1",
            ["Ingest:SeedDays"] = "0",
        });
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));

        // A random walk from mid-4h, with missing minutes and a ten-hour hole, for a symbol the feed does not know.
        var rng = new Random(seed);
        var candles = new List<Candle>();
        var price = 100.0;
        for (var m = 137; m < 6 * 1440; m++)
        {
            if (rng.NextDouble() < 0.05 || (m >= 3000 && m < 3600))
            {
                continue;
            }
            var open = price;
            price *= Math.Exp((rng.NextDouble() - 0.5) * 0.004);
            candles.Add(new Candle(T0 + (m * Candle.MinuteMs), open, Math.Max(open, price) * 1.0003, Math.Min(open, price) * 0.9997, price,
                rng.NextDouble() * 10, rng.NextDouble() * 1000, rng.Next(1, 99), rng.NextDouble(), rng.NextDouble() * 100));
        }
        var store = app.Services.GetRequiredService<CandleStore>();
        await store.UpsertAsync(candles.Select(c => new SymbolCandle("TESTUSDT", c)).ToArray(), CancellationToken.None);

        var bars = app.Services.GetRequiredService<BarStore>();
        var state = app.Services.GetRequiredService<MarketState>();
        BarRecorder NewRecorder() => new(app.Services.GetRequiredService<CandleStore>(), bars, state, TimeProvider.System, NullLogger<BarRecorder>.Instance);
        var recorder = NewRecorder();
        var upTo = candles[0].OpenTime;
        var steps = 0;
        while (upTo < candles[^1].OpenTime)
        {
            upTo = Math.Min(candles[^1].OpenTime, upTo + (rng.Next(1, 900) * Candle.MinuteMs));
            await recorder.CatchUpAsync("TESTUSDT", upTo, CancellationToken.None);
            if (++steps % 7 == 0)
            {
                recorder = NewRecorder(); // a restart: continues from what the table holds
            }
        }

        var boundary = Timeframe.H4.AlignedOpen(upTo);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        foreach (var tf in BarStore.Timeframes)
        {
            var want = new List<Candle>();
            BarBuilder.Aggregate(candles.Where(c => c.OpenTime < boundary).ToArray(), tf, want);
            want.RemoveAll(b => b.OpenTime + tf.DurationMs() > boundary);
            var got = await HigherTimeframeTests.ReadBarsAsync(conn, "TESTUSDT", tf.Name(), long.MinValue, long.MaxValue);
            Assert.True(want.Count > 3);
            Assert.Equal(want, got);
        }
    }
}
