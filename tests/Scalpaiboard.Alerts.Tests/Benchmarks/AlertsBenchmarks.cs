using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;
using Xunit.Abstractions;

namespace Scalpaiboard.Alerts.Tests.Benchmarks;

/// <summary>A fact that runs only when <c>SCALPAIBOARD_BENCH=1</c> (measurements, not unit tests).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SCALPAIBOARD_BENCH") != "1")
        {
            Skip = "benchmark: run with SCALPAIBOARD_BENCH=1";
        }
    }
}

/// <summary>
/// Issue 5's speed targets, recorded in docs/performance.md (section Alerts): evaluation of a 500-symbol candle batch
/// against the ten presets and 10,000 user alerts, with and without the PostgreSQL transaction, and signal commit ->
/// first webhook request. The service runs in-process on a real PostgreSQL and redis-server; its own consumer stays
/// idle (nothing is appended to the stream) while the benchmark drives <see cref="SignalProcessor"/> the way the
/// consumer does (<see cref="MetricsBatchReader.ReadEntry"/> of the stream entry's bytes, then the processor).
/// </summary>
public sealed class AlertsBenchmarks(ITestOutputHelper output)
{
    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) ? v : fallback;

    [BenchmarkFact]
    public async Task Candle_batch_evaluation_500_symbols_10000_alerts()
    {
        var symbols = Env("BENCH_SYMBOLS", 500);
        var alertCount = Env("BENCH_ALERTS", 10_000);
        var crossShare = Env("BENCH_CROSS_PERCENT", 100) / 100.0;
        var batches = Env("BENCH_BATCHES", 200);
        await using var app = await AlertsApp.StartAsync(RedisServer.Shared);
        var market = new SyntheticMarket(symbols, seed: 42, MetricsFeed.T0, Env("BENCH_REGIMES_PER_100K", 200) / 100_000.0);
        for (var i = 0; i < 1440; i++)
        {
            market.Step(frame: false);
        }
        var processor = await IdleProcessorAsync(app);
        await InsertAlertsAsync(app.Postgres, market, alertCount, crossShare, new Random(7));
        var cache = app.Service<UserAlertCache>();
        cache.Invalidate();
        await cache.RefreshIfNeededAsync(CancellationToken.None);
        Assert.Equal(alertCount, cache.Count);
        output.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}, server GC {System.Runtime.GCSettings.IsServerGC}");

        // 1. in memory: read the entry's frame, presets, user alerts, decide what to store
        var decisions = new List<Decision>();
        var inMemory = new List<double>();
        var readOnly = new List<double>();
        var cpuTimes = new List<double>();
        long bytes = 0, allocated = 0, decided = 0, signalDecisions = 0;
        for (var b = -10; b < batches; b++)
        {
            var entry = market.Step(frame: true)!;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = ThreadCpu.Milliseconds();
            var started = Stopwatch.GetTimestamp();
            var batch = MetricsBatchReader.ReadEntry(entry);
            var read = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            decisions.Clear();
            processor.Evaluate(batch, decisions);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var cpu = ThreadCpu.Milliseconds() - cpuBefore;
            var allocatedNow = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            // what the processor does after a commit that stored the trigger: a once alert stops, a recurring one cools down
            foreach (var d in decisions)
            {
                if (d.Alert is { } fired)
                {
                    fired.LastTriggeredOpenTime = d.Snapshot.OpenTime;
                    fired.Disabled = !fired.Alert.Recurring;
                }
            }
            if (b < 0)
            {
                continue; // JIT warm-up
            }
            readOnly.Add(read);
            cpuTimes.Add(cpu);
            allocated += allocatedNow;
            inMemory.Add(elapsed);
            bytes += entry.Length;
            decided += decisions.Count;
            signalDecisions += decisions.Count(d => d.Alert is null);
            Assert.Equal(symbols, batch.Items.Count);
        }
        output.WriteLine($"in memory (deserialize + presets + alerts + decide), {batches} batches of {symbols} symbols, {alertCount} alerts, " +
            $"{bytes / batches / 1024} KB frame per batch: {Stats(inMemory)}; allocated {allocated / batches / 1024} KB per batch; " +
            $"decisions {decided} ({signalDecisions} preset signals, {decided - signalDecisions} alert matches)");
        output.WriteLine($"  of which deserializing the entry: {Stats(readOnly)}");
        output.WriteLine($"  thread CPU time per batch (the same work without waiting for a core): {Stats(cpuTimes)}");
        if (Env("BENCH_DB", 1) == 0)
        {
            return;
        }
        output.WriteLine($"load average after: {LoadAverage()}");

        // 2. the whole batch as the consumer runs it: read + evaluate + PostgreSQL transaction (feed upsert, inserts,
        //    outbox) + commit + live publish
        var withDb = new List<double>();
        var quietDb = new List<double>();
        var firingDb = new List<double>();
        int signals = 0, triggers = 0;
        for (var b = -10; b < batches; b++)
        {
            var entry = market.Step(frame: true)!;
            var started = Stopwatch.GetTimestamp();
            var batch = MetricsBatchReader.ReadEntry(entry);
            var result = await processor.ProcessAsync(batch, CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (b < 0)
            {
                continue;
            }
            withDb.Add(elapsed);
            (result.Signals + result.Triggers == 0 ? quietDb : firingDb).Add(elapsed);
            signals += result.Signals;
            triggers += result.Triggers;
        }
        output.WriteLine($"with PostgreSQL (read + evaluate + transaction + commit + publish), {batches} batches: {Stats(withDb)}; " +
            $"stored {signals} signals and {triggers} alert triggers ({(signals + triggers) / (double)batches:F2} per batch)");
        output.WriteLine($"  batches that stored nothing ({quietDb.Count}): {(quietDb.Count > 0 ? Stats(quietDb) : "-")}");
        output.WriteLine($"  batches that stored something ({firingDb.Count}): {(firingDb.Count > 0 ? Stats(firingDb) : "-")}");
        output.WriteLine($"load average after: {LoadAverage()}");
    }

    [BenchmarkFact]
    public async Task Signal_commit_to_first_webhook_request()
    {
        var count = Env("BENCH_SIGNALS", 200);
        var intervalMs = Env("BENCH_INTERVAL_MS", 50);
        await using var hook = await FakeReceiver.StartAsync();
        var arrivals = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        hook.Respond = (_, request) =>
        {
            arrivals.TryAdd(request.Header("Idempotency-Key") ?? "", Stopwatch.GetTimestamp());
            return (200, null, null);
        };
        await using var app = await AlertsApp.StartAsync(RedisServer.Shared, new Dictionary<string, string?>
        {
            ["Alerts:Webhooks:0:Url"] = hook.Url("/hook"),
            ["Alerts:Webhooks:0:Kind"] = "generic",
            ["Alerts:Webhooks:0:Secret"] = "bench-secret",
            // the production sweep interval: nothing may wait on it
            ["Alerts:Jobs:OutboxSweepSchedule"] = "*/5 * * * * *",
        });
        var processor = await IdleProcessorAsync(app);
        var committed = new Dictionary<long, long>();
        for (var i = -10; i < count; i++)
        {
            // one Pioneer Bull signal per batch: the same symbol every 5 minutes (the cooldown)
            var openTime = MetricsFeed.Minute((i + 10) * 5);
            var entry = MetricsFeed.Frame(openTime, [new FeedItem("BTCUSDT", 100 + i, 99 + i, MetricsFeed.PioneerBull)]);
            var result = await processor.ProcessAsync(MetricsBatchReader.ReadEntry(entry), CancellationToken.None);
            Assert.Equal(1, result.Signals);
            committed[openTime] = result.CommittedTimestamp;
            await Task.Delay(intervalMs);
        }
        await Eventually.WaitAsync(() => Task.FromResult(arrivals.Count), n => n >= count + 10);
        // the signal ids are the idempotency keys: map each to its candle
        var keyToOpenTime = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var conn = new NpgsqlConnection(app.Postgres))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT id, open_time FROM alerts.signals", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                keyToOpenTime[r.GetInt64(0).ToString(CultureInfo.InvariantCulture)] = r.GetInt64(1);
            }
        }
        var latencies = arrivals.Select(a => (OpenTime: keyToOpenTime[a.Key], Arrival: a.Value))
            .OrderBy(a => a.OpenTime).Skip(10)
            .Select(a => Stopwatch.GetElapsedTime(committed[a.OpenTime], a.Arrival).TotalMilliseconds).ToList();
        Assert.Equal(count, latencies.Count);
        output.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        output.WriteLine($"signal commit -> first webhook request at the receiver (127.0.0.1), {count} signals {intervalMs} ms apart: {Stats(latencies)}");
    }

    /// <summary>The service's processor once its own consumer has started (and gone idle on the empty stream).</summary>
    private static async Task<SignalProcessor> IdleProcessorAsync(AlertsApp app)
    {
        var state = app.Service<ConsumerState>();
        await Eventually.WaitAsync(() => Task.FromResult(state.CaughtUp), up => up);
        Assert.True(state.CaughtUp);
        return app.Service<SignalProcessor>();
    }

    /// <summary>
    /// 10,000 alerts of 200 users spread over the symbols: every condition type, thresholds around the current values,
    /// 30% with two conditions, half recurring (cooldown 60 min). <paramref name="crossShare"/> of the crossing types
    /// (price/RSI/MACD cross, Bollinger breakout: these keep firing when recurring) are kept, the rest become price_above.
    /// </summary>
    private static async Task InsertAlertsAsync(string connectionString, SyntheticMarket market, int count, double crossShare, Random random)
    {
        var users = new string[count];
        var symbols = new string[count];
        var conditions = new string[count];
        var recurring = new bool[count];
        var cooldown = new int[count];
        string[] windows = ["5m", "15m", "1h", "4h"];
        for (var i = 0; i < count; i++)
        {
            var s = random.Next(market.Symbols.Count);
            users[i] = $"bench-user-{i % 200}";
            symbols[i] = market.Symbols[s];
            recurring[i] = random.NextDouble() < 0.5;
            cooldown[i] = 60;
            var p = market.Price(s);
            var w = windows[random.Next(windows.Length)];
            string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            string One() => (random.Next(11) is var k && k is 2 or 8 or 9 or 10 && random.NextDouble() >= crossShare ? 0 : k) switch
            {
                0 => $$"""{"type":"price_above","value":{{Num(p * (1.01 + random.NextDouble() * 0.2))}}}""",
                1 => $$"""{"type":"price_below","value":{{Num(p * (0.99 - random.NextDouble() * 0.2))}}}""",
                2 => $$"""{"type":"price_cross","value":{{Num(p * (0.9 + random.NextDouble() * 0.2))}}}""",
                3 => $$"""{"type":"change_above","value":{{Num(2 + random.NextDouble() * 8)}},"window":"{{w}}"}""",
                4 => $$"""{"type":"change_below","value":{{Num(-2 - random.NextDouble() * 8)}},"window":"{{w}}"}""",
                5 => $$"""{"type":"volume_above","value":{{Num(1_000_000 + random.NextDouble() * 50_000_000)}},"window":"{{w}}"}""",
                6 => $$"""{"type":"rsi_above","value":{{Num(75 + random.NextDouble() * 20)}},"window":"{{w}}"}""",
                7 => $$"""{"type":"rsi_below","value":{{Num(5 + random.NextDouble() * 20)}},"window":"{{w}}"}""",
                8 => $$"""{"type":"rsi_cross","value":{{Num(20 + random.NextDouble() * 60)}},"window":"{{w}}","direction":"up"}""",
                9 => $$"""{"type":"macd_cross","window":"{{w}}","direction":"any"}""",
                _ => $$"""{"type":"bb_breakout","window":"{{w}}","direction":"any"}""",
            };
            conditions[i] = random.NextDouble() < 0.3 ? $"[{One()},{One()}]" : $"[{One()}]";
        }
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO alerts.user_alerts (user_id, symbol, conditions, recurring, cooldown_minutes, note, enabled)
            SELECT u, s, c::jsonb, r, cd, '', true FROM unnest(@u, @s, @c, @r, @cd) AS t(u, s, c, r, cd)
            """, conn);
        cmd.Parameters.AddWithValue("u", users);
        cmd.Parameters.AddWithValue("s", symbols);
        cmd.Parameters.AddWithValue("c", conditions);
        cmd.Parameters.AddWithValue("r", recurring);
        cmd.Parameters.AddWithValue("cd", cooldown);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string Stats(List<double> ms)
    {
        var sorted = ms.Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"p50 {P(0.50):F2} ms, p90 {P(0.90):F2} ms, p99 {P(0.99):F2} ms, max {sorted[^1]:F2} ms, mean {ms.Average():F2} ms");
        return sb.ToString();
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
