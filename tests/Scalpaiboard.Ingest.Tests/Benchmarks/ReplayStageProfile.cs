using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;
using Scalpaiboard.Testing;
using Xunit.Abstractions;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// Where the replay's time goes: each stage of the pipeline run alone over the same candles (CSV parsing, the
/// market engine, the event DTO, JSON, the PostgreSQL COPY + upsert, the XADD), timed with a stopwatch.
/// </summary>
public sealed class ReplayStageProfile(ITestOutputHelper output)
{
    [BenchmarkFact]
    public async Task Replay_stages()
    {
        var symbols = BenchmarkFactAttribute.Setting("BENCH_SYMBOLS", 100);
        var days = BenchmarkFactAttribute.Setting("BENCH_DAYS", 2);
        var folder = symbols == 12 ? IngestApp.SampleData : SyntheticKlines.Folder(symbols, days);

        _allocated = GC.GetTotalAllocatedBytes();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var candles = new KlineCsvReader(folder).ReadAll().ToList();
        Report("parse (KlineCsvReader, merged by time)", sw.Elapsed, candles.Count);
        sw.Restart();
        long again = 0;
        foreach (var _ in new KlineCsvReader(folder).ReadAll())
        {
            again++;
        }
        Assert.Equal(candles.Count, again);
        Report("parse again (compiled, candles counted, not kept)", sw.Elapsed, candles.Count);

        var groups = new List<(long OpenTime, List<SymbolCandle> Candles)>();
        foreach (var c in candles)
        {
            if (groups.Count == 0 || groups[^1].OpenTime != c.Candle.OpenTime)
            {
                groups.Add((c.Candle.OpenTime, []));
            }
            groups[^1].Candles.Add(c);
        }

        // The engine, then the event item written into the minute's binary frame (what the pipeline does).
        var calculator = new MarketCalculator();
        var engineTime = TimeSpan.Zero;
        var writerTime = TimeSpan.Zero;
        var frames = new List<byte[]>(groups.Count);
        long bytes = 0;
        using var writer = new MetricsFrameWriter();
        foreach (var (openTime, group) in groups)
        {
            var t = Stopwatch.GetTimestamp();
            writer.Begin(openTime);
            writerTime += Stopwatch.GetElapsedTime(t);
            foreach (var (symbol, candle) in group)
            {
                var t0 = Stopwatch.GetTimestamp();
                var applied = calculator.TryApply(symbol, candle, out var snapshot, out _, out var fired);
                var t1 = Stopwatch.GetTimestamp();
                if (applied)
                {
                    writer.Add(snapshot!, fired.Bits);
                }
                var t2 = Stopwatch.GetTimestamp();
                engineTime += Stopwatch.GetElapsedTime(t0, t1);
                writerTime += Stopwatch.GetElapsedTime(t1, t2);
            }
            var t3 = Stopwatch.GetTimestamp();
            var frame = writer.Complete(1);
            writerTime += Stopwatch.GetElapsedTime(t3);
            frames.Add(frame.ToArray());
            bytes += frame.Length;
        }
        Report("market engine (MarketCalculator.TryApply)", engineTime, candles.Count);
        Report($"event frame (MetricsFrameWriter, {bytes / candles.Count} bytes per candle)", writerTime, candles.Count);
        sw.Restart();
        long decoded = 0;
        foreach (var f in frames)
        {
            decoded += MetricsFrameReader.Read(f).Items.Count;
        }
        Assert.Equal(candles.Count, decoded);
        Report("Alerts side: decoding the frames (MetricsFrameReader)", sw.Elapsed, candles.Count);

        var cs = await PostgresServer.Shared.CreateDatabaseAsync("stages");
        await using var dataSource = NpgsqlDataSource.Create(cs);
        await new MigrationRunner(dataSource, "ingest", EmbeddedMigrations.Load(typeof(CandleStore).Assembly), NullLogger<MigrationRunner>.Instance)
            .ApplyAsync(CancellationToken.None);
        var store = new CandleStore(dataSource);
        _allocated = GC.GetTotalAllocatedBytes();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        for (var i = 0; i < candles.Count; i += 20_000)
        {
            await store.UpsertAsync(candles.GetRange(i, Math.Min(20_000, candles.Count - i)), CancellationToken.None);
        }
        Report("PostgreSQL (CandleStore.UpsertAsync, 20k per batch, new rows: COPY)", sw.Elapsed, candles.Count);
        sw.Restart();
        for (var i = 0; i < candles.Count; i += 20_000)
        {
            await store.UpsertAsync(candles.GetRange(i, Math.Min(20_000, candles.Count - i)), CancellationToken.None);
        }
        Report("PostgreSQL (the same again: COPY fails, staging + upsert)", sw.Elapsed, candles.Count);

        // Each Redis stage on a fresh server: the stream holds every frame (about 1 KB per candle), and a server that
        // already holds the previous stages' would make the later ones slower for that alone.
        await RedisStageAsync("Redis (XADD per open time, awaited one by one)", async stream =>
        {
            foreach (var frame in frames)
            {
                await stream.AppendBinaryAsync(EventNames.MetricsStream, [Data(frame)], StreamTrim.ByLength(100_000), CancellationToken.None);
            }
        }, candles.Count);
        await RedisStageAsync("Redis (XADD per open time, pipelined 512 at a time, unsafe)", async stream =>
        {
            for (var i = 0; i < frames.Count; i += 512)
            {
                await Task.WhenAll(frames.Skip(i).Take(512).Select(frame =>
                    stream.AppendBinaryAsync(EventNames.MetricsStream, [Data(frame)], StreamTrim.ByLength(100_000), CancellationToken.None)));
            }
        }, candles.Count);
        foreach (var perBatch in new[] { 4, 10, 40 })
        {
            await RedisStageAsync($"Redis (MULTI/EXEC batches of {perBatch} XADDs, awaited one by one)", async stream =>
            {
                for (var i = 0; i < frames.Count; i += perBatch)
                {
                    await stream.AppendBinaryBatchAsync(EventNames.MetricsStream,
                        [.. frames.Skip(i).Take(perBatch).Select(f => (IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>)[Data(f)])],
                        StreamTrim.ByLength(100_000), CancellationToken.None);
                }
            }, candles.Count);
        }
    }

    private async Task RedisStageAsync(string stage, Func<RedisEventStream, Task> run, int candles)
    {
        using var redis = new RedisServer();
        await using var client = await redis.ConnectAsync();
        var stream = new RedisEventStream(client);
        await stream.LengthAsync(EventNames.MetricsStream, CancellationToken.None); // connected
        _allocated = GC.GetTotalAllocatedBytes();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await run(stream);
        Report(stage, sw.Elapsed, candles);
    }

    private static KeyValuePair<string, ReadOnlyMemory<byte>> Data(byte[] frame) => new("data", frame);

    private long _allocated = GC.GetTotalAllocatedBytes();
    private TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Also this process's CPU and allocation since the previous report (setup included, e.g. a server start).</summary>
    private void Report(string stage, TimeSpan elapsed, int candles)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        output.WriteLine($"{stage,-70} {elapsed.TotalMilliseconds,9:F0} ms {elapsed.TotalMicroseconds / candles,8:F2} us/candle {candles / elapsed.TotalSeconds,12:N0} candles/s"
            + $"  (this process since the last line: {(cpu - _cpu).TotalMicroseconds / candles:F2} us CPU, {(allocated - _allocated) / candles} B per candle)");
        _allocated = allocated;
        _cpu = cpu;
    }
}
