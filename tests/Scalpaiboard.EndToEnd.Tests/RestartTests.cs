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
        var killed = Posix.Tree(before.Pid!.Value);
        foreach (var pid in killed)
        {
            Posix.Kill(pid, Posix.SigKill);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ResourceState? now = null;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            now = (await system.ResourcesAsync()).Single(r => r.Name == "ingest");
            if (now.Restarts >= before.Restarts + 1 && now.State == "Running" && now.Health == "Healthy" && now.Pid != before.Pid)
            {
                break;
            }
        }
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
