using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class RetentionTests
{
    [Fact]
    public async Task Candles_older_than_the_retention_are_deleted_and_newer_ones_kept()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("retention");
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "simulated",
            ["Ingest:Simulated:SymbolCount"] = "2",
            ["Ingest:RetentionDays"] = "1",
            ["Ingest:Simulated:HistoryMinutes"] = "1441", // at most two days back: the inserted candles three days back are the only old ones
        });
        // the whole history stored: running, and the newest stored candle is the last closed minute
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running"
            && s.GetProperty("lastOpenTime").ValueKind == System.Text.Json.JsonValueKind.Number
            && s.GetProperty("lastOpenTime").GetInt64() >= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3 * 60_000, TimeSpan.FromSeconds(60));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var old = now - now % 60_000 - 3L * 86_400_000;
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO ingest.candles_1m VALUES ('BTCUSDT', $1, 1, 1, 1, 1, 1, 1, 1, 1, 1), ('OLDUSDT', $2, 1, 1, 1, 1, 1, 1, 1, 1, 1)", conn))
        {
            insert.Parameters.AddWithValue(old);
            insert.Parameters.AddWithValue(old - 60_000);
            await insert.ExecuteNonQueryAsync();
        }
        var deleted = await app.Services.GetRequiredService<RetentionService>().RunOnceAsync(CancellationToken.None);
        Assert.True(deleted >= 2);
        await using var count = new NpgsqlCommand("SELECT count(*) FILTER (WHERE open_time < $1), count(*) FROM ingest.candles_1m", conn);
        count.Parameters.AddWithValue(now - 86_400_000);
        await using var r = await count.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(0, r.GetInt64(0));
        Assert.True(r.GetInt64(1) >= 2 * 1400, "the last day stays");
    }
}
