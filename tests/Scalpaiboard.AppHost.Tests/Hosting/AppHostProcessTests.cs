using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using Scalpaiboard.AppHost.Hosting;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Tests.Hosting;

/// <summary>
/// The real AppHost as its own process (only postgres and redis, on a throwaway data folder): children die with a
/// SIGKILLed AppHost, the next run reuses the data folder (PostgreSQL's data and Redis's append-only file), a second AppHost on the same folder is refused, and
/// SIGINT stops everything.
/// </summary>
public sealed class AppHostProcessTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "apphost-test-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<Process> _launched = [];

    public AppHostProcessTests() => Directory.CreateDirectory(_data);

    public void Dispose()
    {
        // A failed assertion must not leave an AppHost (and its servers) running.
        foreach (var process in _launched.Where(p => !p.HasExited))
        {
            Posix.Signal(process.Id, Posix.SIGTERM);
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        _http.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [Fact]
    public async Task KilledAppHost_TakesItsChildrenAlong_AndTheNextRunReusesTheDataFolder()
    {
        var first = Launch(out var port1);
        var resources = await WaitAllHealthy(first, port1);
        Assert.Equal(["postgres", "redis"], resources.Keys.Order());
        var pids = resources.Values.Select(r => r.GetProperty("pid").GetInt32()).ToList();
        // An entry in Redis before the kill: its append-only file (fsynced every second) keeps it across the SIGKILL.
        var redisPort = new Uri(resources["redis"].GetProperty("endpoints")[0].GetString()!).Port;
        Assert.StartsWith("$", await RedisAsync(redisPort, "XADD", "apphost-test", "*", "minute", "1"), StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var postgresPid = resources["postgres"].GetProperty("pid").GetInt32();
        pids.AddRange(ChildrenOf(postgresPid));
        Assert.True(pids.Count >= 3, "postgres should have background processes");

        first.Process.Kill();
        await first.Process.WaitForExitAsync();

        Assert.True(await TestResources.GoneWithin(pids, TimeSpan.FromSeconds(20)),
            "children survived the SIGKILLed AppHost: " + string.Join(",", pids.Where(TestResources.Alive)));

        var second = Launch(out var port2);
        resources = await WaitAllHealthy(second, port2);
        Assert.DoesNotContain("First run", second.Output.ToString(), StringComparison.Ordinal);
        var postgres = resources["postgres"].GetProperty("endpoints")[0].GetString()!;
        await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={new Uri(postgres).Port};Username=postgres;Database=scalpaiboard;Pooling=false"))
        {
            await connection.OpenAsync();
        }

        redisPort = new Uri(resources["redis"].GetProperty("endpoints")[0].GetString()!).Port;
        Assert.Equal(":1\r\n", await RedisAsync(redisPort, "XLEN", "apphost-test"));

        var rival = Launch(out _);
        Assert.True(rival.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        rival.Process.WaitForExit(); // drains the redirected output
        Assert.Equal(1, rival.Process.ExitCode);
        Assert.Contains("Another AppHost is running", rival.Output.ToString(), StringComparison.Ordinal);

        var secondPids = resources.Values.Select(r => r.GetProperty("pid").GetInt32()).ToList();
        Posix.Signal(second.Process.Id, Posix.SIGINT);
        Assert.True(second.Process.WaitForExit(TimeSpan.FromSeconds(30)), "AppHost did not exit within 30 s of SIGINT");
        second.Process.WaitForExit(); // drains the redirected output
        Assert.Equal(0, second.Process.ExitCode);
        Assert.True(await TestResources.GoneWithin(secondPids, TimeSpan.FromSeconds(1)));
        Assert.Contains("received fast shutdown request", second.Output.ToString(), StringComparison.Ordinal);
    }

    private sealed record Running(Process Process, StringBuilder Output);

    /// <summary>One command over a plain socket (this project has no Redis client): the reply's raw text.</summary>
    private static async Task<string> RedisAsync(int port, params string[] args)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        var stream = socket.GetStream();
        var command = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            command.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()));
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private Running Launch(out int dashboardPort)
    {
        dashboardPort = ScalpaiboardModel.FreePort();
        var dll = typeof(Supervisor).Assembly.Location;
        var psi = new ProcessStartInfo(ScalpaiboardModel.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var arg in new[] { dll, "--only", "postgres,redis", "--data", _data, "--dashboard-port", dashboardPort.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment.Remove("ConnectionStrings__postgres");
        psi.Environment.Remove("ConnectionStrings__redis");
        var output = new StringBuilder();
        var process = Process.Start(psi)!;
        _launched.Add(process);
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Running(process, output);
    }

    private async Task<Dictionary<string, JsonElement>> WaitAllHealthy(Running host, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(host.Process.HasExited, "AppHost exited: " + host.Output);
            try
            {
                using var doc = JsonDocument.Parse(await _http.GetStringAsync($"http://127.0.0.1:{port}/api/resources"));
                var all = doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.Clone());
                if (all.Count > 0 && all.Values.All(r => r.GetProperty("state").GetString() == "Running" && r.GetProperty("health").GetString() == "Healthy"))
                {
                    return all;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        host.Process.Kill(entireProcessTree: true);
        Assert.Fail("AppHost resources not healthy within 90 s: " + host.Output);
        return [];
    }

    private static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }
        return children;
    }
}
