using Npgsql;
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
    public async Task First_start_fills_a_day_of_history_and_a_restart_continues_without_gaps()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("sim");
        await using (var app = new IngestApp(Settings(cs)))
        {
            await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running"
                && s.GetProperty("candlesIngested").GetInt64() >= 6 * 1440, TimeSpan.FromSeconds(60));
            var coins = await app.GetJsonAsync("/api/coins?sortBy=change_1d");
            Assert.Equal(6, coins.GetProperty("total").GetInt32());
            foreach (var coin in coins.GetProperty("data").EnumerateArray())
            {
                // Every window is available at once.
                Assert.Equal(System.Text.Json.JsonValueKind.Number, coin.GetProperty("change_1d").ValueKind);
                Assert.Equal(System.Text.Json.JsonValueKind.Number, coin.GetProperty("quoteVolume_1d").ValueKind);
                Assert.True(coin.GetProperty("price").GetDouble() > 0);
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
            Assert.True(r.GetInt64(1) >= 1440, $"{r.GetString(0)} has {r.GetInt64(1)} candles");
            Assert.Equal(r.GetInt64(2), r.GetInt64(1));
        }
        Assert.Equal(6, symbols);
    }
}
