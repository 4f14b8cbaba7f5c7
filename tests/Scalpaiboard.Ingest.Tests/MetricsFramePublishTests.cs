using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The pipeline hands a minute of new candles to the writer before the engine runs (their COPY overlaps the engine):
/// the frame must still reach the stream only after its candles are committed, in order, with the engine's values.
/// </summary>
public sealed class MetricsFramePublishTests
{
    [Fact]
    public async Task Each_frame_is_appended_after_its_candles_are_stored_in_order_with_the_engines_values()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("framepub");
        var empty = Directory.CreateTempSubdirectory("scalp-empty-");
        using var redis = new RedisServer();
        var violations = new ConcurrentQueue<string>();
        var appended = new ConcurrentQueue<long>();
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Ingest:Feed"] = "replay",
            ["Ingest:Replay:Path"] = empty.FullName,
            ["Ingest:Replay:Speed"] = "max",
            ["Ingest:RetentionDays"] = "36500",
        }, services => services.AddSingleton<IEventStream>(sp =>
            new StoreCheckingStream(new RedisEventStream(sp.GetRequiredService<RedisClient>()), cs, violations, appended)));
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(60));
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();

        string[] symbols = ["AAAUSDT", "BBBUSDT", "CCCUSDT"];
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        SymbolCandle[] Minute(int m) => [.. symbols.Select((s, i) =>
        {
            var p = 100 + i + m * 0.5;
            return new SymbolCandle(s, new Candle(t0 + m * Candle.MinuteMs, p, p + 1, p - 1, p + 0.25, 10 + m, (10 + m) * p, 5 + m, 4, 4 * p));
        })];
        pipeline.SetSymbols(symbols);
        // The first minute takes the former path (nothing known about the symbols yet); the rest the overlapped one.
        var engine = new MarketEngine();
        var expected = new List<MetricsSnapshot>();
        for (var m = 0; m < 40; m++)
        {
            var batch = Minute(m);
            await pipeline.OnClosedAsync(t0 + m * Candle.MinuteMs, batch, CancellationToken.None);
            foreach (var (s, c) in batch)
            {
                expected.Add(engine.OnClosedCandle(s, c).Snapshot!.Clone());
            }
        }
        await pipeline.FlushAsync(CancellationToken.None);

        Assert.Empty(violations);
        Assert.Equal(Enumerable.Range(0, 40).Select(m => t0 + m * Candle.MinuteMs), appended);
        var entries = await MetricsStreamProbe.ReadAllAsync(redis.ConnectionString);
        var got = entries.SelectMany(e => e.Items).ToList();
        Assert.Equal(expected.Count, got.Count);
        for (var i = 0; i < got.Count; i++)
        {
            Assert.Equal((expected[i].Symbol, expected[i].OpenTime), (got[i].Symbol, got[i].OpenTime));
            Assert.Equal(expected[i].Price, got[i].Price);
            Assert.Equal(expected[i].Change, got[i].Change);
            Assert.Equal(expected[i].QuoteVolume, got[i].QuoteVolume);
            Assert.Equal(expected[i].Indicators[(int)Market.Bars.Timeframe.M5].Rsi14, got[i].Indicators[(int)Market.Bars.Timeframe.M5].Rsi14);
        }
    }

    /// <summary>At each XADD of a frame, checks in PostgreSQL that every candle the frame describes is committed.</summary>
    private sealed class StoreCheckingStream(IEventStream inner, string postgres, ConcurrentQueue<string> violations, ConcurrentQueue<long> appended)
        : IEventStream
    {
        public async Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, long maxLength,
            CancellationToken cancellationToken)
        {
            if (stream == EventNames.MetricsStream)
            {
                var frame = MetricsFrameReader.Read(fields[0].Value.Span);
                await using var conn = new NpgsqlConnection(postgres);
                await conn.OpenAsync(cancellationToken);
                foreach (var item in frame.Items)
                {
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM ingest.candles_1m WHERE symbol = $1 AND open_time = $2", conn);
                    cmd.Parameters.AddWithValue(item.Symbol);
                    cmd.Parameters.AddWithValue(item.OpenTime);
                    if ((long)(await cmd.ExecuteScalarAsync(cancellationToken))! != 1)
                    {
                        violations.Enqueue($"{item.Symbol} {item.OpenTime} published before it was stored");
                    }
                }
                appended.Enqueue(frame.OpenTime);
            }
            return await inner.AppendBinaryAsync(stream, fields, maxLength, cancellationToken);
        }

        public Task<string> AppendAsync(string stream, IReadOnlyList<KeyValuePair<string, string>> fields, long maxLength, CancellationToken cancellationToken) =>
            inner.AppendAsync(stream, fields, maxLength, cancellationToken);

        public Task EnsureGroupAsync(string stream, string group, string startId, CancellationToken cancellationToken) =>
            inner.EnsureGroupAsync(stream, group, startId, cancellationToken);

        public Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, string fromId, int count, TimeSpan block,
            CancellationToken cancellationToken) => inner.ReadGroupAsync(stream, group, consumer, fromId, count, block, cancellationToken);

        public Task<long> AcknowledgeAsync(string stream, string group, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            inner.AcknowledgeAsync(stream, group, ids, cancellationToken);

        public Task<IReadOnlyList<StreamEntry>> ClaimIdleAsync(string stream, string group, string consumer, TimeSpan minIdle, int count,
            CancellationToken cancellationToken) => inner.ClaimIdleAsync(stream, group, consumer, minIdle, count, cancellationToken);

        public Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken cancellationToken) =>
            inner.PendingAsync(stream, group, count, cancellationToken);

        public Task<long> LengthAsync(string stream, CancellationToken cancellationToken) => inner.LengthAsync(stream, cancellationToken);
    }
}
