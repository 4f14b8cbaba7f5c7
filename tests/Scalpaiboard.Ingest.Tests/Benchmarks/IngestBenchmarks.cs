using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Testing;
using Xunit.Abstractions;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// The ingest targets of issue 4, measured end to end on the real service (in-process, real PostgreSQL and Redis
/// on 127.0.0.1): replay throughput, candle close to XADD acknowledgement, <c>/api/coins</c> under 100 concurrent callers.
/// Run: <c>SCALPAIBOARD_BENCH=1 dotnet test tests/Scalpaiboard.Ingest.Tests -c Release --filter FullyQualifiedName~Benchmarks</c>.
/// </summary>
public sealed class IngestBenchmarks(ITestOutputHelper output)
{
    /// <summary>Replay at max speed into a fresh database: candles per second from the first stored candle to completed.</summary>
    [BenchmarkFact]
    public async Task Replay_throughput()
    {
        var symbols = BenchmarkFactAttribute.Setting("BENCH_SYMBOLS", 12);
        var days = BenchmarkFactAttribute.Setting("BENCH_DAYS", 2);
        var folder = symbols == 12 && days == 2 ? IngestApp.SampleData : SyntheticKlines.Folder(symbols, days);
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("benchreplay");
        using var redis = new RedisServer(appendOnly: AppendOnlyRedis);
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Ingest:Feed"] = "replay",
            ["Ingest:Replay:Path"] = folder,
            ["Ingest:Replay:Speed"] = "max",
            ["Ingest:RetentionDays"] = "36500",
        });
        var status = app.Services.GetRequiredService<FeedStatus>();
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var allocated0 = GC.GetTotalAllocatedBytes();
        var gcPause0 = GC.GetTotalPauseDuration();
        var start = Stopwatch.GetTimestamp();
        long firstCount = 0;
        long firstAt = 0;
        // The stored count over time (every 100 ms from the first stored candle): where a slow run lost its time.
        var progress = new List<string>();
        var nextMark = 0.0;
        while (status.State != FeedStates.Completed)
        {
            Assert.NotEqual(FeedStates.Failed, status.State);
            if (firstAt == 0 && status.CandlesIngested > 0)
            {
                firstAt = Stopwatch.GetTimestamp();
                firstCount = status.CandlesIngested;
            }
            if (firstAt != 0 && Stopwatch.GetElapsedTime(firstAt).TotalMilliseconds >= nextMark)
            {
                progress.Add($"{nextMark / 1000:F1}s {status.CandlesIngested}");
                nextMark += 100;
            }
            await Task.Delay(5);
        }
        var elapsed = Stopwatch.GetElapsedTime(firstAt);
        output.WriteLine("stored over time: " + string.Join(", ", progress.Take(40)));
        var total = status.CandlesIngested;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        output.WriteLine($"replay {symbols} symbols x {days} days: {total} candles; start-up to first stored {Stopwatch.GetElapsedTime(start, firstAt).TotalMilliseconds:F0} ms");
        output.WriteLine($"gc: {(GC.GetTotalAllocatedBytes() - allocated0) / Math.Max(1, total)} bytes allocated per candle, pause {(GC.GetTotalPauseDuration() - gcPause0).TotalMilliseconds:F0} ms");
        output.WriteLine($"replay_candles_per_s={(total - firstCount) / elapsed.TotalSeconds:F0} wall_s={elapsed.TotalSeconds:F2} ingest_cpu_us_per_candle={cpu.TotalMicroseconds / total:F1} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }

    /// <summary>
    /// 500 symbols with a day of history restored, then one closed candle per symbol handed to the pipeline every
    /// <c>BENCH_INTERVAL_MS</c>: latency from the hand-off to the XADD acknowledgement of that minute's event, over
    /// <c>BENCH_MINUTES</c> minutes after <c>BENCH_WARMUP</c> unmeasured ones.
    /// </summary>
    [BenchmarkFact]
    public async Task Candle_close_to_metrics_event_with_500_symbols()
    {
        var symbols = BenchmarkFactAttribute.Setting("BENCH_SYMBOLS", 500);
        var minutes = BenchmarkFactAttribute.Setting("BENCH_MINUTES", 190);
        // Minutes published before the measured ones: the service's first minutes, once in its life, compile its paths and
        // then (after 30 calls, so about minute 30 of a live feed) recompile the hot framework methods of the writer's
        // path at tier 1 on a background thread. Measured is the steady state after that; the warm-up's slowest minutes
        // are reported on their own.
        var warmUp = BenchmarkFactAttribute.Setting("BENCH_WARMUP", 40);
        var interval = BenchmarkFactAttribute.Setting("BENCH_INTERVAL_MS", 250);
        // The recorder sits on the measured path (before the send, after the ack): its tables are sized for the whole run,
        // so no minute pays for a table growing (and its first-time compilation) inside the measurement.
        var acks = new ConcurrentDictionary<long, long>(Environment.ProcessorCount, 2 * (warmUp + minutes + 100));
        var sends = new ConcurrentDictionary<long, long>(Environment.ProcessorCount, 2 * (warmUp + minutes + 100));
        var (app, cleanup) = await StartEmptyAsync(services =>
        {
            services.AddSingleton<IEventStream>(sp => new AckRecordingStream(new RedisEventStream(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>()), acks, sends, symbols, warmUp + minutes));
            // BENCH_NO_LIVE=1 (diagnosis only): no live pub/sub frames, to see what they cost the latency.
            if (Environment.GetEnvironmentVariable("BENCH_NO_LIVE") == "1")
            {
                services.RemoveAll<LiveFanout>();
                services.AddSingleton(sp => new LiveFanout(sp.GetRequiredService<MarketState>(), new ServiceCollection().BuildServiceProvider(),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LiveFanout>>()));
            }
        });
        // Disposed in reverse order: the service first, then its Redis server (the other way round its multiplexer
        // logs the server's disappearance as socket failures).
        using var __ = cleanup;
        await using var _ = app;
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();
        var random = new Random(7);
        var names = Enumerable.Range(0, symbols).Select(i => $"S{i:D4}USDT").ToArray();
        var prices = names.Select(_ => 10 + random.NextDouble() * 1000).ToArray();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        SymbolCandle[] Minute(long m)
        {
            var batch = new SymbolCandle[symbols];
            for (var i = 0; i < symbols; i++)
            {
                var open = prices[i];
                var close = open * (1 + (random.NextDouble() - 0.5) * 0.004);
                prices[i] = close;
                var volume = 10 + random.NextDouble() * 1000;
                batch[i] = new SymbolCandle(names[i], new Candle(t0 + m * Candle.MinuteMs, open, Math.Max(open, close) * 1.0005,
                    Math.Min(open, close) * 0.9995, close, volume, volume * close, random.Next(1, 500), volume / 2, volume * close / 2));
            }
            return batch;
        }
        pipeline.SetSymbols(names);
        for (var m = 0; m < 1440; m++)
        {
            pipeline.Restore(Minute(m));
        }
        // Who watches the live frames, as a Gateway's clients would (Ingest publishes only what someone listens to):
        // BENCH_WATCH=<n> (default 9, a 3x3 chart grid): the screener's tickers, the signals and, for n symbols, their
        // 1m candles and metrics; BENCH_WATCH=all: a pattern subscription, so every frame of every symbol is published
        // (what Ingest did before it asked who listens).
        var watch = Environment.GetEnvironmentVariable("BENCH_WATCH") ?? "9";
        await using var watcher = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(((RedisServer)cleanup).ConnectionString);
        var watched = 0L;
        if (watch == "all")
        {
            (await watcher.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Pattern("live:*"))).OnMessage(_ => Interlocked.Increment(ref watched));
        }
        else
        {
            var channels = new[] { "live:tickers", "live:signals" }.Concat(names.Take(int.Parse(watch, System.Globalization.CultureInfo.InvariantCulture))
                .SelectMany(n => new[] { $"live:candles:{n}:1m", $"live:metrics:{n}" }));
            foreach (var channel in channels)
            {
                (await watcher.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal(channel))).OnMessage(_ => Interlocked.Increment(ref watched));
            }
        }
        await Task.Delay(1500); // Ingest asks who listens once a second
        // Redis's side of the round trips: its latency monitor (fork, AOF writes and fsyncs over 1 ms) and its persistence counters.
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(((RedisServer)cleanup).ConnectionString + ",allowAdmin=true");
        var redisServer = admin.GetServers()[0];
        await redisServer.ExecuteAsync("CONFIG", "SET", "latency-monitor-threshold", "1");
        var lastRewrites = await RedisRewritesAsync(redisServer);
        var latencies = new List<double>();
        var byMinute = new List<(double Ms, int Minute, double JitMs, int Gcs, double SentMs, double PassMs, bool Rewrite)>();
        var withGc = new List<double>();
        var gcPause0 = GC.GetTotalPauseDuration();
        var allocated0 = GC.GetTotalAllocatedBytes();
        var gcCounts0 = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        // BENCH_ALLOC=1 (diagnosis): which types the timed minutes allocate (the test's own batches included).
        using var sampler = Environment.GetEnvironmentVariable("BENCH_ALLOC") == "1" ? new AllocationSampler() : null;
        sampler?.Start();
        // BENCH_JIT=1 (diagnosis): which methods are compiled during the slowest minutes.
        using var jit = Environment.GetEnvironmentVariable("BENCH_JIT") == "1" ? new JitRecorder() : null;
        jit?.Start();
        var spans = new Dictionary<int, (long From, long To)>();
        var warmUpMinutes = new List<(double Ms, int Minute, double JitMs)>();
        for (var m = 1440; m < 1440 + warmUp + minutes; m++)
        {
            var batch = Minute(m);
            var openTime = t0 + m * Candle.MinuteMs;
            var gcBefore = GC.CollectionCount(0);
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            var utcHanded = DateTime.UtcNow.Ticks;
            var handed = Stopwatch.GetTimestamp();
            await pipeline.OnClosedAsync(openTime, batch, CancellationToken.None);
            var passed = Stopwatch.GetTimestamp(); // the engine pass is done and the batch queued for the writer
            var deadline = DateTime.UtcNow.AddSeconds(30);
            long acked;
            while (!acks.TryGetValue(openTime, out acked))
            {
                Assert.True(DateTime.UtcNow < deadline, "no XADD acknowledgement");
                await Task.Delay(1);
            }
            spans[m % 1440] = (utcHanded, DateTime.UtcNow.Ticks);
            // After the minute's ack, outside its measurement: did Redis fork or rewrite its AOF during it?
            var rewrites = await RedisRewritesAsync(redisServer);
            var duringRewrite = rewrites.InProgress || rewrites.Done != lastRewrites.Done;
            lastRewrites = rewrites;
            if (m < 1440 + warmUp)
            {
                warmUpMinutes.Add((Stopwatch.GetElapsedTime(handed, acked).TotalMilliseconds, m % 1440, (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds));
            }
            else
            {
                latencies.Add(Stopwatch.GetElapsedTime(handed, acked).TotalMilliseconds);
                byMinute.Add((latencies[^1], m % 1440, (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds, GC.CollectionCount(0) - gcBefore,
                    sends.TryGetValue(openTime, out var sent) ? Stopwatch.GetElapsedTime(handed, sent).TotalMilliseconds : double.NaN,
                    Stopwatch.GetElapsedTime(handed, passed).TotalMilliseconds, duringRewrite));
                // A collection during the minute's path (counted until the ack is seen, so possibly just after it).
                if (GC.CollectionCount(0) != gcBefore)
                {
                    withGc.Add(latencies[^1]);
                }
            }
            await Task.Delay(interval);
        }
        sampler?.Stop();
        if (sampler is not null)
        {
            output.WriteLine("allocated (sampled): " + string.Join(", ", sampler.Top(15)));
            output.WriteLine("collections: " + string.Join(", ", sampler.Collections));
        }
        // The slowest minutes (minute of the day: 0 mod 5/15/60/240 close the larger bars) and the test process's GCs.
        output.WriteLine($"watch={watch}: {Interlocked.Read(ref watched)} live frames received by the watcher");
        output.WriteLine($"warm-up (first {warmUp} minutes, not measured), slowest: " + string.Join(", ", warmUpMinutes.OrderByDescending(x => x.Ms).Take(4).Select(x => $"{x.Ms:F1} ms at minute {x.Minute} (JIT {x.JitMs:F1} ms)")));
        output.WriteLine("slowest: " + string.Join(", ", byMinute.OrderByDescending(x => x.Ms).Take(6).Select(x => $"{x.Ms:F1} ms at minute {x.Minute} (XADD sent at {x.SentMs:F1} ms, JIT {x.JitMs:F1} ms, {x.Gcs} GCs{(x.Rewrite ? ", Redis rewriting its AOF" : "")})")));
        var quiet = byMinute.Where(x => !x.Rewrite).Select(x => x.Ms).Order().ToList();
        output.WriteLine($"minutes while Redis rewrote its AOF: {byMinute.Count - quiet.Count}; the others: p50={quiet[quiet.Count / 2]:F2} p99={quiet[Math.Min(quiet.Count - 1, (int)Math.Ceiling(0.99 * quiet.Count) - 1)]:F2} ms");
        jit?.Stop();
        if (jit is not null)
        {
            foreach (var (minute, (from, to)) in spans.OrderBy(kv => kv.Key))
            {
                var methods = jit.Between(from, to).ToList();
                if (methods.Count > 0)
                {
                    output.WriteLine($"compiled during minute {minute}: {methods.Count} methods: " + string.Join("; ", methods.Take(8)));
                }
            }
        }
        output.WriteLine($"gc during the timed minutes: {(GC.GetTotalAllocatedBytes() - allocated0) / (warmUp + minutes) / 1024} KB allocated per minute, pause {(GC.GetTotalPauseDuration() - gcPause0).TotalMilliseconds:F1} ms, collections gen0/1/2 " +
            $"{GC.CollectionCount(0) - gcCounts0[0]}/{GC.CollectionCount(1) - gcCounts0[1]}/{GC.CollectionCount(2) - gcCounts0[2]}");
        var persistence = (await redisServer.InfoAsync()).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        output.WriteLine($"redis: {persistence.GetValueOrDefault("aof_rewrites")} AOF rewrites, last fork {persistence.GetValueOrDefault("latest_fork_usec", "?")} us, " +
            $"{persistence.GetValueOrDefault("aof_delayed_fsync")} delayed fsyncs; latency events over 1 ms (event: last / max ms): " +
            string.Join(", ", ((StackExchange.Redis.RedisResult[])(await redisServer.ExecuteAsync("LATENCY", "LATEST")))!
                .Select(e => (StackExchange.Redis.RedisResult[])e!).Select(e => $"{e[0]}: {e[2]} / {e[3]}")));
        output.WriteLine($"minutes with a GC on their path: {withGc.Count}, their latencies: {string.Join(", ", withGc.Order().Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} ms");
        // Where a typical minute's time goes: until the XADD is sent (engine, frame, states, hand-off), then its round trip.
        var pass = byMinute.Select(x => x.PassMs).Order().ToList();
        var sentAt = byMinute.Select(x => x.SentMs).Order().ToList();
        var roundTrip = byMinute.Select(x => x.Ms - x.SentMs).Order().ToList();
        output.WriteLine($"pipeline pass p50={pass[pass.Count / 2]:F2} p90={pass[pass.Count * 9 / 10]:F2} ms; xadd sent at p50={sentAt[sentAt.Count / 2]:F2} p90={sentAt[sentAt.Count * 9 / 10]:F2} ms; round trip p50={roundTrip[roundTrip.Count / 2]:F2} p90={roundTrip[roundTrip.Count * 9 / 10]:F2} ms (redis append-only file: {AppendOnlyRedis})");
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        output.WriteLine(Histogram(latencies));
        output.WriteLine($"close_to_xadd_ms p50={P(0.5):F2} p90={P(0.9):F2} p99={P(0.99):F2} max={latencies[^1]:F2} n={latencies.Count} symbols={symbols} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }

    /// <summary>
    /// 100 concurrent closed-loop callers against the service as its own process (Kestrel on 127.0.0.1) with 500
    /// symbols, the four query shapes in turn: first HttpClient callers, then the lean socket client
    /// (<see cref="CoinsLoadClient"/>); each pass reports latencies, requests/s and the CPU per request of the
    /// service process and of this (client) process. BENCH_GZIP=1: the callers send <c>Accept-Encoding: gzip</c>
    /// (HttpClient decompresses, the lean client decompresses too); BENCH_GZIP=both: plain and gzip alternately in
    /// every pass, against the same service process (BENCH_GZIP_INFLATE=0: the lean client does not decompress).
    /// </summary>
    [BenchmarkFact]
    public async Task Coins_api_at_100_concurrent_requests()
    {
        var symbols = BenchmarkFactAttribute.Setting("BENCH_SYMBOLS", 500);
        var callers = BenchmarkFactAttribute.Setting("BENCH_CALLERS", 100);
        var rounds = BenchmarkFactAttribute.Setting("BENCH_ROUNDS", 100);
        var passes = BenchmarkFactAttribute.Setting("BENCH_PASSES", 3);
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("benchcoins");
        // The simulated feed stops at 50 symbols: replay a synthetic day of 500 (every window but change_1d filled).
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = cs,
            ["Ingest__Feed"] = "replay",
            ["Ingest__Replay__Path"] = SyntheticKlines.Folder(symbols, 1),
            ["Ingest__Replay__Speed"] = "max",
            ["Ingest__RetentionDays"] = "36500",
        };
        // BENCH_SERVICE_ENV="DOTNET_gcServer=0;DOTNET_TieredPGO=0": runtime settings for the service process.
        foreach (var pair in (Environment.GetEnvironmentVariable("BENCH_SERVICE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            environment[kv[0]] = kv[1];
        }
        using var ingest = new IngestProcess(environment);
        await ingest.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromMinutes(9));
        string[] queries =
        [
            "/api/coins",
            "/api/coins?sortBy=change_1h&sortOrder=desc&pageSize=50",
            "/api/coins?sortBy=rsi14_1h&minQuoteVolume_1d=1000000&pageSize=100",
            "/api/coins?search=US&page=2&pageSize=25",
        ];
        // BENCH_QUERIES="/api/coins?search=none,...": other query shapes (e.g. empty pages, to see the per-request cost without the bytes).
        if (Environment.GetEnvironmentVariable("BENCH_QUERIES") is { Length: > 0 } custom)
        {
            queries = custom.Split(',');
        }
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = callers };
        using var client = new HttpClient(handler) { BaseAddress = ingest.Client.BaseAddress };
        using var gzipHandler = new SocketsHttpHandler { MaxConnectionsPerServer = callers, AutomaticDecompression = System.Net.DecompressionMethods.GZip };
        using var gzipClient = new HttpClient(gzipHandler) { BaseAddress = ingest.Client.BaseAddress };
        var encodings = Environment.GetEnvironmentVariable("BENCH_GZIP") switch
        {
            "1" => new[] { "gzip" },
            "both" => ["plain", "gzip"],
            _ => ["plain"],
        };
        foreach (var q in queries)
        {
            var bytes = await client.GetByteArrayAsync(q);
            // What each compression level gives for this body, and what compressing it costs (once per cached entry,
            // or on every request if uncached answers were compressed).
            var sizes = new List<string>();
            foreach (var level in new[] { System.IO.Compression.CompressionLevel.Fastest, System.IO.Compression.CompressionLevel.Optimal, System.IO.Compression.CompressionLevel.SmallestSize })
            {
                CoinsJson.Compress(bytes, level);
                var t = Stopwatch.GetTimestamp();
                var gz = CoinsJson.Compress(bytes, level);
                for (var i = 1; i < 20; i++)
                {
                    CoinsJson.Compress(bytes, level);
                }
                sizes.Add($"{level} {gz.Length} bytes in {Stopwatch.GetElapsedTime(t).TotalMicroseconds / 20:F0} us");
            }
            output.WriteLine($"{q}: {bytes.Length} bytes; gzip {string.Join(", ", sizes)}");
        }
        for (var i = 0; i < 2000; i++)
        {
            (await client.GetAsync(queries[i % queries.Length])).EnsureSuccessStatusCode();
            (await gzipClient.GetAsync(queries[i % queries.Length])).EnsureSuccessStatusCode();
        }
        using var service = Process.GetProcessById(ingest.Pid);
        var self = Process.GetCurrentProcess();
        var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, ingest.Port);
        await CoinsLoadClient.RunAsync(endpoint, queries, callers, 20);
        await CoinsLoadClient.RunAsync(endpoint, queries, callers, 20, gzip: true);
        service.Refresh();
        var idle0 = service.TotalProcessorTime;
        await Task.Delay(2000);
        service.Refresh();
        output.WriteLine($"service idle cpu: {(service.TotalProcessorTime - idle0).TotalMilliseconds / 2:F1} ms/s");

        for (var pass = 0; pass < passes; pass++)
        {
            // BENCH_CLIENT=httpclient, httpclient-stream or lean: only that client (default all three). "httpclient"
            // buffers each body (ResponseContentRead, as before); "httpclient-stream" reads it into a reused buffer.
            var clients = Environment.GetEnvironmentVariable("BENCH_CLIENT") is { Length: > 0 } only ? only.Split(',') : ["httpclient", "httpclient-stream", "lean"];
            foreach (var (mode, encoding) in clients.SelectMany(m => encodings.Select(e => (m, e))))
            {
                var gzip = encoding == "gzip";
                var caller = gzip ? gzipClient : client;
                // BENCH_GZIP_INFLATE=0: the lean client skips the gzip bytes instead of decompressing them.
                var inflate = Environment.GetEnvironmentVariable("BENCH_GZIP_INFLATE") != "0";
                service.Refresh();
                self.Refresh();
                var serverCpu0 = service.TotalProcessorTime;
                var serverSys0 = service.PrivilegedProcessorTime;
                var clientCpu0 = self.TotalProcessorTime;
                List<double> latencies;
                TimeSpan elapsed;
                if (mode == "lean")
                {
                    (latencies, elapsed) = await CoinsLoadClient.RunAsync(endpoint, queries, callers, rounds, gzip, inflate);
                }
                else
                {
                    var stream = mode == "httpclient-stream";
                    var bag = new ConcurrentBag<double>();
                    var wall = Stopwatch.StartNew();
                    await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
                    {
                        var buffer = new byte[64 * 1024];
                        for (var r = 0; r < rounds; r++)
                        {
                            var t = Stopwatch.GetTimestamp();
                            var query = queries[(c + r) % queries.Length];
                            if (stream)
                            {
                                using var response = await caller.GetAsync(query, HttpCompletionOption.ResponseHeadersRead);
                                response.EnsureSuccessStatusCode();
                                await using var body = await response.Content.ReadAsStreamAsync();
                                while (await body.ReadAsync(buffer) > 0)
                                {
                                }
                            }
                            else
                            {
                                using var response = await caller.GetAsync(query, HttpCompletionOption.ResponseContentRead);
                                response.EnsureSuccessStatusCode();
                            }
                            bag.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                        }
                    })));
                    elapsed = wall.Elapsed;
                    latencies = bag.ToList();
                }
                service.Refresh();
                self.Refresh();
                var serverUs = (service.TotalProcessorTime - serverCpu0).TotalMicroseconds / latencies.Count;
                var serverSysUs = (service.PrivilegedProcessorTime - serverSys0).TotalMicroseconds / latencies.Count;
                var clientUs = (self.TotalProcessorTime - clientCpu0).TotalMicroseconds / latencies.Count;
                latencies.Sort();
                double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
                if (pass == passes - 1)
                {
                    output.WriteLine(Histogram(latencies));
                }
                output.WriteLine($"coins_ms[{mode},{encoding}] p50={P(0.5):F2} p95={P(0.95):F2} p99={P(0.99):F2} max={latencies[^1]:F2} n={latencies.Count} rps={latencies.Count / elapsed.TotalSeconds:F0} server_cpu_us_per_req={serverUs:F0} (kernel {serverSysUs:F0}) client_cpu_us_per_req={clientUs:F0} callers={callers} symbols={symbols} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
        }
        var body = await client.GetFromJsonAsync<JsonElement>("/api/coins");
        Assert.Equal(symbols, body.GetProperty("total").GetInt32());
    }

    /// <summary>Redis's completed AOF rewrites, and whether one is in progress (a fork, then a child compressing the data set).</summary>
    private static async Task<(string Done, bool InProgress)> RedisRewritesAsync(StackExchange.Redis.IServer server)
    {
        var info = (await server.InfoAsync("persistence")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        return (info.GetValueOrDefault("aof_rewrites", ""), info.GetValueOrDefault("aof_rewrite_in_progress", "") is "1");
    }

    /// <summary>Redis as the AppHost runs it (append-only file, fsync every second); BENCH_REDIS_AOF=0: without persistence.</summary>
    private static bool AppendOnlyRedis => Environment.GetEnvironmentVariable("BENCH_REDIS_AOF") != "0";

    private static async Task<(IngestApp App, IDisposable Cleanup)> StartEmptyAsync(Action<IServiceCollection> services)
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("benchlatency");
        var redis = new RedisServer(appendOnly: AppendOnlyRedis);
        var app = await IngestApp.StartIdleAsync(cs, redis.ConnectionString, services);
        return (app, redis);
    }

    private static string Histogram(List<double> sortedMs)
    {
        double[] edges = [0.5, 1, 2, 3, 5, 10, 20, 50, 100, double.PositiveInfinity];
        var lines = new List<string>();
        var from = 0.0;
        foreach (var edge in edges)
        {
            var count = sortedMs.Count(v => v >= from && v < edge);
            lines.Add($"  [{from,5:0.#}, {edge,5:0.#}) ms {count,6} {new string('#', (int)Math.Ceiling(60.0 * count / sortedMs.Count))}");
            from = edge;
        }
        return string.Join('\n', lines);
    }

    /// <summary>
    /// Records, per open time, when the minute's first XADD is sent and when the XADD that completes the minute (its
    /// items reach <paramref name="symbols"/>, whether in one entry or in chunks) is acknowledged.
    /// </summary>
    private sealed class AckRecordingStream(IEventStream inner, ConcurrentDictionary<long, long> acks, ConcurrentDictionary<long, long> sends, int symbols, int minutes)
        : DelegatingEventStream(inner)
    {
        private readonly ConcurrentDictionary<long, int> _items = new(Environment.ProcessorCount, 2 * (minutes + 100));

        private void Acknowledged(long openTime, int items, long now)
        {
            if (_items.AddOrUpdate(openTime, items, (_, n) => n + items) >= symbols)
            {
                acks.TryAdd(openTime, now);
            }
        }

        public override async Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, StreamTrim trim, CancellationToken cancellationToken)
        {
            sends.TryAdd(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(fields[0].Value.Span[8..]), Stopwatch.GetTimestamp());
            var id = await Inner.AppendBinaryAsync(stream, fields, trim, cancellationToken);
            var now = Stopwatch.GetTimestamp();
            // The metrics frame's openTime (little-endian at byte 8 of the header) and item count (byte 24).
            var frame = fields[0].Value.Span;
            Acknowledged(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(frame[8..]), (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame[24..]), now);
            return id;
        }

        public override async Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream,
            IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries, StreamTrim trim, CancellationToken cancellationToken)
        {
            var ids = await Inner.AppendBinaryBatchAsync(stream, entries, trim, cancellationToken);
            var now = Stopwatch.GetTimestamp();
            foreach (var fields in entries)
            {
                acks.TryAdd(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(fields[0].Value.Span[8..]), now);
            }
            return ids;
        }
    }
}
