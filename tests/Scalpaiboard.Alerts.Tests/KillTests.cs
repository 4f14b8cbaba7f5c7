using System.Net.Http.Json;
using System.Text.Json;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>The real service process killed with SIGKILL mid-stream and started again (new pid, new consumer name).</summary>
public sealed class KillTests
{
    /// <summary>The Alerts service as a process of its own, claiming idle work quickly and in small batches.</summary>
    private static ServiceProcess StartService(string postgres, RedisServer redis)
    {
        var environment = AlertsApp.ProcessEnvironment(postgres, redis);
        environment["Alerts__RetentionHours"] = "87600";
        environment["Alerts__Consumer__ClaimIdleSeconds"] = "1";
        environment["Alerts__Consumer__ClaimIntervalSeconds"] = "1";
        environment["Alerts__Consumer__BatchSize"] = "8";
        return new ServiceProcess("Scalpaiboard.Alerts", ServerProcess.FreePort(), environment);
    }

    private static async Task<long> TotalAsync(ServiceProcess service)
    {
        var body = await service.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/signals?limit=1", UriKind.Relative));
        return body.GetProperty("total").GetInt64();
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

        using (var first = StartService(db, redis))
        {
            await first.WaitHealthyAsync("/alive", TimeSpan.FromSeconds(60));
            await SampleReplay.AppendAsync(stream, batches);
            // kill it while it is in the middle of the stream
            await Eventually.WaitAsync(() => TotalAsync(first), n => n >= expected.Count / 3, TimeSpan.FromSeconds(60));
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
            first.Kill();
        }
        var pendingAfterKill = await stream.PendingAsync(EventNames.MetricsStream, EventNames.AlertsGroup, 100, CancellationToken.None);

        using var second = StartService(db, redis);
        await second.WaitHealthyAsync("/alive", TimeSpan.FromSeconds(60));
        // an ingest restart re-publishing candles already processed must not add anything either
        await SampleReplay.AppendAsync(stream, batches.Take(batches.Count / 4));
        await Eventually.WaitAsync(
            async () => await TotalAsync(second) >= expected.Count
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

    [PythonFact]
    public async Task A_backtest_running_when_the_service_is_killed_completes_on_the_next_start()
    {
        using var dir = new TempDir();
        var klines = Path.Combine(dir.Path, "klines");
        await Python.CheckedAsync(SharedData.Acceptance("klinegen.py"), klines, "--seed", "5", "--symbols", "24", "--days", "4", "--start", "2026-03-02");
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        var stored = await IngestCandles.LoadAsync(db, klines);
        ServiceProcess Start()
        {
            var environment = AlertsApp.ProcessEnvironment(db, redis);
            environment["Alerts__Backtests__Parallelism"] = "1"; // a run long enough to be caught
            environment["Alerts__Jobs__InvisibilityTimeout"] = "00:00:05";
            return new ServiceProcess("Scalpaiboard.Alerts", ServerProcess.FreePort(), environment);
        }
        HttpClient UserClient(ServiceProcess service)
        {
            var signed = AlertsApp.SignedAs("user-a");
            signed.InnerHandler = new HttpClientHandler();
            return new HttpClient(signed) { BaseAddress = new Uri(service.Url) };
        }
        async Task<string?> StatusAsync(string id)
        {
            await using var conn = new Npgsql.NpgsqlConnection(db);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT status FROM alerts.backtests WHERE id = @id::uuid", conn);
            cmd.Parameters.AddWithValue("id", id);
            return (string?)await cmd.ExecuteScalarAsync();
        }

        string id;
        using (var first = Start())
        {
            await first.WaitHealthyAsync("/alive", TimeSpan.FromSeconds(60));
            using var client = UserClient(first);
            // start backtests until one is caught running: freeze the process there, then SIGKILL it
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 20, "no backtest was ever caught running");
                using var created = await client.PostJsonAsync("/api/backtests", new { rule = "futures_pioneer_bull", symbols = "all" });
                Assert.True(created.StatusCode == System.Net.HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
                id = (await created.JsonAsync()).GetProperty("id").GetString()!;
                string? status;
                while ((status = await StatusAsync(id)) == "queued")
                {
                    await Task.Delay(5);
                }
                await first.FreezeAsync(true);
                if (await StatusAsync(id) == "running")
                {
                    break;
                }
                await first.FreezeAsync(false);
            }
            first.Kill();
        }

        using var second = Start();
        await second.WaitHealthyAsync("/alive", TimeSpan.FromSeconds(60));
        using var again = UserClient(second);
        // Hangfire runs the job the dead process had fetched again once its invisibility timeout passed (5 s here; the
        // package's default would be 30 minutes, with the user unable to start another backtest meanwhile)
        var run = await Eventually.WaitAsync(async () => await (await again.GetAsync($"/api/backtests/{id}")).JsonAsync(),
            r => r.GetProperty("status").GetString() is "completed" or "failed", TimeSpan.FromSeconds(90));
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(stored, run.GetProperty("candlesProcessed").GetInt64());
    }
}
