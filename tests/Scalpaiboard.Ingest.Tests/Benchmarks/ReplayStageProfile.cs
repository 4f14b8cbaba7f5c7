using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Model;
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

        var sw = Stopwatch.StartNew();
        var candles = new KlineCsvReader(folder).ReadAll().ToList();
        Report("parse (KlineCsvReader, merged by time)", sw.Elapsed, candles.Count);

        var groups = new List<(long OpenTime, List<SymbolCandle> Candles)>();
        foreach (var c in candles)
        {
            if (groups.Count == 0 || groups[^1].OpenTime != c.Candle.OpenTime)
            {
                groups.Add((c.Candle.OpenTime, []));
            }
            groups[^1].Candles.Add(c);
        }

        // The engine, then the event item written by hand from the snapshot (what the pipeline does now), and,
        // with BENCH_DTO=1, the DTO + JsonSerializer path it replaced, for comparison.
        var withDto = Environment.GetEnvironmentVariable("BENCH_DTO") == "1";
        var calculator = new MarketCalculator();
        var writer = new MetricsEventWriter();
        var snapshot = new MetricsSnapshot();
        var fired = new List<PresetType>();
        var engineTime = TimeSpan.Zero;
        var writerTime = TimeSpan.Zero;
        var dtoTime = TimeSpan.Zero;
        var items = new List<List<SymbolMetrics>>();
        var jsons = new List<string>(groups.Count);
        long bytes = 0;
        using var buffer = new JsonBuffer();
        using var envelope = new JsonBuffer();
        foreach (var (openTime, group) in groups)
        {
            var list = new List<SymbolMetrics>(withDto ? group.Count : 0);
            buffer.Clear();
            foreach (var (symbol, candle) in group)
            {
                var t0 = Stopwatch.GetTimestamp();
                calculator.OnClosedCandle(symbol, candle, snapshot, fired);
                var t1 = Stopwatch.GetTimestamp();
                if (buffer.Length > 0)
                {
                    buffer.Write(","u8);
                }
                writer.WriteItem(buffer, snapshot, candle, fired);
                var t2 = Stopwatch.GetTimestamp();
                engineTime += Stopwatch.GetElapsedTime(t0, t1);
                writerTime += Stopwatch.GetElapsedTime(t1, t2);
                if (withDto)
                {
                    list.Add(SymbolMetrics.From(snapshot, candle, fired.Select(p => p.Key()).ToArray()));
                    dtoTime += Stopwatch.GetElapsedTime(t2);
                }
            }
            var t3 = Stopwatch.GetTimestamp();
            envelope.Clear();
            MetricsEventWriter.WriteEnvelopeStart(envelope, openTime, 1);
            envelope.Write(buffer.WrittenSpan);
            MetricsEventWriter.WriteEnvelopeEnd(envelope);
            jsons.Add(envelope.ToUtf8String());
            writerTime += Stopwatch.GetElapsedTime(t3);
            bytes += envelope.Length;
            items.Add(list);
        }
        Report("market engine (MarketCalculator.OnClosedCandle)", engineTime, candles.Count);
        Report($"event JSON (MetricsEventWriter + envelope + string, {bytes / candles.Count} bytes per candle)", writerTime, candles.Count);
        if (withDto)
        {
            Report("before: event DTO (SymbolMetrics.From)", dtoTime, candles.Count);
            sw.Restart();
            for (var i = 0; i < groups.Count; i++)
            {
                JsonSerializer.Serialize(new MetricsBatchEvent(groups[i].OpenTime, 1, items[i]), IngestJson.Options);
            }
            Report("before: JSON (JsonSerializer of the DTO)", sw.Elapsed, candles.Count);
        }

        var cs = await PostgresServer.Shared.CreateDatabaseAsync("stages");
        await using var dataSource = NpgsqlDataSource.Create(cs);
        await new MigrationRunner(dataSource, "ingest", EmbeddedMigrations.Load(typeof(CandleStore).Assembly), NullLogger<MigrationRunner>.Instance)
            .ApplyAsync(CancellationToken.None);
        var store = new CandleStore(dataSource);
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

        using var redis = new RedisServer();
        await using var client = new RedisClient(redis.ConnectionString);
        var stream = new RedisEventStream(client);
        sw.Restart();
        foreach (var json in jsons)
        {
            await stream.AppendAsync(EventNames.MetricsStream, [new("data", json)], 100_000, CancellationToken.None);
        }
        Report("Redis (XADD per open time, awaited one by one)", sw.Elapsed, candles.Count);
        sw.Restart();
        for (var i = 0; i < jsons.Count; i += 512)
        {
            await Task.WhenAll(jsons.Skip(i).Take(512).Select(json =>
                stream.AppendAsync(EventNames.MetricsStream, [new("data", json)], 100_000, CancellationToken.None)));
        }
        Report("Redis (XADD per open time, pipelined 512 at a time)", sw.Elapsed, candles.Count);
    }

    private void Report(string stage, TimeSpan elapsed, int candles) =>
        output.WriteLine($"{stage,-70} {elapsed.TotalMilliseconds,9:F0} ms {elapsed.TotalMicroseconds / candles,8:F2} us/candle {candles / elapsed.TotalSeconds,12:N0} candles/s");
}
