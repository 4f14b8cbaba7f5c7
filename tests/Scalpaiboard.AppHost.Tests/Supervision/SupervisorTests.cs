using System.Globalization;
using Scalpaiboard.AppHost.Supervision;
using static Scalpaiboard.AppHost.Tests.TestResources;

namespace Scalpaiboard.AppHost.Tests.Supervision;

public sealed class SupervisorTests : IDisposable
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(2) };

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task CrashingProcess_IsRestartedWithGrowingBackoff_AndRestartsAreCounted()
    {
        await using var supervisor = Supervisor(Shell("crasher", "exit 3"));
        supervisor.Start();

        var failed = await WaitFor(supervisor, "crasher", s => s.State == "Failed");
        Assert.Equal(3, failed.ExitCode);
        await WaitFor(supervisor, "crasher", s => s.Restarts >= 4);

        var lines = supervisor.Find("crasher")!.Logs.Tail(1000).Where(l => l.Stream == "system").Select(l => l.Text).ToList();
        Assert.Contains("exited with code 3", string.Join('\n', lines), StringComparison.Ordinal);
        var delays = lines.Where(l => l.StartsWith("restarting in ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture)).Take(4).ToList();
        // FastOptions: base 0.1 s doubling, capped at 1 s.
        Assert.Equal([0.1, 0.2, 0.4, 0.8], delays);
    }

    [Fact]
    public async Task CrashedProcess_ThatWasKilled_ComesBackWithANewPid()
    {
        await using var supervisor = Supervisor(Shell("sleeper", "exec sleep 600"));
        supervisor.Start();
        var first = await WaitFor(supervisor, "sleeper", s => s.State == "Running" && s.Pid is not null);

        Posix.Signal(first.Pid!.Value, Posix.SIGKILL);

        var second = await WaitFor(supervisor, "sleeper", s => s.State == "Running" && s.Pid is not null && s.Pid != first.Pid);
        Assert.Equal(1, second.Restarts);
        Assert.False(Alive(first.Pid.Value));
    }

    [Fact]
    public async Task Health_FollowsTheHealthEndpoint_HealthyUnhealthyHealthy()
    {
        var (spec, folder) = HttpServer("web", _client, healthy: true);
        await using var supervisor = Supervisor(spec);
        supervisor.Start();

        await WaitFor(supervisor, "web", s => s is { State: "Running", Health: "Healthy" });
        File.Delete(Path.Combine(folder, "health"));
        await WaitFor(supervisor, "web", s => s is { State: "Running", Health: "Unhealthy" });
        File.WriteAllText(Path.Combine(folder, "health"), "ok");
        var back = await WaitFor(supervisor, "web", s => s is { State: "Running", Health: "Healthy" });
        Assert.Equal(0, back.Restarts);
    }

    [Fact]
    public async Task Dependent_StartsOnlyAfterItsDependencyIsHealthy()
    {
        var (dependency, folder) = HttpServer("db", _client, healthy: false);
        await using var supervisor = Supervisor(dependency, Shell("app", "exec sleep 600", waitFor: ["db"]));
        supervisor.Start();

        await WaitFor(supervisor, "db", s => s is { State: "Running", Health: "Unhealthy" });
        await Task.Delay(500);
        var waiting = supervisor.Find("app")!.Snapshot();
        Assert.Equal("Starting", waiting.State);
        Assert.Null(waiting.Pid);
        Assert.Equal("waiting for db", waiting.Detail);

        File.WriteAllText(Path.Combine(folder, "health"), "ok");
        var running = await WaitFor(supervisor, "app", s => s.State == "Running");
        Assert.NotNull(running.Pid);
    }

    [Fact]
    public async Task Stop_EndsEveryProcess_IncludingOnesIgnoringSigterm_AndTheirChildren()
    {
        await using var supervisor = Supervisor(
            Shell("polite", "exec sleep 600"),
            // Ignores SIGTERM and has a child of its own: must be killed, group and all, after the stop timeout.
            Shell("stubborn", "trap '' TERM; sleep 600 & echo child $!; wait", stopTimeout: TimeSpan.FromSeconds(1)));
        supervisor.Start();
        var polite = await WaitFor(supervisor, "polite", s => s.State == "Running");
        var stubborn = await WaitFor(supervisor, "stubborn", s => s.State == "Running");
        var childLine = await WaitForLine(supervisor, "stubborn", "child ");
        var grandchild = int.Parse(childLine["child ".Length..], CultureInfo.InvariantCulture);
        int[] pids = [polite.Pid!.Value, stubborn.Pid!.Value, grandchild];
        Assert.All(pids, pid => Assert.True(Alive(pid)));

        await supervisor.StopAsync();

        Assert.True(await GoneWithin(pids, TimeSpan.FromSeconds(2)), "a process survived the supervisor's stop");
        Assert.All(supervisor.Snapshot(), s => Assert.Equal("Stopped", s.State));
    }

    [Fact]
    public async Task Stop_OfATierChainThatIgnoresSigterm_IsBoundedByTheShutdownTimeout()
    {
        const string stubborn = "trap '' TERM; echo ready; while true; do sleep 1; done";
        await using var supervisor = new Supervisor(
            [
                Shell("a", stubborn, stopTimeout: TimeSpan.FromSeconds(30)),
                Shell("b", stubborn, waitFor: ["a"], stopTimeout: TimeSpan.FromSeconds(30)),
                Shell("c", stubborn, waitFor: ["b"], stopTimeout: TimeSpan.FromSeconds(30)),
            ],
            FastOptions with { ShutdownTimeout = TimeSpan.FromSeconds(3) },
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        supervisor.Start();
        var pids = new List<int>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            pids.Add((await WaitFor(supervisor, name, s => s.State == "Running")).Pid!.Value);
            await WaitForLine(supervisor, name, "ready");
        }

        // Three tiers each willing to wait 30 s: the shutdown budget (3 s, at least 1 s a tier) wins.
        await supervisor.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(await GoneWithin(pids, TimeSpan.FromSeconds(1)));
        Assert.All(["a", "b", "c"], name => Assert.Contains(supervisor.Find(name)!.Logs.Tail(50), l => l.Text.Contains("killing", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StopStartRestart_Commands_ChangeStateAndCountRestarts()
    {
        await using var supervisor = Supervisor(Shell("svc", "exec sleep 600"));
        supervisor.Start();
        var first = await WaitFor(supervisor, "svc", s => s.State == "Running");

        Assert.True(supervisor.StopResource("svc"));
        await WaitFor(supervisor, "svc", s => s.State == "Stopped");
        Assert.True(await GoneWithin([first.Pid!.Value], TimeSpan.FromSeconds(2)));
        await Task.Delay(400);
        Assert.Equal("Stopped", supervisor.Find("svc")!.Snapshot().State);

        Assert.True(supervisor.StartResource("svc"));
        var second = await WaitFor(supervisor, "svc", s => s.State == "Running");
        Assert.True(supervisor.RestartResource("svc"));
        var third = await WaitFor(supervisor, "svc", s => s.State == "Running" && s.Pid != second.Pid);
        Assert.Equal(1, third.Restarts);
        Assert.False(Alive(second.Pid!.Value));
    }

    [Fact]
    public void ShutdownTiers_StopDependentsFirst_AndPostgresLast()
    {
        var supervisor = Supervisor(
            Shell("postgres", "true") with { ShutdownOrder = 1 },
            Shell("redis", "true"),
            Shell("ingest", "true", waitFor: ["postgres", "redis"]),
            Shell("gateway", "true", waitFor: ["ingest"]),
            Shell("web", "true", waitFor: ["gateway"]));

        var tiers = supervisor.ShutdownTiers().Select(t => string.Join(",", t.Select(r => r.Name).Order())).ToList();

        Assert.Equal(["web", "gateway", "ingest", "redis", "postgres"], tiers);
    }

    private static async Task<string> WaitForLine(Supervisor supervisor, string name, string prefix)
    {
        for (var i = 0; i < 200; i++)
        {
            var line = supervisor.Find(name)!.Logs.Tail(100).FirstOrDefault(l => l.Text.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line.Text;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{name} never printed '{prefix}'");
    }
}
