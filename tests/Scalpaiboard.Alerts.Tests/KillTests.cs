using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>The real service process killed with SIGKILL mid-stream and started again (new pid, new consumer name).</summary>
public sealed class KillTests
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    private sealed class ServiceProcess : IDisposable
    {
        private readonly Process _process;

        public ServiceProcess(string postgres, RedisServer redis)
        {
            Port = ServerProcess.FreePort();
            var psi = AlertsApp.ProcessStartInfo(postgres, redis, Port);
            psi.Environment["Alerts__RetentionHours"] = "87600";
            psi.Environment["Alerts__Consumer__ClaimIdleSeconds"] = "1";
            psi.Environment["Alerts__Consumer__ClaimIntervalSeconds"] = "1";
            psi.Environment["Alerts__Consumer__BatchSize"] = "8";
            psi.Environment["Logging__LogLevel__Default"] = "Warning";
            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
        }

        public int Port { get; }

        public HttpClient Client { get; }

        public async Task WaitAliveAsync()
        {
            await Eventually.WaitAsync(async () =>
            {
                try
                {
                    using var r = await Client.GetAsync(new Uri("/alive", UriKind.Relative));
                    return r.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, ok => ok, TimeSpan.FromSeconds(60));
        }

        public async Task<long> TotalAsync()
        {
            var body = await Client.GetFromJsonAsync<JsonElement>(new Uri("/api/signals?limit=1", UriKind.Relative));
            return body.GetProperty("total").GetInt64();
        }

        /// <summary>Freezes (SIGSTOP) or thaws (SIGCONT) the process, so the test can look at its work in flight.</summary>
        public async Task FreezeAsync(bool frozen)
        {
            if (Signal(_process.Id, frozen ? SigStop : SigCont) != 0)
            {
                throw new InvalidOperationException($"kill({_process.Id}) failed with errno {Marshal.GetLastPInvokeError()}");
            }
            // kill() only queues the signal: wait until every thread of the process is really stopped (state T)
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (frozen && !AllThreadsStopped())
            {
                Assert.True(DateTime.UtcNow < deadline, "the service did not stop on SIGSTOP");
                await Task.Delay(1);
            }
        }

        private bool AllThreadsStopped()
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
                    if (state is not ('T' or 't'))
                    {
                        return false;
                    }
                }
                catch (IOException)
                {
                    // the thread ended meanwhile
                }
            }
            return true;
        }

        public void KillHard()
        {
            _process.Kill(); // SIGKILL: no shutdown, no acknowledgements, open transactions roll back
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                KillHard();
            }
            Client.Dispose();
            _process.Dispose();
        }
    }

    [Fact]
    public async Task Kill_9_mid_stream_and_restart_gives_exactly_the_scan_signals_of_the_sample()
    {
        var expected = SampleReplay.Expected();
        var batches = SampleReplay.Batches();
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        await using var producer = await redis.ConnectAsync();
        var stream = new RedisEventStream(producer);

        using (var first = new ServiceProcess(db, redis))
        {
            await first.WaitAliveAsync();
            await SampleReplay.AppendAsync(stream, batches);
            // kill it while it is in the middle of the stream
            await Eventually.WaitAsync(first.TotalAsync, n => n >= expected.Count / 3, TimeSpan.FromSeconds(60));
            // freeze it until it is caught holding delivered but unacknowledged entries, then SIGKILL it there
            for (var attempt = 0; ; attempt++)
            {
                await first.FreezeAsync(true);
                await Task.Delay(20); // an acknowledgement already written to its socket reaches Redis meanwhile
                var inFlight = await stream.PendingAsync(EventNames.MetricsStream, EventNames.AlertsGroup, 100, CancellationToken.None);
                if (inFlight.Count > 0)
                {
                    break;
                }
                Assert.True(attempt < 2_000, "the service was never caught with unacknowledged work in flight");
                await first.FreezeAsync(false);
                await Task.Delay(5);
            }
            first.KillHard();
        }
        var pendingAfterKill = await stream.PendingAsync(EventNames.MetricsStream, EventNames.AlertsGroup, 100, CancellationToken.None);

        using var second = new ServiceProcess(db, redis);
        await second.WaitAliveAsync();
        // an ingest restart re-publishing candles already processed must not add anything either
        await SampleReplay.AppendAsync(stream, batches.Take(batches.Count / 4));
        await Eventually.WaitAsync(
            async () => await second.TotalAsync() >= expected.Count
                && (await stream.PendingAsync(EventNames.MetricsStream, EventNames.AlertsGroup, 10, CancellationToken.None)).Count == 0,
            done => done, TimeSpan.FromSeconds(120));
        await Task.Delay(1000); // anything still arriving would be an extra signal

        var body = await second.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/signals?limit=10000", UriKind.Relative));
        var stored = body.GetProperty("signals").EnumerateArray()
            .Where(s => s.GetProperty("type").GetString()!.StartsWith("futures_", StringComparison.Ordinal))
            .Select(s => (s.GetProperty("symbol").GetString()!, s.GetProperty("openTime").GetInt64(), s.GetProperty("type").GetString()!))
            .ToList();
        Assert.NotEmpty(pendingAfterKill); // the kill really left unacknowledged work behind
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Empty(expected.Except(stored));
        Assert.Empty(stored.ToHashSet().Except(expected));
    }
}
