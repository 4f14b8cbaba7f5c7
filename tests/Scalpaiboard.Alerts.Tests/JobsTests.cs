using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using Scalpaiboard.Alerts.Jobs;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

/// <summary>The Hangfire recurring jobs: stale-data watchdog and retention, once per period across replicas; the dashboard for the operator only.</summary>
public sealed class JobsTests
{
    [Fact]
    public async Task A_symbol_silent_for_three_feed_minutes_raises_a_system_signal_and_degrades_health()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(0),
            new FeedItem("AAAUSDT", 1, 1, MetricsFeed.Quiet), new FeedItem("BBBUSDT", 2, 2, MetricsFeed.Quiet));
        for (var i = 1; i <= 4; i++)
        {
            await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(i), new FeedItem("AAAUSDT", 1, 1, MetricsFeed.Quiet));
        }
        using var client = app.CreateClient();
        var body = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/api/signals?type=system_stale_data")).JsonAsync(),
            b => b.GetProperty("total").GetInt64() >= 1);
        var signal = Assert.Single(body.GetProperty("signals").EnumerateArray());
        Assert.Equal("BBBUSDT", signal.GetProperty("symbol").GetString());
        Assert.Equal(MetricsFeed.Minute(0), signal.GetProperty("openTime").GetInt64());

        using var health = await client.GetAsync("/health");
        var report = await health.JsonAsync();
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        Assert.Contains("BBBUSDT", report.GetProperty("checks").GetProperty("feed").GetProperty("description").GetString());

        // the symbol speaks again: healthy, and the same silence never raises a second signal
        await MetricsFeed.AppendAsync(app.Stream, MetricsFeed.Minute(5),
            new FeedItem("AAAUSDT", 1, 1, MetricsFeed.Quiet), new FeedItem("BBBUSDT", 2, 2, MetricsFeed.Quiet));
        var healthy = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/health")).JsonAsync(),
            r => r.GetProperty("checks").GetProperty("feed").GetProperty("status").GetString() == "Healthy");
        Assert.Equal("Healthy", healthy.GetProperty("checks").GetProperty("feed").GetProperty("status").GetString());
        await Task.Delay(1500);
        Assert.Equal(1, (await (await client.GetAsync("/api/signals?type=system_stale_data")).JsonAsync()).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Retention_deletes_signals_older_than_the_configured_hours()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Alerts:RetentionHours"] = "1",
            ["Alerts:Jobs:RetentionSchedule"] = "* * * * * *",
        });
        // one signal from the past (March 2026) and one from this minute
        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "OLDUSDT");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        await MetricsFeed.AppendAsync(app.Stream, now, new FeedItem("NEWUSDT", 1, 1, MetricsFeed.PioneerBull));
        using var client = app.CreateClient();
        var body = await Eventually.WaitAsync(
            async () => await (await client.GetAsync("/api/signals?type=futures_pioneer_bull")).JsonAsync(),
            b => b.GetProperty("signals").EnumerateArray().Any(s => s.GetProperty("symbol").GetString() == "NEWUSDT")
                && b.GetProperty("total").GetInt64() == 1);
        Assert.Equal("NEWUSDT", Assert.Single(body.GetProperty("signals").EnumerateArray()).GetProperty("symbol").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task Two_instances_run_each_period_of_a_recurring_job_once()
    {
        using var redis = new RedisServer();
        var postgres = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        // Both instances sweep the outbox every second (AlertsApp's schedule), on one database.
        await using var a = await AlertsApp.StartAsync(redis, postgres: postgres);
        await using var b = await AlertsApp.StartAsync(redis, postgres: postgres);
        var monitoring = a.Service<JobStorage>().GetMonitoringApi();
        var servers = await Eventually.WaitAsync(() => Task.FromResult(monitoring.Servers().Count), n => n == 2);
        Assert.Equal(2, servers);
        // Let them run until five periods have succeeded (seconds on a quiet machine; more under load).
        var succeeded = await Eventually.WaitAsync(async () =>
        {
            await using var probe = new NpgsqlConnection(postgres);
            await probe.OpenAsync();
            await using var count = new NpgsqlCommand("""
                SELECT count(*) FROM hangfire.state s
                JOIN hangfire.jobparameter r ON r.jobid = s.jobid AND r.name = 'RecurringJobId' AND r.value LIKE '%"outbox-sweep"%'
                WHERE s.name = 'Succeeded'
                """, probe);
            return (long)(await count.ExecuteScalarAsync())!;
        }, n => n >= 5, TimeSpan.FromSeconds(60));
        Assert.True(succeeded >= 5, $"only {succeeded} periods ran");
        // Stop both, so no occurrence is half-created while we count.
        await b.DisposeAsync();
        await a.DisposeAsync();

        await using var conn = new NpgsqlConnection(postgres);
        await conn.OpenAsync();
        // Every job Hangfire created for the recurring job carries its occurrence's time ("Time"): one job per period,
        // picked up by at most one worker of one instance (one Processing state), and run once.
        var periods = new List<(string Time, long Jobs, long Processing, long Succeeded)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT t.value, count(DISTINCT t.jobid),
                   count(s.id) FILTER (WHERE s.name = 'Processing'), count(s.id) FILTER (WHERE s.name = 'Succeeded')
            FROM hangfire.jobparameter r
            JOIN hangfire.jobparameter t ON t.jobid = r.jobid AND t.name = 'Time'
            LEFT JOIN hangfire.state s ON s.jobid = r.jobid
            WHERE r.name = 'RecurringJobId' AND r.value LIKE '%"outbox-sweep"%'
            GROUP BY t.value
            """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                periods.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            }
        }
        Assert.True(periods.Count(p => p.Succeeded == 1) >= 5);
        Assert.All(periods, p =>
        {
            Assert.Equal(1, p.Jobs);
            Assert.True(p.Processing <= 1, $"the job of {p.Time} was processed {p.Processing} times");
            Assert.True(p.Succeeded <= 1, $"the job of {p.Time} succeeded {p.Succeeded} times");
        });
    }

    [Fact]
    public async Task A_lock_left_by_a_killed_process_delays_a_schedule_update_but_not_the_start()
    {
        using var redis = new RedisServer();
        var postgres = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        await (await AlertsApp.StartAsync(redis, postgres: postgres)).DisposeAsync(); // Hangfire's schema, the jobs stored
        // What a process SIGKILLed while updating the outbox sweep leaves behind: its lock row. Dated ahead, so that it
        // is still fresh (until 30 s from now) when the next start's AddOrUpdate gives up waiting for it (15 s).
        await using (var conn = new NpgsqlConnection(postgres))
        {
            await conn.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO hangfire.lock (resource, updatecount, acquired) VALUES ('hangfire:lock:recurring-job:outbox-sweep', 0, timezone('utc', now()) + interval '25 seconds')", conn);
            await insert.ExecuteNonQueryAsync();
        }

        await using var app = await AlertsApp.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Alerts:Jobs:DistributedLockTimeout"] = "00:00:05",
            ["Alerts:Jobs:OutboxSweepSchedule"] = "*/2 * * * * *",
        }, postgres);
        var storage = app.Service<JobStorage>();
        string? Cron()
        {
            using var connection = storage.GetConnection();
            return connection.GetAllEntriesFromHash("recurring-job:" + OutboxSweepJob.Id)?.GetValueOrDefault("Cron");
        }
        // started while the lock was held; the schedule follows once the dead holder's lock is taken over
        Assert.Equal("* * * * * *", Cron());
        var cron = await Eventually.WaitAsync(() => Task.FromResult(Cron()), c => c == "*/2 * * * * *", TimeSpan.FromSeconds(60));
        Assert.Equal("*/2 * * * * *", cron);
    }

    [Fact]
    public async Task A_bad_cron_expression_stops_the_service_naming_its_key()
    {
        using var redis = new RedisServer();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AlertsApp.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Alerts:Jobs:WatchdogSchedule"] = "every minute",
        }));
        Assert.Contains("Alerts:Jobs:WatchdogSchedule = 'every minute' is not a cron expression", error.ToString());
    }

    [Fact]
    public async Task The_hangfire_dashboard_opens_for_a_local_request_and_refuses_everyone_else()
    {
        using var redis = new RedisServer();
        await using var app = await AlertsApp.StartAsync(redis);
        async Task<(int Status, string Body)> GetAsync(string path, System.Net.IPAddress? remote, params (string Name, string Value)[] headers)
        {
            var context = await app.Server.SendAsync(c =>
            {
                c.Request.Method = "GET";
                c.Request.Path = path;
                c.Connection.RemoteIpAddress = remote;
                foreach (var (name, value) in headers)
                {
                    c.Request.Headers[name] = value;
                }
            });
            using var reader = new StreamReader(context.Response.Body);
            return (context.Response.StatusCode, await reader.ReadToEndAsync());
        }

        // The operator on this machine (the Aspire dashboard's link): the recurring jobs under their ids.
        var local = await GetAsync("/hangfire/recurring", System.Net.IPAddress.Loopback);
        Assert.Equal(StatusCodes.Status200OK, local.Status);
        Assert.Contains(RetentionJob.Id, local.Body);
        Assert.Contains(OutboxSweepJob.Id, local.Body);
        Assert.Contains(StaleDataWatchdogJob.Id, local.Body);
        Assert.Equal(StatusCodes.Status200OK, (await GetAsync("/hangfire", System.Net.IPAddress.IPv6Loopback)).Status);

        // Relayed by a proxy on this machine (what the Gateway would add if it ever forwarded the path): refused.
        Assert.Equal(StatusCodes.Status401Unauthorized, (await GetAsync("/hangfire", System.Net.IPAddress.Loopback, ("X-Forwarded-For", "203.0.113.7"))).Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await GetAsync("/hangfire/recurring", System.Net.IPAddress.Loopback, ("Forwarded", "for=203.0.113.7"))).Status);
        // From another machine, anonymous: refused; unknown address: refused.
        Assert.Equal(StatusCodes.Status401Unauthorized, (await GetAsync("/hangfire", System.Net.IPAddress.Parse("203.0.113.7"))).Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await GetAsync("/hangfire/recurring", null)).Status);
        // A signed-in user without the operator role: 403.
        var (time, signature) = new UserContextSigner(AlertsApp.SigningKey).Sign("user-1", "GET", "/hangfire", UserContextSigner.EmptyBodyDigest);
        Assert.Equal(StatusCodes.Status403Forbidden, (await GetAsync("/hangfire", System.Net.IPAddress.Parse("203.0.113.7"),
            (UserContextSigner.UserHeader, "user-1"), (UserContextSigner.TimeHeader, time), (UserContextSigner.SignatureHeader, signature))).Status);
    }
}
