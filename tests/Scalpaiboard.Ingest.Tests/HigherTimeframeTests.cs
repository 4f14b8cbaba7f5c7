using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// Seeded 4h/8h/1d history (docs/ingest.md, "Higher-timeframe bars") through the real service on a fresh database:
/// the daily indicators are there at the first start, and a restarted service's 4h/8h/1d indicators equal bit for bit
/// those of an engine that kept running (seeded with the same bars, fed every stored 1m candle).
/// </summary>
public sealed class HigherTimeframeTests
{
    private const long DayMs = 86_400_000;
    private static readonly string[] Higher = ["4h", "8h", "1d"];

    internal static Dictionary<string, string?> SimulatedSettings(string cs) => new()
    {
        ["ConnectionStrings:postgres"] = cs,
        ["Ingest:Feed"] = "simulated",
        ["Ingest:Simulated:SymbolCount"] = "3",
        ["Ingest:Simulated:TickMilliseconds"] = "200",
        ["Ingest:RetentionDays"] = "30", // the clock moves days on between starts: keep every 1m candle for the comparisons
    };

    [Fact]
    public async Task Simulated_first_start_has_daily_indicators_and_restarts_keep_them_bit_identical()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("htf");
        // 12:00 UTC: the 1m history starts three and a half days back, at a day start (R0).
        var t0 = new DateTimeOffset(2026, 3, 10, 12, 0, 30, TimeSpan.Zero);
        var r0 = t0.ToUnixTimeMilliseconds() / DayMs * DayMs - (3 * DayMs);

        await using (var app = Start(cs, t0))
        {
            var metrics = await RunningMetricsAsync(app, "BTCUSDT");
            foreach (var tf in Higher)
            {
                var block = metrics.GetProperty("indicators").GetProperty(tf);
                foreach (var name in new[] { "rsi14", "macd", "macdSignal", "ema50", "adx14", "atr14", "bbPercentB" })
                {
                    Assert.True(block.GetProperty(name).ValueKind == JsonValueKind.Number, $"{tf} {name} at the first start: {block}");
                }
            }
            await AssertEqualsKeptRunningAsync(cs, metrics, "BTCUSDT");

            // The seeds: 90 days of 4h bars before the 1m history, the last closing at its first open; 8h and 1d from them.
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            Assert.Equal(90 * 6, await ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE symbol = 'BTCUSDT' AND timeframe = '4h' AND open_time < {r0}"));
            Assert.Equal(90 * 3, await ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE symbol = 'BTCUSDT' AND timeframe = '8h' AND open_time < {r0}"));
            Assert.Equal(90, await ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE symbol = 'BTCUSDT' AND timeframe = '1d' AND open_time < {r0}"));
            Assert.Equal(r0 - (90 * DayMs), await ScalarAsync(conn, "SELECT min(open_time) FROM ingest.bars WHERE symbol = 'BTCUSDT'"));
            await using (var cmd = new NpgsqlCommand($"""
                SELECT b.close, c.open FROM ingest.bars b JOIN ingest.candles_1m c ON c.symbol = b.symbol AND c.open_time = {r0}
                WHERE b.timeframe = '4h' AND b.open_time = {r0 - (4 * 3_600_000)}
                """, conn))
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                var rows = 0;
                while (await r.ReadAsync())
                {
                    rows++;
                    Assert.Equal(r.GetDouble(1), r.GetDouble(0));
                }
                Assert.Equal(3, rows);
            }
            // OHLC consistent; the 1d bars are the 4h bars aggregated.
            Assert.Equal(0, await ScalarAsync(conn, "SELECT count(*) FROM ingest.bars WHERE high < greatest(open, close) OR low > least(open, close) OR low <= 0 OR volume <= 0"));
            Assert.Equal(0, await ScalarAsync(conn, $"""
                SELECT count(*) FROM ingest.bars d
                WHERE d.timeframe = '1d' AND d.open_time < {r0} AND d.high <> (SELECT max(h.high) FROM ingest.bars h
                    WHERE h.symbol = d.symbol AND h.timeframe = '4h' AND h.open_time >= d.open_time AND h.open_time < d.open_time + {DayMs})
                """));
        }

        // 30 hours later: the feed fills the gap; bars it closes are recorded.
        await using (var app = Start(cs, t0.AddHours(30)))
        {
            var metrics = await RunningMetricsAsync(app, "BTCUSDT");
            await AssertEqualsKeptRunningAsync(cs, metrics, "BTCUSDT");
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            var lastDay = t0.AddHours(30).ToUnixTimeMilliseconds() / DayMs * DayMs - DayMs;
            for (var waited = 0; await ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE timeframe = '1d' AND open_time = {lastDay}") < 3; waited++)
            {
                Assert.True(waited < 200, "the closed 1d bars were not recorded");
                await Task.Delay(100);
            }
            // recorded bars equal the engine's: the 1d bar of a day is the day's 1m candles aggregated in order
            var candles = await ReadCandlesAsync(conn, "ETHUSDT", lastDay, lastDay + DayMs);
            var want = new List<Candle>();
            BarBuilder.Aggregate(candles.ToArray(), Timeframe.D1, want);
            var got = await ReadBarsAsync(conn, "ETHUSDT", "1d", lastDay, lastDay + DayMs);
            Assert.Equal(want, got);
        }

        // A crash before the bars of [R0, now) reached the table: the next start aggregates them from the 1m candles.
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var delete = new NpgsqlCommand($"DELETE FROM ingest.bars WHERE open_time >= {r0}", conn);
            Assert.True(await delete.ExecuteNonQueryAsync() > 0);
        }
        await using (var app = Start(cs, t0.AddHours(62)))
        {
            // This restart restores 1m candles from R0 + 1 day on: the day before comes from ingest.bars.
            var metrics = await RunningMetricsAsync(app, "BTCUSDT");
            await AssertEqualsKeptRunningAsync(cs, metrics, "BTCUSDT");
            await AssertEqualsKeptRunningAsync(cs, await app.GetJsonAsync("/api/metrics/SOLUSDT"), "SOLUSDT");
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            Assert.Equal(3, await ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE timeframe = '1d' AND open_time = {r0}"));
            // the recorder keeps up with what this run closes (its gap fill): the 1d bar before the clock's day
            var lastDay = t0.AddHours(62).ToUnixTimeMilliseconds() / DayMs * DayMs - DayMs;
            for (var waited = 0; await ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE timeframe = '1d' AND open_time = {lastDay}") < 3; waited++)
            {
                Assert.True(waited < 200, "the closed 1d bars were not recorded");
                await Task.Delay(100);
            }
        }

        // Restored from R0 + 3 days: the bars before come from the table, those of the last two days as recorded while running.
        await using (var app = Start(cs, t0.AddHours(90)))
        {
            await AssertEqualsKeptRunningAsync(cs, await RunningMetricsAsync(app, "ETHUSDT"), "ETHUSDT");
        }
    }

    [Fact]
    public async Task Higher_timeframe_candles_reach_back_over_the_stored_bars()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("htfcandles");
        var t0 = new DateTimeOffset(2026, 3, 10, 12, 0, 30, TimeSpan.Zero);
        var r0 = t0.ToUnixTimeMilliseconds() / DayMs * DayMs - (3 * DayMs);
        await using var app = Start(cs, t0);
        await RunningMetricsAsync(app, "BTCUSDT");
        static long[] Times(JsonElement response) => response.GetProperty("candles").EnumerateArray().Select(c => c.GetProperty("openTime").GetInt64()).ToArray();

        var daily = await app.GetJsonAsync("/api/coins/BTCUSDT/candles?timeframe=1d&limit=200");
        var times = Times(daily);
        Assert.Equal(94, times.Length); // 90 seeded days, three days of 1m history and today's forming bar
        Assert.Equal(Enumerable.Range(0, 94).Select(i => r0 - (90 * DayMs) + (i * DayMs)), times);
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            var stored = await ReadBarsAsync(conn, "BTCUSDT", "1d", long.MinValue, r0);
            var got = daily.GetProperty("candles").EnumerateArray().Take(90).Select(c => (c.GetProperty("open").GetDouble(), c.GetProperty("high").GetDouble(),
                c.GetProperty("low").GetDouble(), c.GetProperty("close").GetDouble(), c.GetProperty("volume").GetDouble())).ToArray();
            Assert.Equal(stored.Select(b => (b.Open, b.High, b.Low, b.Close, b.Volume)), got);
        }

        // the newest ones up to 'to', and the oldest ones from 'from', across the seam
        Assert.Equal([r0 - (4 * DayMs), r0 - (3 * DayMs), r0 - (2 * DayMs)], Times(await app.GetJsonAsync($"/api/coins/BTCUSDT/candles?timeframe=1d&limit=3&to={r0 - (2 * DayMs)}")));
        Assert.Equal([r0 - DayMs, r0, r0 + DayMs], Times(await app.GetJsonAsync($"/api/coins/BTCUSDT/candles?timeframe=1d&limit=3&from={r0 - DayMs + 5}")));
        Assert.Equal([r0 - (8 * 3_600_000), r0], Times(await app.GetJsonAsync($"/api/coins/BTCUSDT/candles?timeframe=8h&limit=2&to={r0}")));

        var fourHour = Times(await app.GetJsonAsync("/api/coins/BTCUSDT/candles?timeframe=4h&limit=1000"));
        Assert.Equal(r0 - (90 * DayMs), fourHour[0]);
        Assert.Equal(540 + (3 * 6) + 4, fourHour.Length);
        // 1h has no stored bars: it starts with the 1m history
        Assert.Equal(r0, Times(await app.GetJsonAsync("/api/coins/BTCUSDT/candles?timeframe=1h&limit=1000"))[0]);
    }

    [Fact]
    public async Task SeedDays_zero_seeds_nothing()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("htf0");
        var settings = SimulatedSettings(cs);
        settings["Ingest:SeedDays"] = "0";
        await using var app = Start(cs, new DateTimeOffset(2026, 3, 10, 12, 0, 30, TimeSpan.Zero), settings);
        var metrics = await RunningMetricsAsync(app, "BTCUSDT");
        Assert.Equal(JsonValueKind.Null, metrics.GetProperty("indicators").GetProperty("1d").GetProperty("rsi14").ValueKind);
        Assert.Equal(JsonValueKind.Number, metrics.GetProperty("indicators").GetProperty("1h").GetProperty("rsi14").ValueKind);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var first = await ScalarAsync(conn, "SELECT min(open_time) FROM ingest.candles_1m");
        Assert.Equal(0, await ScalarAsync(conn, $"SELECT count(*) FROM ingest.bars WHERE open_time < {first}"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("5000")]
    public async Task A_bad_SeedDays_stops_the_service_naming_the_key(string value)
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("htfopts");
        var psi = IngestProcess.StartInfo(ServerProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = cs,
            ["Ingest__Feed"] = "simulated",
            ["Ingest__SeedDays"] = value,
        });
        var (exitCode, output) = await ServerProcess.RunToExitAsync(psi, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.True(output.Contains("OptionsValidationException", StringComparison.Ordinal), output);
        Assert.True(output.Contains("Ingest:SeedDays", StringComparison.Ordinal), output);
    }

    private static IngestApp Start(string cs, DateTimeOffset at, Dictionary<string, string?>? settings = null)
    {
        var clock = new ScaledClock(1, at);
        return new IngestApp(settings ?? SimulatedSettings(cs), services => services.AddSingleton<TimeProvider>(clock));
    }

    private static async Task<JsonElement> RunningMetricsAsync(IngestApp app, string symbol)
    {
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(90));
        return await app.GetJsonAsync($"/api/metrics/{symbol}");
    }

    /// <summary>
    /// The engine that kept running: seeded with the stored bars from before the symbol's first stored 1m candle, then
    /// fed every stored 1m candle up to the API's; its 4h/8h/1d indicators (and previous ones) must be the API's, to the bit.
    /// </summary>
    internal static async Task AssertEqualsKeptRunningAsync(string cs, JsonElement metrics, string symbol)
    {
        var openTime = metrics.GetProperty("openTime").GetInt64();
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        for (var waited = 0; await ScalarAsync(conn, $"SELECT count(*) FROM ingest.candles_1m WHERE symbol = '{symbol}' AND open_time = {openTime}") == 0; waited++)
        {
            Assert.True(waited < 100, "the API's candle was not stored");
            await Task.Delay(100);
        }
        var first = await ScalarAsync(conn, $"SELECT min(open_time) FROM ingest.candles_1m WHERE symbol = '{symbol}'");
        var engine = new MarketEngine();
        foreach (var tf in new[] { Timeframe.H4, Timeframe.H8, Timeframe.D1 })
        {
            var bars = await ReadBarsAsync(conn, symbol, tf.Name(), long.MinValue, tf.AlignedOpen(first));
            engine.SeedBars(symbol, tf, bars.ToArray(), first);
        }
        foreach (var c in await ReadCandlesAsync(conn, symbol, first, openTime + 1))
        {
            engine.OnClosedCandle(symbol, c);
        }
        Assert.True(engine.TryGetSnapshot(symbol, out var want));
        Assert.Equal(openTime, want.OpenTime);
        foreach (var (property, values) in new[] { ("indicators", want.Indicators), ("previousIndicators", want.PreviousIndicators) })
        {
            foreach (var tf in Higher)
            {
                Timeframes.TryParse(tf, out var t);
                var expected = JsonSerializer.SerializeToElement(IndicatorBlock.From(values[(int)t]), JsonSerializerOptions.Web);
                var got = metrics.GetProperty(property).GetProperty(tf);
                foreach (var p in expected.EnumerateObject())
                {
                    var actual = got.TryGetProperty(p.Name, out var a) ? a.GetRawText() : "null";
                    Assert.True(p.Value.GetRawText() == actual, $"{symbol} {property} {tf} {p.Name}: kept running {p.Value.GetRawText()}, restarted {actual}");
                }
            }
        }
    }

    internal static async Task<long> ScalarAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync() is long v ? v : 0;
    }

    internal static async Task<List<Candle>> ReadCandlesAsync(NpgsqlConnection conn, string symbol, long from, long before)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume " +
            $"FROM ingest.candles_1m WHERE symbol = '{symbol}' AND open_time >= {from} AND open_time < {before} ORDER BY open_time", conn);
        return await ReadAsync(cmd);
    }

    internal static async Task<List<Candle>> ReadBarsAsync(NpgsqlConnection conn, string symbol, string timeframe, long from, long before)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume " +
            $"FROM ingest.bars WHERE symbol = '{symbol}' AND timeframe = '{timeframe}' AND open_time >= {from} AND open_time < {before} ORDER BY open_time", conn);
        return await ReadAsync(cmd);
    }

    private static async Task<List<Candle>> ReadAsync(NpgsqlCommand cmd)
    {
        var list = new List<Candle>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(new Candle(r.GetInt64(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5),
                r.GetDouble(6), r.GetInt64(7), r.GetDouble(8), r.GetDouble(9)));
        }
        return list;
    }
}
