using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>The Binance feed seeds 4h/8h/1d history from 4h klines (fake Binance over real sockets, real PostgreSQL).</summary>
public sealed class BinanceSeedingTests
{
    private const long DayMs = 86_400_000;
    private const long H4 = 4 * 3_600_000;

    [Fact]
    public async Task First_start_fetches_4h_klines_seeds_the_higher_timeframes_and_a_restart_reads_them_from_the_table()
    {
        var t0 = new DateTimeOffset(2026, 3, 10, 9, 30, 30, TimeSpan.Zero);
        await using var fake = new FakeBinanceServer(new ScaledClock(1, t0), ["BTCUSDT", "ETHUSDT"], weightLimit: 2400);
        fake.ListedFourHourBarsAgo["ETHUSDT"] = 120; // listed 20 days ago: fewer bars than asked for
        await fake.StartAsync();
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("binseed");
        Dictionary<string, string?> settings = new()
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "binance",
            ["Ingest:Binance:RestUrl"] = fake.RestUrl,
            ["Ingest:Binance:StreamUrl"] = fake.StreamUrl,
            ["Ingest:Binance:BatchWaitSeconds"] = "0.3",
            ["Ingest:StaleAfterSeconds"] = "600",
        };
        // The 1m backfill covers the last 1441 minutes, from the start of that day: the previous day's start here.
        var historyStart = (t0.ToUnixTimeMilliseconds() - (1441 * 60_000)) / DayMs * DayMs;

        await using (var app = new IngestApp(settings, services => services.AddSingleton<TimeProvider>(new ScaledClock(1, t0))))
        {
            await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
            var btc = await app.GetJsonAsync("/api/metrics/BTCUSDT");
            foreach (var tf in new[] { "4h", "8h", "1d" })
            {
                var block = btc.GetProperty("indicators").GetProperty(tf);
                foreach (var name in new[] { "rsi14", "macd", "macdSignal", "ema50", "adx14" })
                {
                    Assert.True(block.GetProperty(name).ValueKind == JsonValueKind.Number, $"BTCUSDT {tf} {name}: {block}");
                }
            }
            await HigherTimeframeTests.AssertEqualsKeptRunningAsync(cs, btc, "BTCUSDT");
            var eth = await app.GetJsonAsync("/api/metrics/ETHUSDT");
            Assert.Equal(JsonValueKind.Number, eth.GetProperty("indicators").GetProperty("1d").GetProperty("rsi14").ValueKind);
            Assert.Equal(JsonValueKind.Null, eth.GetProperty("indicators").GetProperty("1d").GetProperty("ema50").ValueKind);
            await HigherTimeframeTests.AssertEqualsKeptRunningAsync(cs, eth, "ETHUSDT");

            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            Assert.Equal(historyStart, await HigherTimeframeTests.ScalarAsync(conn, "SELECT min(open_time) FROM ingest.candles_1m WHERE symbol = 'BTCUSDT'"));
            var seeds = await HigherTimeframeTests.ReadBarsAsync(conn, "BTCUSDT", "4h", long.MinValue, historyStart);
            Assert.Equal(90 * 6, seeds.Count);
            Assert.Equal(historyStart - H4, seeds[^1].OpenTime);
            foreach (var bar in new[] { seeds[0], seeds[300], seeds[^1] })
            {
                var k = fake.FourHourKline("BTCUSDT", bar.OpenTime);
                Assert.Equal((k.Open, k.High, k.Low, k.Close, k.Volume), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
            }
            for (var i = 1; i < seeds.Count; i++)
            {
                Assert.Equal(seeds[i - 1].OpenTime + H4, seeds[i].OpenTime);
            }
            var ethSeeds = await HigherTimeframeTests.ReadBarsAsync(conn, "ETHUSDT", "4h", long.MinValue, historyStart);
            Assert.InRange(ethSeeds.Count, 100, 120);
            Assert.Equal(90, await HigherTimeframeTests.ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE symbol = 'BTCUSDT' AND timeframe = '1d' AND open_time < {historyStart}"));
            // 540 bars in pages of at most 499 (499 + 41); ETH's listing ends its paging early.
            Assert.Equal(3, fake.FourHourRequests);
            Assert.Equal(0, fake.Violations);
        }

        var requests = fake.FourHourRequests;
        await using (var again = new IngestApp(settings, services => services.AddSingleton<TimeProvider>(new ScaledClock(1, t0.AddHours(5)))))
        {
            await again.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
            await HigherTimeframeTests.AssertEqualsKeptRunningAsync(cs, await again.GetJsonAsync("/api/metrics/BTCUSDT"), "BTCUSDT");
            Assert.Equal(requests, fake.FourHourRequests);
        }
    }

    [Fact]
    public async Task A_feed_that_fails_after_seeding_is_not_seeded_twice_and_backfills_from_the_seeded_day()
    {
        var t0 = new DateTimeOffset(2026, 3, 10, 9, 30, 30, TimeSpan.Zero);
        await using var fake = new FakeBinanceServer(new ScaledClock(1, t0), ["BTCUSDT"], weightLimit: 2400);
        fake.FailOneMinuteRequests = 1;
        await fake.StartAsync();
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("binretry");
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "binance",
            ["Ingest:Binance:RestUrl"] = fake.RestUrl,
            ["Ingest:Binance:StreamUrl"] = fake.StreamUrl,
            ["Ingest:Binance:BatchWaitSeconds"] = "0.3",
            ["Ingest:StaleAfterSeconds"] = "600",
        }, services => services.AddSingleton<TimeProvider>(new ScaledClock(1, t0)));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement status;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the feed did not recover");
            await Task.Delay(200);
            status = await app.GetJsonAsync("/api/feed/status");
        }
        while (status.GetProperty("state").GetString() != "running");
        Assert.True(fake.FailOneMinuteRequests < 0, "the 1m backfill did not fail once");
        Assert.Equal(2, fake.FourHourRequests); // 499 + 41, fetched once
        var btc = await app.GetJsonAsync("/api/metrics/BTCUSDT");
        Assert.Equal(JsonValueKind.Number, btc.GetProperty("indicators").GetProperty("1d").GetProperty("macdSignal").ValueKind);
        await HigherTimeframeTests.AssertEqualsKeptRunningAsync(cs, btc, "BTCUSDT");
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        Assert.Equal((t0.ToUnixTimeMilliseconds() - (1441 * 60_000)) / DayMs * DayMs,
            await HigherTimeframeTests.ScalarAsync(conn, "SELECT min(open_time) FROM ingest.candles_1m"));
    }
}
