using Npgsql;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class KillTests
{
    [Fact]
    public async Task Kill_9_mid_replay_then_restart_leaves_no_missing_and_no_duplicate_candle()
    {
        var sample = SampleKlines.Load(IngestApp.SampleData);
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("kill");
        using var redis = new RedisServer();
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = cs,
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Ingest__Feed"] = "replay",
            ["Ingest__Replay__Path"] = IngestApp.SampleData,
            ["Ingest__Replay__Speed"] = "12000",
            ["Ingest__RetentionDays"] = "36500",
        };
        using (var first = new IngestProcess(env))
        {
            await first.WaitForStatusAsync(s => s.GetProperty("candlesIngested").GetInt64() > 3000, TimeSpan.FromSeconds(60));
            first.Kill();
        }
        env["Ingest__Replay__Speed"] = "max";
        using var second = new IngestProcess(env);
        var status = await second.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(90));
        Assert.Equal(sample.Count, status.GetProperty("candlesIngested").GetInt64());

        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*), count(DISTINCT (symbol, open_time)) FROM ingest.candles_1m", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(sample.Count, r.GetInt64(0));
        Assert.Equal(sample.Count, r.GetInt64(1));

        // At least once: every candle's metrics is in the stream, whatever the kill interrupted.
        var seen = new HashSet<(string, long)>();
        foreach (var e in await MetricsStreamProbe.ReadAllAsync(redis.ConnectionString))
        {
            foreach (var item in e.Items)
            {
                seen.Add((item.Symbol, item.OpenTime));
            }
        }
        Assert.All(sample, k => Assert.Contains((k.Symbol, k.OpenTime), seen));
    }
}
