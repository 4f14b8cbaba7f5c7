using Microsoft.Extensions.Logging.Abstractions;
using Scalpaiboard.AppHost.Health;
using Scalpaiboard.AppHost.Model;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Tests;

/// <summary>Small real child processes for supervisor tests, and polling helpers.</summary>
internal static class TestResources
{
    public static SupervisorOptions FastOptions { get; } = new()
    {
        Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)),
        HealthInterval = TimeSpan.FromMilliseconds(200),
        StartupProbeInterval = TimeSpan.FromMilliseconds(100),
        ProbeTimeout = TimeSpan.FromSeconds(2),
    };

    public static ResourceSpec Shell(string name, string script, IHealthProbe? health = null, IReadOnlyList<string>? waitFor = null,
        TimeSpan? stopTimeout = null) => new()
    {
        Name = name,
        Type = ResourceType.Executable,
        PrepareAsync = _ => Task.FromResult(new LaunchSpec("/bin/sh", ["-c", script], new Dictionary<string, string?>())),
        Health = health,
        WaitFor = waitFor ?? [],
        StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(5),
    };

    /// <summary>python3's http.server over a folder: GET /health is 200 while the folder holds a file named "health", else 404.</summary>
    public static (ResourceSpec Spec, string Folder) HttpServer(string name, HttpClient client, bool healthy, IReadOnlyList<string>? waitFor = null)
    {
        var folder = Directory.CreateTempSubdirectory("apphost-http-").FullName;
        if (healthy)
        {
            File.WriteAllText(Path.Combine(folder, "health"), "ok");
        }
        var port = Scalpaiboard.AppHost.Hosting.ScalpaiboardModel.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var spec = new ResourceSpec
        {
            Name = name,
            Type = ResourceType.Executable,
            PrepareAsync = _ => Task.FromResult(new LaunchSpec("python3",
                ["-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", folder],
                new Dictionary<string, string?>())),
            Health = new HttpHealthProbe(client, new Uri(url + "/health")),
            Endpoints = [url],
            WaitFor = waitFor ?? [],
        };
        return (spec, folder);
    }

    public static Supervisor Supervisor(params ResourceSpec[] specs) =>
        new(specs, FastOptions, NullLoggerFactory.Instance);

    /// <summary>Polls until the condition holds; fails the test with the last snapshot after the timeout.</summary>
    public static async Task<ResourceSnapshot> WaitFor(Supervisor supervisor, string name, Func<ResourceSnapshot, bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        ResourceSnapshot snapshot;
        while (true)
        {
            snapshot = supervisor.Find(name)!.Snapshot();
            if (condition(snapshot))
            {
                return snapshot;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{name} did not reach the expected state in {seconds} s; last: {snapshot}");
            }
            await Task.Delay(50);
        }
    }

    public static bool Alive(int pid) => Posix.IsAlive(pid);

    public static async Task<bool> GoneWithin(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (pids.Any(Alive))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(100);
        }
        return true;
    }
}
