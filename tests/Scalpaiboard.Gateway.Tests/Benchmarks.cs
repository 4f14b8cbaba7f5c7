using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Scalpaiboard.Gateway.Tests.Support;
using Xunit.Abstractions;

namespace Scalpaiboard.Gateway.Tests;

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
/// Measurements recorded in docs/gateway.md: fan-out latency to many WebSocket clients, and what forwarding adds
/// to a direct call. Clients run in the same process as the Gateway, so the numbers are pessimistic.
/// </summary>
public sealed class Benchmarks(ITestOutputHelper output)
{
    [BenchmarkFact]
    public async Task Fanout_latency_to_1000_clients()
    {
        var clients = int.Parse(Environment.GetEnvironmentVariable("BENCH_CLIENTS") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        var messages = int.Parse(Environment.GetEnvironmentVariable("BENCH_MESSAGES") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
        var interval = int.Parse(Environment.GetEnvironmentVariable("BENCH_INTERVAL_MS") ?? "20", System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:WebSocket:MaxConnectionsPerClient"] = "5000",
        });
        await HubTests.WaitForFanoutAsync(gateway);
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < clients; i++)
        {
            var ws = new ClientWebSocket();
            await ws.ConnectAsync(gateway.WebSocketUri, CancellationToken.None);
            await ws.SendAsync("""{"type":"subscribe","channels":["tickers","signals"]}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
            sockets.Add(ws);
        }
        var latencies = new long[clients * messages];
        var counts = new int[clients];
        var receivers = sockets.Select((ws, index) => Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (counts[index] < messages)
            {
                var r = await ws.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                var now = Stopwatch.GetTimestamp();
                var text = buffer.AsSpan(0, r.Count);
                var at = text.IndexOf("\"sent\":"u8);
                if (at < 0)
                {
                    continue;
                }
                var sent = long.Parse(Encoding.ASCII.GetString(text[(at + 7)..text.IndexOf("}"u8)]), System.Globalization.CultureInfo.InvariantCulture);
                latencies[index * messages + counts[index]] = now - sent;
                counts[index]++;
            }
        })).ToArray();
        await Task.Delay(1000);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var m = 0; m < messages; m++)
        {
            var frame = $"{{\"type\":\"signals\",\"channel\":\"signals\",\"ts\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},\"data\":{{\"id\":{m},\"symbol\":\"BTCUSDT\",\"sent\":{Stopwatch.GetTimestamp()}}}}}";
            await gateway.Live.PublishAsync("live:signals", Encoding.UTF8.GetBytes(frame), CancellationToken.None);
            await Task.Delay(interval);
        }
        await Task.WhenAll(receivers).WaitAsync(TimeSpan.FromMinutes(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Array.Sort(latencies);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        output.WriteLine($"clients={clients} messages={messages} interval={interval}ms deliveries={latencies.Length} " +
            $"p50={Ms(latencies[latencies.Length / 2]):0.00}ms p99={Ms(latencies[(int)(latencies.Length * 0.99)]):0.00}ms max={Ms(latencies[^1]):0.00}ms " +
            $"heap_before={before / 1024}KB heap_after={after / 1024}KB allocated_per_delivery={allocated / latencies.Length}B cpu_per_delivery={cpu.TotalMicroseconds / latencies.Length:0.0}us (clients included) " +
            $"load={File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var ws in sockets)
        {
            ws.Abort();
            ws.Dispose();
        }
        Assert.All(counts, c => Assert.Equal(messages, c));
    }

    /// <summary>
    /// The acceptance check's own load script (node, another process: only the Gateway runs here): N clients on
    /// tickers + signals, a signal every 200 ms and a 50-symbol ticker batch every second, latency = receive - ts.
    /// </summary>
    [BenchmarkFact]
    public async Task Fanout_to_node_clients_like_the_acceptance_check()
    {
        var script = Environment.GetEnvironmentVariable("BENCH_WS_LOAD") ?? "/work/shared/acceptance/ws_load.js";
        var clients = Environment.GetEnvironmentVariable("BENCH_CLIENTS") ?? "500";
        const int seconds = 20;
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:WebSocket:MaxConnectionsPerClient"] = "5000",
        });
        await HubTests.WaitForFanoutAsync(gateway);
        // BENCH_NOISE="150,20": bursts of 150 candle/metrics frames 20 times a second on channels nobody here
        // subscribes to (what Ingest publishes at a fast replay), from another process.
        using var noise = new KilledOnDispose(Environment.GetEnvironmentVariable("BENCH_NOISE") is { Length: > 0 } noiseSpec
            ? Process.Start(new ProcessStartInfo("python3", [NoiseScript(), Scalpaiboard.Testing.RedisServer.Shared.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-", .. noiseSpec.Split(',')]))
            : null);
        var outFile = Path.Combine(Path.GetTempPath(), $"ws-bench-{Guid.NewGuid():N}.json");
        using var node = Process.Start(new ProcessStartInfo("node", ["--experimental-websocket", script, gateway.WebSocketUri.ToString(), clients, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), outFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var registry = gateway.Services.GetService(typeof(Scalpaiboard.Gateway.Services.Hub.SubscriptionRegistry)) as Scalpaiboard.Gateway.Services.Hub.SubscriptionRegistry;
        while (registry!.SubscriberCount("live:signals") < int.Parse(clients, System.Globalization.CultureInfo.InvariantCulture) && !node.HasExited)
        {
            await Task.Delay(100);
        }
        var tickers = "[" + string.Join(",", Enumerable.Range(0, 50).Select(i => $"{{\"symbol\":\"SYM{i}USDT\",\"price\":{100 + i}.5,\"change_1h\":0.1}}")) + "]";
        var fanout = new System.Collections.Concurrent.ConcurrentBag<double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == Scalpaiboard.Gateway.Services.Hub.LiveFanout.FanoutDurationInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => fanout.Add(value));
        listener.Start();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var userBefore = Process.GetCurrentProcess().UserProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var published = 0;
        var start = Stopwatch.StartNew();
        while (start.Elapsed < TimeSpan.FromSeconds(seconds - 3))
        {
            var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await gateway.Live.PublishAsync("live:signals", Encoding.UTF8.GetBytes(
                $"{{\"type\":\"signals\",\"channel\":\"signals\",\"ts\":{ts},\"data\":{{\"id\":{published},\"symbol\":\"BTCUSDT\",\"type\":\"futures_big_pump\"}}}}"), CancellationToken.None);
            if (published % 5 == 0)
            {
                await gateway.Live.PublishAsync("live:tickers", Encoding.UTF8.GetBytes(
                    $"{{\"type\":\"tickers\",\"channel\":\"tickers\",\"ts\":{ts},\"data\":{tickers}}}"), CancellationToken.None);
            }
            published++;
            await Task.Delay(200);
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var user = Process.GetCurrentProcess().UserProcessorTime - userBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var result = File.ReadAllText(outFile);
        var json = JsonDocument.Parse(result).RootElement;
        var msgs = json.GetProperty("msgs").GetInt64();
        output.WriteLine($"noise={Environment.GetEnvironmentVariable("BENCH_NOISE")} node clients={clients} published signals={published} result={result.ReplaceLineEndings(" ")} " +
            $"gateway_cpu_per_delivery={cpu.TotalMicroseconds / Math.Max(1, msgs):0.0}us (user {user.TotalMicroseconds / Math.Max(1, msgs):0.0}us, rest kernel) gateway_allocated_per_delivery={allocated / Math.Max(1, msgs)}B " +
            $"fanout_per_message p50={Percentile(fanout, 0.5):0.00}ms p99={Percentile(fanout, 0.99):0.00}ms max={Percentile(fanout, 1):0.00}ms " +
            $"gateway_working_set={Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024)}MB load={File.ReadAllText("/proc/loadavg").Trim()}");
        File.Delete(outFile);
        Assert.Equal(0, json.GetProperty("closedEarly").GetInt32());
    }

    private sealed class KilledOnDispose(Process? process) : IDisposable
    {
        public void Dispose()
        {
            if (process is { HasExited: false })
            {
                process.Kill();
            }
            process?.Dispose();
        }
    }

    private static string NoiseScript([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Support", "live_noise.py");

    private static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    }

    [BenchmarkFact]
    public async Task Forwarding_overhead_against_a_direct_call()
    {
        await using var service = await Downstream.StartAsync(app => app.MapGet("/api/symbols", () => Results.Json(new[] { "BTCUSDT", "ETHUSDT" })));
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["services:ingest:http:0"] = service.Address.ToString(),
            ["Gateway:RateLimit:PermitsPerMinute"] = "1000000",
        });
        using var direct = new HttpClient { BaseAddress = service.Address };
        using var through = gateway.CreateHttpClient();
        const int n = 2000;
        async Task<double[]> MeasureAsync(HttpClient http)
        {
            for (var i = 0; i < 200; i++)
            {
                (await http.GetAsync("/api/symbols")).Dispose();
            }
            var times = new double[n];
            for (var i = 0; i < n; i++)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync("/api/symbols");
                await response.Content.ReadAsByteArrayAsync();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            return times;
        }
        var d = await MeasureAsync(direct);
        var g = await MeasureAsync(through);
        output.WriteLine($"direct p50={d[n / 2]:0.000}ms p99={d[(int)(n * 0.99)]:0.000}ms; through gateway p50={g[n / 2]:0.000}ms p99={g[(int)(n * 0.99)]:0.000}ms; " +
            $"added p50={g[n / 2] - d[n / 2]:0.000}ms load={File.ReadAllText("/proc/loadavg").Trim()}");
        Assert.True(g[n / 2] > 0);
    }
}
