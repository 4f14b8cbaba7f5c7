using System.Text.Json;
using Npgsql;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class ReplayTests
{
    private static readonly List<Kline> Sample = SampleKlines.Load(IngestApp.SampleData);

    private static Dictionary<string, string?> ReplaySettings(string connectionString, string speed = "max", string? redis = null) => new()
    {
        ["ConnectionStrings:postgres"] = connectionString,
        ["ConnectionStrings:redis"] = redis ?? RedisServer.Shared.ConnectionString,
        ["Ingest:Feed"] = "replay",
        ["Ingest:Replay:Path"] = IngestApp.SampleData,
        ["Ingest:Replay:Speed"] = speed,
        // The sample lies in the past: keep it whatever the retention clock says.
        ["Ingest:RetentionDays"] = "36500",
    };

    [Fact]
    public async Task Replay_at_max_stores_every_candle_once_and_serves_aggregated_bars_and_metrics()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("replay");
        using var redis = new RedisServer();
        await using var subscriber = await redis.ConnectAsync();
        var frames = new System.Collections.Concurrent.ConcurrentBag<(string Channel, string Json)>();
        (await subscriber.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Pattern("live:*")))
            .OnMessage(m => frames.Add((m.Channel.ToString(), m.Message.ToString())));
        await using var app = new IngestApp(ReplaySettings(cs, redis: redis.ConnectionString));
        var status = await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(60));

        Assert.Equal(Sample.Count, status.GetProperty("candlesIngested").GetInt64());
        Assert.Equal(0, status.GetProperty("malformedRows").GetInt64());
        Assert.Equal(Sample.Max(k => k.OpenTime), status.GetProperty("lastOpenTime").GetInt64());
        await AssertStoredExactlyAsync(cs);

        // Every candle's metrics reached the Redis stream, grouped by open time.
        var entries = await MetricsStreamProbe.ReadAllAsync(redis.ConnectionString);
        var seen = new HashSet<(string, long)>();
        var sampleByKey = Sample.ToDictionary(k => (k.Symbol, k.OpenTime));
        foreach (var e in entries)
        {
            Assert.True(e.Ts > 0);
            for (var i = 0; i < e.Items.Count; i++)
            {
                var item = e.Items[i];
                Assert.Equal(e.OpenTime, item.OpenTime);
                seen.Add((item.Symbol, e.OpenTime));
                // The frame carries the snapshot at the candle's close (the candle itself is in PostgreSQL): the price is the sample's close.
                var k = sampleByKey[(item.Symbol, e.OpenTime)];
                Assert.True(SampleKlines.Close(k.Close, item.Price), $"{item.Symbol} price at {e.OpenTime}");
            }
        }
        Assert.All(Sample, k => Assert.Contains((k.Symbol, k.OpenTime), seen));
        Assert.Equal(Sample.Select(k => k.OpenTime).Distinct().Count(), entries.Select(e => e.OpenTime).Distinct().Count());

        // Live frames are complete WebSocket frames stamped with their publish time.
        await Task.Delay(200);
        Assert.Contains(frames, f => f.Channel == "live:metrics:" + Sample[0].Symbol);
        Assert.Contains(frames, f => f.Channel == $"live:candles:{Sample[0].Symbol}:1h");
        foreach (var (channel, json) in frames.Take(200))
        {
            var frame = JsonDocument.Parse(json).RootElement;
            Assert.Equal(channel, "live:" + frame.GetProperty("channel").GetString());
            Assert.Equal(frame.GetProperty("channel").GetString()!.Split(':')[0], frame.GetProperty("type").GetString());
            Assert.True(frame.GetProperty("ts").GetInt64() > 1_700_000_000_000);
            Assert.True(frame.TryGetProperty("data", out _));
        }

        foreach (var symbol in Sample.Select(k => k.Symbol).Distinct().Take(3))
        {
            foreach (var (tf, minutes) in new[] { ("1h", 60), ("4h", 240), ("1d", 1440) })
            {
                var want = SampleKlines.Aggregate(Sample, symbol, minutes).TakeLast(100).ToList();
                var body = await app.GetJsonAsync($"/api/coins/{symbol}/candles?timeframe={tf}&limit=100");
                var got = body.GetProperty("candles").EnumerateArray().ToList();
                Assert.Equal(want.Count, got.Count);
                for (var i = 0; i < want.Count; i++)
                {
                    Assert.Equal(want[i].OpenTime, got[i].GetProperty("openTime").GetInt64());
                    Assert.True(SampleKlines.Close(want[i].Open, got[i].GetProperty("open").GetDouble()), $"{symbol} {tf} open at {i}");
                    Assert.True(SampleKlines.Close(want[i].High, got[i].GetProperty("high").GetDouble()), $"{symbol} {tf} high at {i}");
                    Assert.True(SampleKlines.Close(want[i].Low, got[i].GetProperty("low").GetDouble()), $"{symbol} {tf} low at {i}");
                    Assert.True(SampleKlines.Close(want[i].Close, got[i].GetProperty("close").GetDouble()), $"{symbol} {tf} close at {i}");
                    Assert.True(SampleKlines.Close(want[i].QuoteVolume, got[i].GetProperty("quoteVolume").GetDouble()), $"{symbol} {tf} quoteVolume at {i}");
                    Assert.Equal(want[i].Trades, got[i].GetProperty("trades").GetInt64());
                }
            }

            // Rolling windows at the last candle, straight from the files.
            var series = Sample.Where(k => k.Symbol == symbol).OrderBy(k => k.OpenTime).ToList();
            var metrics = await app.GetJsonAsync($"/api/metrics/{symbol}");
            Assert.Equal(series[^1].OpenTime, metrics.GetProperty("openTime").GetInt64());
            foreach (var (w, n) in new[] { ("5m", 5), ("15m", 15), ("1h", 60), ("4h", 240), ("8h", 480), ("1d", 1440) })
            {
                var win = metrics.GetProperty("windows").GetProperty(w);
                var change = (series[^1].Close / series[series.Count - 1 - n].Close - 1) * 100;
                var volume = series.TakeLast(n).Sum(k => k.QuoteVolume);
                Assert.True(Math.Abs(change - win.GetProperty("change").GetDouble()) < 1e-9, $"{symbol} change_{w}");
                Assert.True(SampleKlines.Close(volume, win.GetProperty("quoteVolume").GetDouble()), $"{symbol} volume_{w}");
                Assert.True(SampleKlines.Close(series.TakeLast(n).Max(k => k.High), win.GetProperty("high").GetDouble()), $"{symbol} high_{w}");
            }
        }
    }

    [Fact]
    public async Task Restart_mid_replay_resumes_without_gaps_or_duplicates()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("resume");
        // ~2880 minutes at 120,000x real time: about 1.5 s of replay, stopped part-way.
        await using (var first = new IngestApp(ReplaySettings(cs, "120000")))
        {
            await first.WaitForStatusAsync(s => s.GetProperty("candlesIngested").GetInt64() > 2000, TimeSpan.FromSeconds(30));
        }
        var partial = await CountAsync(cs);
        Assert.InRange(partial, 1, Sample.Count - 1);

        await using var second = new IngestApp(ReplaySettings(cs));
        var status = await second.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(Sample.Count, status.GetProperty("candlesIngested").GetInt64());
        await AssertStoredExactlyAsync(cs);
    }

    private static async Task<long> CountAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM ingest.candles_1m", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Every sample row is stored once with its values, and nothing else is.</summary>
    private static async Task AssertStoredExactlyAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT symbol, open_time, close, quote_volume FROM ingest.candles_1m", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var stored = new Dictionary<(string, long), (double, double)>();
        while (await r.ReadAsync())
        {
            Assert.True(stored.TryAdd((r.GetString(0), r.GetInt64(1)), (r.GetDouble(2), r.GetDouble(3))), "duplicate row");
        }
        Assert.Equal(Sample.Count, stored.Count);
        foreach (var k in Sample)
        {
            Assert.True(stored.TryGetValue((k.Symbol, k.OpenTime), out var v), $"missing {k.Symbol} {k.OpenTime}");
            Assert.Equal(k.Close, v.Item1);
            Assert.Equal(k.QuoteVolume, v.Item2);
        }
    }
}
