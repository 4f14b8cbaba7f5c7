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

        var calculator = new MarketCalculator();
        var snapshot = new MetricsSnapshot();
        var fired = new List<PresetType>();
        var engineTime = TimeSpan.Zero;
        var dtoTime = TimeSpan.Zero;
        var items = new List<List<SymbolMetrics>>();
        foreach (var (_, group) in groups)
        {
            var list = new List<SymbolMetrics>(group.Count);
            foreach (var (symbol, candle) in group)
            {
                var t0 = Stopwatch.GetTimestamp();
                calculator.OnClosedCandle(symbol, candle, snapshot, fired);
                var t1 = Stopwatch.GetTimestamp();
                list.Add(SymbolMetrics.From(snapshot, candle, fired.Select(p => p.Key()).ToArray()));
                var t2 = Stopwatch.GetTimestamp();
                engineTime += Stopwatch.GetElapsedTime(t0, t1);
                dtoTime += Stopwatch.GetElapsedTime(t1, t2);
            }
            items.Add(list);
        }
        Report("market engine (MarketCalculator.OnClosedCandle)", engineTime, candles.Count);
        Report("event DTO (SymbolMetrics.From)", dtoTime, candles.Count);

        sw.Restart();
        var jsons = new List<string>(groups.Count);
        long bytes = 0;
        for (var i = 0; i < groups.Count; i++)
        {
            var json = JsonSerializer.Serialize(new MetricsBatchEvent(groups[i].OpenTime, 1, items[i]), IngestJson.Options);
            bytes += json.Length;
            jsons.Add(json);
        }
        Report($"JSON (JsonSerializer, {bytes / candles.Count} bytes per candle)", sw.Elapsed, candles.Count);

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
        Report("PostgreSQL (CandleStore.UpsertAsync, 20k per batch)", sw.Elapsed, candles.Count);

        using var redis = new RedisServer();
        await using var client = new RedisClient(redis.ConnectionString);
        var stream = new RedisEventStream(client);
        sw.Restart();
        foreach (var json in jsons)
        {
            await stream.AppendAsync(EventNames.MetricsStream, [new("data", json)], 100_000, CancellationToken.None);
        }
        Report("Redis (XADD per open time, awaited one by one)", sw.Elapsed, candles.Count);
    }

    private void Report(string stage, TimeSpan elapsed, int candles) =>
        output.WriteLine($"{stage,-70} {elapsed.TotalMilliseconds,9:F0} ms {elapsed.TotalMicroseconds / candles,8:F2} us/candle {candles / elapsed.TotalSeconds,12:N0} candles/s");
}
