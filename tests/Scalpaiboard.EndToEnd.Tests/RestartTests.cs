using Scalpaiboard.Testing;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>Supervision: a service killed with SIGKILL comes back on its own, with the stored data intact. Runs late: it disturbs the system.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(90)]
public sealed class RestartTests(SystemFixture system)
{
    [Fact]
    public async Task Killed_ingest_is_restarted_healthy_within_60_s_and_keeps_its_candles()
    {
        var before = (await system.ResourcesAsync()).Single(r => r.Name == "ingest");
        Assert.True(before.Pid is > 0, $"ingest has no pid: {before}");
        var candles = (long)(await system.FeedStatusAsync())["candlesIngested"]!;
        Assert.Equal(system.CandlesIngested, candles);

        // Started from its built assembly (`dotnet exec`), not by `dotnet run` with an MSBuild evaluation first.
        var commandLine = File.ReadAllText($"/proc/{before.Pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("exec", commandLine[1]);
        Assert.EndsWith("Scalpaiboard.Ingest.dll", commandLine[2]);

        // The service's process tree, as a crash (or e2e.py's kill -9) takes it.
        var (killed, resources) = await Supervision.KillAndAwaitRestartAsync(system, before, TimeSpan.FromSeconds(60));
        var now = resources.Single(r => r.Name == "ingest");
        Assert.True(now is { State: "Running", Health: "Healthy" } && now.Restarts >= before.Restarts + 1 && now.Pid != before.Pid,
            $"60 s after kill -9 of ingest (pid {before.Pid}, restarts {before.Restarts}): {now}");
        Assert.All(killed, pid => Assert.False(Posix.IsAlive(pid), $"the killed ingest pid {pid} is still alive"));

        // The restarted replay resumes after the newest stored candle: the count neither grows (duplicates) nor shrinks (loss).
        var status = await WaitFeedAsync();
        Assert.Equal("completed", (string?)status["state"]);
        Assert.Equal(system.Sample.RowCount, (long)status["candlesIngested"]!);
        var bars = await Api.GetAsync(system.Gateway, $"/api/coins/{system.Sample.Symbols[0]}/candles?timeframe=1h&limit=1000");
        Assert.Equal(system.Sample.Aggregate(system.Sample.Symbols[0], 60).Count, bars["candles"]!.AsArray().Count);
        Assert.True(SystemFixture.AllHealthy(await system.ResourcesAsync()), "not every resource is healthy after the restart");
    }

    private async Task<System.Text.Json.Nodes.JsonObject> WaitFeedAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = await system.FeedStatusAsync();
            if ((string?)status["state"] is "completed" or "failed" || DateTime.UtcNow > deadline)
            {
                return status;
            }
            await Task.Delay(500);
        }
    }
}

/// <summary>
/// Supervision of the servers: redis-server or PostgreSQL killed (an out-of-memory kill picks the biggest process)
/// comes back on its own, and the services with it, the stored data intact.
/// </summary>
[Collection(SystemCollection.Name)]
[RunOrder(95)]
public sealed class ServerRestartTests(SystemFixture system)
{
    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task A_killed_server_is_restarted_and_every_service_is_healthy_again(string name)
    {
        var before = (await system.ResourcesAsync()).Single(r => r.Name == name);
        Assert.True(before.Pid is > 0, $"{name} has no pid: {before}");
        var (_, now) = await Supervision.KillAndAwaitRestartAsync(system, before, TimeSpan.FromSeconds(90));
        var after = now.Single(r => r.Name == name);
        Assert.True(after is { State: "Running", Health: "Healthy" } && after.Restarts >= before.Restarts + 1 && after.Pid != before.Pid,
            $"90 s after kill -9 of {name} (pid {before.Pid}, restarts {before.Restarts}): {after}");
        Assert.True(SystemFixture.AllHealthy(now), $"not every resource is healthy again: {string.Join("; ", now)}");

        // Each service's first request may meet a pooled connection the restart broke: then a 503 with Retry-After
        // (never a 500), the pool is emptied, and the retry answers.
        var symbol = system.Sample.Symbols[0];
        foreach (var (method, path, body, ok) in new (HttpMethod, string, object?, int)[]
        {
            (HttpMethod.Get, $"/api/coins/{symbol}/candles?timeframe=1h&limit=10", null, 200),
            (HttpMethod.Get, "/api/signals?limit=1", null, 200),
            (HttpMethod.Post, "/api/auth/login", new { email = Api.NewEmail("nobody"), password = Api.Password }, 401),
        })
        {
            using var first = await system.Gateway.SendAsync(Api.Request(method, path, null, body));
            var raw = await first.Content.ReadAsStringAsync();
            if (first.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                Assert.True(first.Headers.RetryAfter is not null, $"{method} {path} -> 503 without Retry-After: {raw}");
                await Task.Delay(first.Headers.RetryAfter!.Delta ?? TimeSpan.FromSeconds(1));
                var (again, _, rawAgain) = await Api.SendAsync(system.Gateway, method, path, body: body);
                Assert.True(again == ok, $"{method} {path} after a 503 -> {again} {rawAgain}");
            }
            else
            {
                Assert.True((int)first.StatusCode == ok, $"{method} {path} -> {(int)first.StatusCode} {raw}");
            }
        }

        // The stored data survived: every candle of the replay, and the services answer from it.
        var status = await system.FeedStatusAsync();
        Assert.Equal(system.Sample.RowCount, (long)status["candlesIngested"]!);
        var bars = await Api.GetAsync(system.Gateway, $"/api/coins/{system.Sample.Symbols[0]}/candles?timeframe=1h&limit=1000");
        Assert.Equal(system.Sample.Aggregate(system.Sample.Symbols[0], 60).Count, bars["candles"]!.AsArray().Count);
    }
}

internal static class Supervision
{
    /// <summary>
    /// SIGKILLs the resource's process tree, as a crash takes it, then polls every second, up to
    /// <paramref name="timeout"/>, until the resource runs again under a new pid with a higher restart count and every
    /// resource is Running and Healthy. Returns the killed pids and the last states seen (the caller asserts on them).
    /// </summary>
    public static async Task<(IReadOnlyList<int> Killed, IReadOnlyList<ResourceState> Now)> KillAndAwaitRestartAsync(
        SystemFixture system, ResourceState before, TimeSpan timeout)
    {
        var killed = Posix.Tree(before.Pid!.Value);
        foreach (var pid in killed)
        {
            Posix.Kill(pid, Posix.SigKill);
        }
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<ResourceState> now = [];
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            now = await system.ResourcesAsync();
            var resource = now.Single(r => r.Name == before.Name);
            if (resource.Restarts >= before.Restarts + 1 && resource.Pid != before.Pid && SystemFixture.AllHealthy(now))
            {
                break;
            }
        }
        return (killed, now);
    }
}

/// <summary>The last test: stopping the AppHost stops everything it started (Ctrl+C of ./run.sh is checked by the acceptance run).</summary>
[Collection(SystemCollection.Name)]
[RunOrder(100)]
public sealed class ShutdownTests(SystemFixture system)
{
    [Fact]
    public async Task Stopping_the_apphost_leaves_no_process_behind()
    {
        var resources = (await system.ResourcesAsync()).Where(r => r.Pid is > 0).Select(r => r.Pid!.Value).ToList();
        Assert.Equal(SystemFixture.ResourceNames.Length, resources.Count);
        var pids = resources.SelectMany(Posix.Tree).Distinct().ToList();
        var left = await system.StopAsync();
        Assert.Empty(left);
        Assert.All(pids, pid => Assert.False(Posix.IsAlive(pid), $"resource pid {pid} alive after the AppHost stopped"));
        // Nor any other process working on its data folder (PostgreSQL's backends, redis-server).
        var users = Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: Path.GetFileName(d), CommandLine: ReadCommandLine(d)))
            .Where(p => p.Pid.All(char.IsAsciiDigit) && p.CommandLine.Contains(system.DataPath, StringComparison.Ordinal)
                && Posix.IsAlive(int.Parse(p.Pid, System.Globalization.CultureInfo.InvariantCulture)))
            .Select(p => $"{p.Pid}: {p.CommandLine}")
            .ToList();
        Assert.Empty(users);
    }

    private static string ReadCommandLine(string procDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDir, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
