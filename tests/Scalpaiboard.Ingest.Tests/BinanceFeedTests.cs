using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class BinanceFeedTests
{
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"];

    [Fact]
    public async Task Fifty_forced_disconnects_silence_and_malformed_frames_lose_no_closed_candle_within_the_weight_limit()
    {
        // One real second is one market minute; the weight limit is per market minute.
        var start = DateTimeOffset.UtcNow;
        var clock = new ScaledClock(60, start.AddMilliseconds(-start.ToUnixTimeMilliseconds() % 60_000 + 100));
        await using var fake = new FakeBinanceServer(clock, Symbols, weightLimit: 20);
        await fake.StartAsync();
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("binance");
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "binance",
            ["Ingest:Binance:RestUrl"] = fake.RestUrl,
            ["Ingest:Binance:StreamUrl"] = fake.StreamUrl,
            ["Ingest:Binance:SilenceTimeoutSeconds"] = "1",
            ["Ingest:Binance:StreamsPerConnection"] = "3",
            ["Ingest:Binance:BatchWaitSeconds"] = "0.3",
            ["Ingest:Binance:ReconnectDelayMilliseconds"] = "20",
            ["Ingest:Binance:MaxReconnectDelayMilliseconds"] = "200",
            ["Ingest:StaleAfterSeconds"] = "600",
        }, services => services.AddSingleton<TimeProvider>(clock));

        var status = await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running"
            && s.GetProperty("candlesIngested").GetInt64() >= Symbols.Length * 1441, TimeSpan.FromSeconds(60));
        Assert.Equal(Symbols.Length, status.GetProperty("symbols").GetInt32());

        // Chaos: 50 forced disconnects of every open stream a quarter of a (real) second apart, a silent stretch,
        // malformed frames throughout.
        fake.MalformedEvery = 7;
        var forced = 0;
        var wentSilent = false;
        var chaosDeadline = DateTime.UtcNow.AddSeconds(60);
        while (forced < 50)
        {
            Assert.True(DateTime.UtcNow < chaosDeadline, $"only {forced} disconnects forced");
            await Task.Delay(250);
            if (fake.DropAll() > 0)
            {
                forced++;
            }
            if (forced == 25 && !wentSilent)
            {
                wentSilent = true;
                fake.Silent = true;
                await Task.Delay(2500);
                fake.Silent = false;
            }
        }
        fake.MalformedEvery = 0;

        // Everything closed by now must arrive.
        var until = clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000 - 1;
        await WaitForAsync(async () => (await MinLastOpenTimeAsync(cs)) >= until * 60_000, TimeSpan.FromSeconds(30));

        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        foreach (var symbol in Symbols)
        {
            await using var cmd = new NpgsqlCommand("SELECT open_time, open, high, low, close, quote_volume, trades FROM ingest.candles_1m WHERE symbol = $1 ORDER BY open_time", conn);
            cmd.Parameters.AddWithValue(symbol);
            await using var r = await cmd.ExecuteReaderAsync();
            long? previous = null;
            var count = 0;
            while (await r.ReadAsync())
            {
                var minute = r.GetInt64(0) / 60_000;
                if (previous is { } p)
                {
                    Assert.True(minute == p + 1, $"{symbol}: gap or duplicate between minute {p} and {minute}");
                }
                previous = minute;
                count++;
                var want = FakeBinanceServer.Kline(symbol, minute);
                Assert.Equal(want.Open, r.GetDouble(1));
                Assert.Equal(want.High, r.GetDouble(2));
                Assert.Equal(want.Low, r.GetDouble(3));
                Assert.Equal(want.Close, r.GetDouble(4)); // the closed candle, never the forming one
                Assert.Equal(want.Trades, r.GetInt64(6));
            }
            Assert.True(count >= 1441 + 10, $"{symbol}: only {count} candles");
            Assert.True(previous >= until);
        }

        status = await app.GetJsonAsync("/api/feed/status");
        Assert.True(fake.Drops >= 50);
        Assert.True(status.GetProperty("reconnects").GetInt64() >= 50, "reconnects: " + status);
        Assert.True(fake.Connections >= 50 + 2);
        var malformed = status.GetProperty("malformedFrames").GetInt64();
        Assert.InRange(malformed, 1, fake.MalformedSent);
        Assert.Equal(0, fake.Violations);
        Assert.Equal(3, fake.MaxStreamsPerConnection); // 4 kline streams over two connections
        Assert.InRange(fake.MaxWeightSeen, 1, fake.WeightLimit);
        Assert.Equal(fake.WeightLimit, status.GetProperty("weightLimit").GetInt32());
    }

    [Fact]
    public async Task Order_book_requests_subscribe_partial_depth()
    {
        var clock = new ScaledClock(1, DateTimeOffset.UtcNow);
        await using var fake = new FakeBinanceServer(clock, ["BTCUSDT", "ETHUSDT"], weightLimit: 2400);
        await fake.StartAsync();
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("depth");
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "binance",
            ["Ingest:Symbols"] = "ETHUSDT",
            ["Ingest:Binance:RestUrl"] = fake.RestUrl,
            ["Ingest:Binance:StreamUrl"] = fake.StreamUrl,
        }, services => services.AddSingleton<TimeProvider>(clock));
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
        Assert.Equal("ETHUSDT", Assert.Single((await app.GetJsonAsync("/api/symbols")).EnumerateArray()).GetString());

        System.Text.Json.JsonElement book = default;
        await WaitForAsync(async () =>
        {
            book = await app.GetJsonAsync("/api/coins/ETHUSDT/orderbook?depth=5");
            return !book.GetProperty("synthetic").GetBoolean() && book.GetProperty("bids").GetArrayLength() == 5;
        }, TimeSpan.FromSeconds(20));
        var bestBid = book.GetProperty("bids")[0][0].GetDouble();
        var bestAsk = book.GetProperty("asks")[0][0].GetDouble();
        Assert.True(bestBid < bestAsk);
        Assert.Equal(1, book.GetProperty("bids")[0][1].GetDouble());
    }

    private static async Task<long> MinLastOpenTimeAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT coalesce(min(m), 0) FROM (SELECT max(open_time) m FROM ingest.candles_1m GROUP BY symbol) x", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(100);
        }
    }
}
