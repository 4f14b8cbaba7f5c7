using System.Text.Json;
using Npgsql;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class SimulatedFeedTests
{
    private static Dictionary<string, string?> Settings(string cs) => new()
    {
        ["ConnectionStrings:postgres"] = cs,
        ["Ingest:Feed"] = "simulated",
        ["Ingest:Simulated:SymbolCount"] = "6",
        ["Ingest:Simulated:TickMilliseconds"] = "200",
    };

    [Fact]
    public async Task First_start_fills_three_days_of_history_and_a_restart_continues_without_gaps()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("sim");
        await using (var app = new IngestApp(Settings(cs)))
        {
            await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running"
                && s.GetProperty("candlesIngested").GetInt64() >= 6 * 4320, TimeSpan.FromSeconds(90));
            var coins = await app.GetJsonAsync("/api/coins?sortBy=change_1d");
            Assert.Equal(6, coins.GetProperty("total").GetInt32());
            foreach (var coin in coins.GetProperty("data").EnumerateArray())
            {
                // Every window is available at once.
                Assert.Equal(System.Text.Json.JsonValueKind.Number, coin.GetProperty("change_1d").ValueKind);
                Assert.Equal(System.Text.Json.JsonValueKind.Number, coin.GetProperty("quoteVolume_1d").ValueKind);
                Assert.True(coin.GetProperty("price").GetDouble() > 0);
            }
            // Three days of history: the 1h indicators that need 34-50 bars are there from the start.
            var hourly = (await app.GetJsonAsync("/api/metrics/BTCUSDT")).GetProperty("indicators").GetProperty("1h");
            foreach (var name in new[] { "macd", "macdSignal", "adx14", "ema50", "rsi14", "bbPercentB", "atr14" })
            {
                Assert.True(hourly.GetProperty(name).ValueKind == System.Text.Json.JsonValueKind.Number, $"1h {name}: {hourly}");
            }
            var book = await app.GetJsonAsync("/api/coins/BTCUSDT/orderbook?depth=20");
            var bids = book.GetProperty("bids").EnumerateArray().Select(l => l[0].GetDouble()).ToArray();
            var asks = book.GetProperty("asks").EnumerateArray().Select(l => l[0].GetDouble()).ToArray();
            Assert.Equal(20, bids.Length);
            Assert.True(bids[0] < asks[0], "book is crossed");
            Assert.Equal(bids.OrderByDescending(x => x), bids);
            Assert.Equal(asks.Order(), asks);
        }
        await using (var again = new IngestApp(Settings(cs)))
        {
            await again.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
            // The restart rebuilt the state from every stored candle: it is what the engine gives over all of them.
            var got = await again.GetJsonAsync("/api/metrics/ETHUSDT");
            var openTime = got.GetProperty("openTime").GetInt64();
            var engine = new Scalpaiboard.Market.MarketEngine();
            await using (var read = new NpgsqlConnection(cs))
            {
                await read.OpenAsync();
                for (var waited = 0; waited < 100; waited++)
                {
                    // the API may show a minute a moment before its candle is committed
                    await using var stored = new NpgsqlCommand("SELECT count(*) FROM ingest.candles_1m WHERE symbol = 'ETHUSDT' AND open_time = $1", read);
                    stored.Parameters.AddWithValue(openTime);
                    if ((long)(await stored.ExecuteScalarAsync())! == 1)
                    {
                        break;
                    }
                    await Task.Delay(100);
                }
                // seeded like the service: the stored 4h/8h/1d bars from before the first stored 1m candle
                var first = await HigherTimeframeTests.ScalarAsync(read, "SELECT min(open_time) FROM ingest.candles_1m WHERE symbol = 'ETHUSDT'");
                foreach (var tf in new[] { Scalpaiboard.Market.Bars.Timeframe.H4, Scalpaiboard.Market.Bars.Timeframe.H8, Scalpaiboard.Market.Bars.Timeframe.D1 })
                {
                    var bars = await HigherTimeframeTests.ReadBarsAsync(read, "ETHUSDT", Scalpaiboard.Market.Bars.Timeframes.Name(tf), long.MinValue, first);
                    engine.SeedBars("ETHUSDT", tf, bars.ToArray(), first);
                }
                await using var all = new NpgsqlCommand(
                    "SELECT open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume " +
                    "FROM ingest.candles_1m WHERE symbol = 'ETHUSDT' AND open_time <= $1 ORDER BY open_time", read);
                all.Parameters.AddWithValue(openTime);
                await using var rows = await all.ExecuteReaderAsync();
                while (await rows.ReadAsync())
                {
                    engine.OnClosedCandle("ETHUSDT", new Scalpaiboard.Market.Candle(rows.GetInt64(0), rows.GetDouble(1), rows.GetDouble(2),
                        rows.GetDouble(3), rows.GetDouble(4), rows.GetDouble(5), rows.GetDouble(6), rows.GetInt64(7), rows.GetDouble(8), rows.GetDouble(9)));
                }
            }
            Assert.True(engine.TryGetSnapshot("ETHUSDT", out var want));
            Assert.Equal(want.OpenTime, openTime);
            for (var t = 0; t < Scalpaiboard.Market.Bars.Timeframes.Count; t++)
            {
                var block = got.GetProperty("indicators").GetProperty(Scalpaiboard.Market.Bars.Timeframes.Names[t]);
                var v = want.Indicators[t];
                foreach (var (name, value) in new[] { ("rsi14", v.Rsi14), ("macd", v.Macd), ("macdSignal", v.MacdSignal), ("adx14", v.Adx14), ("ema50", v.Ema50), ("atr14", v.Atr14) })
                {
                    var json = block.GetProperty(name);
                    Assert.True(double.IsFinite(value) ? json.ValueKind == System.Text.Json.JsonValueKind.Number && Math.Abs(json.GetDouble() - value) <= 1e-9 * Math.Max(1, Math.Abs(value))
                        : json.ValueKind == System.Text.Json.JsonValueKind.Null, $"{Scalpaiboard.Market.Bars.Timeframes.Names[t]} {name}: want {value}, got {json}");
                }
            }
        }
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT symbol, count(*), (max(open_time) - min(open_time)) / 60000 + 1 FROM ingest.candles_1m GROUP BY symbol", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var symbols = 0;
        while (await r.ReadAsync())
        {
            symbols++;
            Assert.True(r.GetInt64(1) >= 4320, $"{r.GetString(0)} has {r.GetInt64(1)} candles");
            Assert.Equal(r.GetInt64(2), r.GetInt64(1));
        }
        Assert.Equal(6, symbols);
    }

    [Fact]
    public async Task First_start_has_every_derivatives_field_at_once_and_stores_open_interest_funding_and_liquidations()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("simderiv");
        var settings = Settings(cs);
        settings["Ingest:Simulated:SymbolCount"] = "3";
        settings["Ingest:Simulated:HistoryMinutes"] = "1441";
        await using var app = new IngestApp(settings);
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(90));

        // Every field of the coin, right after the history fill.
        var coin = await app.GetJsonAsync("/api/coins/BTCUSDT");
        foreach (var name in DerivativesValues.Names)
        {
            Assert.True(coin.GetProperty(name).ValueKind == JsonValueKind.Number, $"{name}: {coin}");
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.InRange(coin.GetProperty("nextFundingTime").GetInt64(), now - 60_000, now + (8 * HourMs));
        Assert.Equal(0, coin.GetProperty("nextFundingTime").GetInt64() % (8 * HourMs));
        Assert.InRange(coin.GetProperty("markPrice").GetDouble() / coin.GetProperty("price").GetDouble(), 0.99, 1.01);
        Assert.True(coin.GetProperty("openInterestValue").GetDouble() > 0);

        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var first = await HigherTimeframeTests.ScalarAsync(conn, "SELECT min(open_time) FROM ingest.candles_1m WHERE symbol = 'BTCUSDT'");
        var closed = await HigherTimeframeTests.ScalarAsync(conn, "SELECT max(open_time) FROM ingest.candles_1m WHERE symbol = 'BTCUSDT'") + 60_000;
        // Funding settled at every 8 h boundary from a day before the 1m history (stored off the feed's thread).
        var settlements = new List<long>();
        for (var waited = 0; waited < 100; waited++)
        {
            settlements = await ListAsync(conn, "SELECT time FROM ingest.funding_rates WHERE symbol = 'BTCUSDT' ORDER BY time");
            if (settlements.Count > 0 && settlements[^1] >= closed / (8 * HourMs) * 8 * HourMs)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(first - (24 * HourMs), settlements[0]);
        Assert.True(settlements[^1] >= closed / (8 * HourMs) * 8 * HourMs);
        Assert.All(settlements.Zip(settlements.Skip(1)), p => Assert.Equal(8 * HourMs, p.Second - p.First));

        // Open interest every 5 minutes over the same span, its value the contracts at the price of the candle closing then.
        await using (var cmd = new NpgsqlCommand("""
            SELECT o.time, o.open_interest, o.open_interest_value, o.long_short_ratio, o.top_trader_long_short_ratio, o.taker_buy_sell_ratio, c.close
            FROM ingest.open_interest o LEFT JOIN ingest.candles_1m c ON c.symbol = o.symbol AND c.open_time = o.time - 60000
            WHERE o.symbol = 'BTCUSDT' AND o.time <= $1 ORDER BY o.time
            """, conn))
        {
            cmd.Parameters.AddWithValue(closed);
            await using var r = await cmd.ExecuteReaderAsync();
            var expected = first - (24 * HourMs);
            while (await r.ReadAsync())
            {
                Assert.Equal(expected, r.GetInt64(0));
                expected += 300_000;
                Assert.True(r.GetDouble(3) > 0 && r.GetDouble(4) > 0 && r.GetDouble(5) > 0);
                if (!r.IsDBNull(6))
                {
                    Assert.Equal(Math.Round(r.GetDouble(1) * r.GetDouble(6), 2), r.GetDouble(2), 0.011);
                }
            }
            Assert.True(expected > closed - 600_000, $"open interest stops at {expected - 300_000}, the candles at {closed}");
        }
        var liquidations = await HigherTimeframeTests.ScalarAsync(conn, "SELECT count(*) FROM ingest.liquidations WHERE side IN (0, 1) AND price > 0 AND quantity > 0");
        Assert.True(liquidations > 0);

        // The 5-minute history of the coin page.
        var points = (await app.GetJsonAsync("/api/coins/BTCUSDT/derivatives")).GetProperty("points");
        Assert.True(points.GetArrayLength() >= 280);
        foreach (var point in points.EnumerateArray())
        {
            foreach (var name in new[] { "openInterestValue", "fundingRate", "longShortRatio", "liquidationsLong", "liquidationsShort" })
            {
                Assert.True(point.GetProperty(name).ValueKind == JsonValueKind.Number, $"{name}: {point}");
            }
        }
    }

    private const long HourMs = 3_600_000;

    private static async Task<List<long>> ListAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<long>();
        while (await r.ReadAsync())
        {
            list.Add(r.GetInt64(0));
        }
        return list;
    }
}
