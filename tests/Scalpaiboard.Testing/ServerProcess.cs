using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Scalpaiboard.Testing;

/// <summary>Helpers for starting the machine's server binaries (PostgreSQL, redis-server) from tests.</summary>
public static class ServerProcess
{
    /// <summary>Root of all throwaway server folders; each run's folder carries the test host's pid.</summary>
    public static readonly string Root = Path.Combine(Path.GetTempPath(), "scalpaiboard-tests");

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A free port on 127.0.0.1 never handed out before in this test host: a server a test stops and starts again
    /// keeps its port, and another test must not pick it up in between (it would answer in its place).
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    /// <summary>A folder for one server of this test host; folders of dead test hosts are cleaned up first.</summary>
    public static string NewFolder(string kind)
    {
        Directory.CreateDirectory(Root);
        ReapOrphans();
        var dir = Path.Combine(Root, $"{Environment.ProcessId}-{kind}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Stops servers left behind by test hosts that died without cleaning up (kill -9, crash).</summary>
    private static void ReapOrphans()
    {
        foreach (var dir in Directory.GetDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            var dash = name.IndexOf('-');
            if (dash <= 0 || !int.TryParse(name[..dash], out var owner) || Posix.IsAlive(owner))
            {
                continue;
            }
            foreach (var pidFile in new[] { "data/postmaster.pid", "redis.pid" })
            {
                var path = Path.Combine(dir, pidFile);
                if (File.Exists(path) && int.TryParse(File.ReadLines(path).FirstOrDefault(), out var pid) && Posix.IsAlive(pid))
                {
                    try { Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (Exception) { /* already gone */ }
                }
            }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Runs a command to completion, returning its combined output; throws on a non-zero exit.</summary>
    public static string Run(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish");
        }
        var output = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', psi.ArgumentList)} exited {p.ExitCode}: {output}");
        }
        return output;
    }

    /// <summary>
    /// Starts <paramref name="psi"/> (its output redirected here) and waits for it to exit on its own: the exit code and
    /// everything it wrote. Still running after <paramref name="timeout"/>: killed, and a <see cref="TimeoutException"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(ProcessStartInfo psi, TimeSpan timeout)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} kept running for {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Waits until a TCP port on 127.0.0.1 accepts connections.</summary>
    public static void WaitForPort(int port, TimeSpan timeout, Func<bool>? stillRunning = null)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (stillRunning is not null && !stillRunning())
            {
                throw new InvalidOperationException($"Server for port {port} exited during start-up.");
            }
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} within {timeout}.");
    }
}
