using System.Diagnostics;

namespace Scalpaiboard.Testing;

/// <summary>
/// A throwaway redis-server on a free port, without persistence unless asked for the AppHost's append-only file
/// (benchmarks that measure what the service meets). <see cref="Shared"/> is one per test run; tests that stop or
/// restart the server (reconnect tests) create their own instance.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly Lazy<RedisServer> SharedServer = new(() =>
    {
        var server = new RedisServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    private readonly string _folder;
    private readonly string? _password;
    private readonly bool _appendOnly;
    private Process? _process;

    public static RedisServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>StackExchange-style connection string: <c>127.0.0.1:port[,password=...]</c>.</summary>
    public string ConnectionString => _password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={_password}";

    /// <param name="password">requirepass, if any.</param>
    /// <param name="appendOnly">The AppHost's persistence: an append-only file fsynced once a second.</param>
    public RedisServer(string? password = null, bool appendOnly = false)
    {
        _password = password;
        _appendOnly = appendOnly;
        _folder = ServerProcess.NewFolder("redis");
        Port = ServerProcess.FreePort();
        Start();
    }

    /// <summary>A StackExchange.Redis connection of the test's own (it reconnects by itself when the server comes back).</summary>
    public Task<StackExchange.Redis.ConnectionMultiplexer> ConnectAsync() =>
        StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(ConnectionString + ",abortConnect=false");

    public bool IsRunning => _process is { HasExited: false };

    public void Start()
    {
        if (IsRunning)
        {
            return;
        }
        var psi = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        foreach (var a in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", _appendOnly ? "yes" : "no", "--appendfsync", "everysec", "--daemonize", "no", "--pidfile", Path.Combine(_folder, "redis.pid"),
            "--dir", _folder, "--protected-mode", "no",
        })
        {
            psi.ArgumentList.Add(a);
        }
        if (_password is not null)
        {
            psi.ArgumentList.Add("--requirepass");
            psi.ArgumentList.Add(_password);
        }
        _process = ServerLauncher.ForTestHost.Start(psi); // dies with the test host
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var p = _process;
        ServerProcess.WaitForPort(Port, TimeSpan.FromSeconds(30), () => !p.HasExited);
    }

    /// <summary>Kills the server at once (as a crash would).</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process = null;
    }

    /// <summary>Stops the server as an operator would (SIGTERM: Redis writes its append-only file and exits), and waits for it.</summary>
    public void Shutdown()
    {
        if (_process is { HasExited: false } p)
        {
            ServerProcess.Run("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                p.Kill(entireProcessTree: true);
            }
        }
        _process = null;
    }

    public void Restart()
    {
        Stop();
        Start();
    }

    public static string FindBinary()
    {
        foreach (var candidate in new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("redis-server not found: apt-get install redis-server");
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
