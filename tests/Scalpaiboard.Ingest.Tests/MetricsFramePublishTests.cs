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
/// The writer appends each minute's frame while (not after) its candles are copied into PostgreSQL: the frames must
/// still reach the stream in order with the engine's values, every candle must be stored, the recorded published
/// open time must never be ahead of the store, and a crash between an XADD and its candles' commit must lose nothing.
/// </summary>
public sealed class MetricsFramePublishTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Each_frame_is_appended_in_order_with_the_engines_values_and_the_published_time_never_runs_ahead_of_the_store()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("framepub");
        using var redis = new RedisServer();
        var violations = new ConcurrentQueue<string>();
        var appended = new ConcurrentQueue<long>();
        await using var app = await IngestApp.StartIdleAsync(cs, redis.ConnectionString, services => services.AddSingleton<IEventStream>(sp =>
            new StoreCheckingStream(new RedisEventStream(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>()), cs, T0, violations, appended)));
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();

        string[] symbols = ["AAAUSDT", "BBBUSDT", "CCCUSDT"];
        var t0 = T0;
        SymbolCandle[] Minute(int m) => [.. symbols.Select((s, i) =>
        {
            var p = 100 + i + m * 0.5;
            return new SymbolCandle(s, new Candle(t0 + m * Candle.MinuteMs, p, p + 1, p - 1, p + 0.25, 10 + m, (10 + m) * p, 5 + m, 4, 4 * p));
        })];
        pipeline.SetSymbols(symbols);
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
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT (SELECT count(*) FROM ingest.candles_1m), (SELECT published_open_time FROM ingest.publish_state WHERE id = 1)", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            Assert.Equal(40 * symbols.Length, r.GetInt64(0));
            Assert.Equal(t0 + 39 * Candle.MinuteMs, r.GetInt64(1));
        }
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

    /// <summary>
    /// Two appends fail (one before reaching Redis, one after Redis appended its entries, a lost reply), each of them
    /// possibly a batch of several minutes: the entries stay in order, the call appended before its failure was
    /// reported appears again as a whole right after itself (at-least-once), and nothing is missing.
    /// </summary>
    [Fact]
    public async Task Failed_appends_are_retried_in_order()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("framefail");
        using var redis = new RedisServer();
        var failing = new ConcurrentQueue<FailingStream>();
        await using var app = await IngestApp.StartIdleAsync(cs, redis.ConnectionString, services => services.AddSingleton<IEventStream>(sp =>
        {
            var stream = new FailingStream(new RedisEventStream(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>()), failBefore: T0 + 5 * Candle.MinuteMs,
                failAfter: T0 + 12 * Candle.MinuteMs);
            failing.Enqueue(stream);
            return stream;
        }));
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();
        string[] symbols = ["AAAUSDT", "BBBUSDT"];
        pipeline.SetSymbols(symbols);
        for (var m = 0; m < 60; m++)
        {
            await pipeline.OnClosedAsync(T0 + m * Candle.MinuteMs, [.. symbols.Select(s => new SymbolCandle(s,
                new Candle(T0 + m * Candle.MinuteMs, 100 + m, 101 + m, 99 + m, 100.5 + m, 10, 1000, 5, 4, 400)))], CancellationToken.None);
        }
        await pipeline.FlushAsync(CancellationToken.None);
        // Stored by now; a failed append leaves its minutes (and every later one) unpublished until the retry after a backoff.
        var writer = app.Services.GetRequiredService<CandleWriter>();
        for (var wait = DateTime.UtcNow.AddSeconds(30); writer.Unpublished > 0 && DateTime.UtcNow < wait;)
        {
            await Task.Delay(50);
        }
        Assert.Equal(0, writer.Unpublished);

        var times = (await MetricsStreamProbe.ReadAllAsync(redis.ConnectionString)).Select(e => e.OpenTime).ToList();
        var fake = Assert.Single(failing);
        Assert.True(fake.FailedBefore);
        var repeated = Assert.Single(fake.AppendedThenFailed);
        Assert.Contains(T0 + 12 * Candle.MinuteMs, repeated);
        // Every minute once, in order, and the call whose reply was lost once more as a whole, right after itself.
        var expected = new List<long>();
        for (var m = 0; m < 60; m++)
        {
            expected.Add(T0 + m * Candle.MinuteMs);
            if (repeated[^1] == expected[^1])
            {
                expected.AddRange(repeated);
            }
        }
        Assert.Equal(expected, times);
        Assert.Equal(120, await CountAsync(cs, "SELECT count(*) FROM ingest.candles_1m", 0));
    }

    /// <summary>
    /// Fails the first append (single or batch) that carries the minute <paramref name="failBefore"/> before sending
    /// it, and the first that carries <paramref name="failAfter"/> after Redis appended all of its entries (a lost reply).
    /// </summary>
    private sealed class FailingStream(IEventStream inner, long failBefore, long failAfter) : DelegatingEventStream(inner)
    {
        private int _before;
        private int _after;

        public bool FailedBefore => _before != 0;

        public ConcurrentQueue<long[]> AppendedThenFailed { get; } = new();

        public override async Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, StreamTrim trim,
            CancellationToken cancellationToken) =>
            (await AppendBinaryBatchAsync(stream, [fields], trim, cancellationToken))[0];

        public override async Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream,
            IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries, StreamTrim trim, CancellationToken cancellationToken)
        {
            var times = stream == EventNames.MetricsStream ? entries.Select(e => MetricsFrameReader.Read(e[0].Value.Span).OpenTime).ToArray() : [];
            if (times.Contains(failBefore) && Interlocked.Exchange(ref _before, 1) == 0)
            {
                throw new IOException("connection reset before the XADD was sent");
            }
            var ids = entries.Count == 1
                ? [await Inner.AppendBinaryAsync(stream, entries[0], trim, cancellationToken)]
                : await Inner.AppendBinaryBatchAsync(stream, entries, trim, cancellationToken);
            if (times.Contains(failAfter) && Interlocked.Exchange(ref _after, 1) == 0)
            {
                AppendedThenFailed.Enqueue(times);
                throw new IOException("connection reset before the reply");
            }
            return ids;
        }
    }

    /// <summary>
    /// Kill between an XADD and the commit of its candles: once a frame is appended whose candles are not committed,
    /// the candle table is locked (their COPY cannot commit) and the writer hangs in that XADD until the service is
    /// stopped, as if killed. The restart replays from the newest stored candle, so those candles are delivered,
    /// stored and published again: every candle stored exactly once, every candle's metrics in the stream (the
    /// interrupted minute twice, with the same values: at-least-once, consumers are idempotent).
    /// </summary>
    [Fact]
    public async Task An_event_appended_before_its_candles_were_committed_is_published_again_after_a_restart()
    {
        var sample = SampleKlines.Load(IngestApp.SampleData);
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("framecrash");
        using var redis = new RedisServer();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Ingest:Feed"] = "replay",
            ["Ingest:Replay:Path"] = IngestApp.SampleData,
            ["Ingest:Replay:Speed"] = "max",
            ["Ingest:RetentionDays"] = "36500",
        };
        var from = sample.Min(k => k.OpenTime) + (600 * Candle.MinuteMs);
        var freezing = new FreezingStream(cs, from);
        long lost;
        try
        {
            await using (var first = new IngestApp(settings, services => services.AddSingleton<IEventStream>(sp =>
                freezing.Over(new RedisEventStream(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>())))))
            {
                _ = first.Services.GetRequiredService<IngestPipeline>();
                lost = await freezing.Frozen.WaitAsync(TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            await freezing.ReleaseAsync();
        }
        Assert.Equal(0, await CountAsync(cs, "SELECT count(*) FROM ingest.candles_1m WHERE open_time = $1", lost));
        Assert.Equal(0, await CountAsync(cs, "SELECT count(*) FROM ingest.publish_state WHERE published_open_time >= $1", lost));

        await using (var second = new IngestApp(settings))
        {
            await second.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(90));
        }
        Assert.Equal(sample.Count, await CountAsync(cs, "SELECT count(*) FROM ingest.candles_1m", 0));
        Assert.Equal(sample.Count, await CountAsync(cs, "SELECT count(DISTINCT (symbol, open_time)) FROM ingest.candles_1m", 0));
        var entries = await MetricsStreamProbe.ReadAllAsync(redis.ConnectionString);
        var seen = entries.SelectMany(e => e.Items).Select(i => (i.Symbol, i.OpenTime)).ToHashSet();
        Assert.All(sample, k => Assert.Contains((k.Symbol, k.OpenTime), seen));
        var twice = entries.Where(e => e.OpenTime == lost).ToList();
        Assert.Equal(2, twice.Count);
        Assert.Equal(twice[0].Items.Select(i => (i.Symbol, i.Price, i.Change[0])), twice[1].Items.Select(i => (i.Symbol, i.Price, i.Change[0])));
    }

    private static async Task<long> CountAsync(string cs, string sql, long parameter)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            cmd.Parameters.AddWithValue(parameter);
        }
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Appends every frame; at the first one from <paramref name="from"/> on, locks the candle table and, if that
    /// frame's candles are not committed, keeps the lock (their COPY waits for it) and never acknowledges the XADD.
    /// </summary>
    private sealed class FreezingStream(string postgres, long from)
    {
        private readonly TaskCompletionSource<long> _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private NpgsqlConnection? _lock;
        private int _trying;

        private long From => from;

        public Task<long> Frozen => _frozen.Task;

        public IEventStream Over(IEventStream inner) => new Stream(inner, this);

        public async Task ReleaseAsync()
        {
            if (_lock is not null)
            {
                await _lock.DisposeAsync();
            }
        }

        /// <summary>True when the lock is held and the candles of <paramref name="openTime"/> are not committed.</summary>
        private async Task<bool> FreezeAsync(long openTime)
        {
            if (Interlocked.Exchange(ref _trying, 1) == 1)
            {
                return false;
            }
            try
            {
                return await TryFreezeAsync(openTime);
            }
            finally
            {
                Volatile.Write(ref _trying, 0);
            }
        }

        private async Task<bool> TryFreezeAsync(long openTime)
        {
            var conn = new NpgsqlConnection(postgres);
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand("BEGIN; LOCK TABLE ingest.candles_1m IN SHARE MODE", conn))
            {
                await cmd.ExecuteNonQueryAsync();
            }
            await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM ingest.candles_1m WHERE open_time = $1", conn))
            {
                cmd.Parameters.AddWithValue(openTime);
                if ((long)(await cmd.ExecuteScalarAsync())! == 0)
                {
                    _lock = conn;
                    _frozen.TrySetResult(openTime);
                    return true;
                }
            }
            await conn.DisposeAsync();
            return false;
        }

        private sealed class Stream(IEventStream inner, FreezingStream owner) : DelegatingEventStream(inner)
        {
            public override async Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, StreamTrim trim,
                CancellationToken cancellationToken)
            {
                var id = await Inner.AppendBinaryAsync(stream, fields, trim, cancellationToken);
                var openTime = MetricsFrameReader.Read(fields[0].Value.Span).OpenTime;
                if (stream == EventNames.MetricsStream && openTime >= owner.From && !owner._frozen.Task.IsCompleted && await owner.FreezeAsync(openTime))
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                return id;
            }

            public override async Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream,
                IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries, StreamTrim trim, CancellationToken cancellationToken)
            {
                var ids = await Inner.AppendBinaryBatchAsync(stream, entries, trim, cancellationToken);
                foreach (var fields in entries)
                {
                    var openTime = MetricsFrameReader.Read(fields[0].Value.Span).OpenTime;
                    if (stream == EventNames.MetricsStream && openTime >= owner.From && !owner._frozen.Task.IsCompleted)
                    {
                        if (await owner.FreezeAsync(openTime))
                        {
                            await Task.Delay(Timeout.Infinite, cancellationToken);
                        }
                        break;
                    }
                }
                return ids;
            }
        }
    }

    /// <summary>
    /// At each XADD of a frame, checks in PostgreSQL that the recorded published open time is not ahead of the store
    /// (every candle at or before it is committed: a restart re-publishes only after it).
    /// </summary>
    private sealed class StoreCheckingStream(IEventStream inner, string postgres, long t0, ConcurrentQueue<string> violations, ConcurrentQueue<long> appended)
        : DelegatingEventStream(inner)
    {
        public override async Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, StreamTrim trim,
            CancellationToken cancellationToken)
        {
            await CheckAsync(stream, fields, cancellationToken);
            return await Inner.AppendBinaryAsync(stream, fields, trim, cancellationToken);
        }

        public override async Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream,
            IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries, StreamTrim trim, CancellationToken cancellationToken)
        {
            foreach (var fields in entries)
            {
                await CheckAsync(stream, fields, cancellationToken);
            }
            return await Inner.AppendBinaryBatchAsync(stream, entries, trim, cancellationToken);
        }

        private async Task CheckAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, CancellationToken cancellationToken)
        {
            if (stream == EventNames.MetricsStream)
            {
                var frame = MetricsFrameReader.Read(fields[0].Value.Span);
                await using var conn = new NpgsqlConnection(postgres);
                await conn.OpenAsync(cancellationToken);
                await using var cmd = new NpgsqlCommand("""
                    SELECT p.published_open_time, (SELECT count(*) FROM ingest.candles_1m c WHERE c.open_time <= p.published_open_time),
                           (SELECT count(DISTINCT open_time) FROM ingest.candles_1m c WHERE c.open_time <= p.published_open_time)
                    FROM ingest.publish_state p WHERE p.id = 1
                    """, conn);
                await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
                if (await r.ReadAsync(cancellationToken) && (r.GetInt64(1) != r.GetInt64(2) * frame.Items.Count
                    || r.GetInt64(2) != ((r.GetInt64(0) - t0) / Candle.MinuteMs) + 1))
                {
                    violations.Enqueue($"published up to {r.GetInt64(0)} with {r.GetInt64(1)} candles stored at or before it");
                }
                appended.Enqueue(frame.OpenTime);
            }
        }
    }
}
