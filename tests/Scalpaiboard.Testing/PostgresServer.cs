using System.Diagnostics;
using Npgsql;

namespace Scalpaiboard.Testing;

/// <summary>
/// A throwaway PostgreSQL server from the machine's binaries: initdb into a temp folder (as the postgres user
/// when running as root, since the binaries refuse root), trust auth, fsync off, on a free port.
/// Use <see cref="Shared"/> for one server per test run and <see cref="CreateDatabaseAsync"/> for isolation.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<PostgresServer> SharedServer = new(() =>
    {
        var server = new PostgresServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    private readonly Process _process;
    private readonly string _folder;
    private int _databases;

    public static PostgresServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>Connection string to the <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Timeout=15";

    public static string BinDirectory()
    {
        var root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (best is not null)
            {
                return best;
            }
        }
        throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: apt-get install postgresql");
    }

    public PostgresServer()
    {
        var bin = BinDirectory();
        _folder = ServerProcess.NewFolder("pg");
        var data = Path.Combine(_folder, "data");
        Port = ServerProcess.FreePort();
        if (ServerProcess.IsRoot)
        {
            ServerProcess.Run("chown", ["-R", "postgres:postgres", _folder]);
        }
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        _process = Start(Path.Combine(bin, "postgres"),
        [
            "-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", _folder,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=128MB",
        ]);
        ServerProcess.WaitForPort(Port, TimeSpan.FromSeconds(60), () => !_process.HasExited);
        WaitUntilAcceptingQueries();
    }

    private void WaitUntilAcceptingQueries()
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var conn = new NpgsqlConnection(ConnectionString + ";Pooling=false");
                conn.Open();
                return;
            }
            catch (NpgsqlException) when (sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 40)].ToLowerInvariant();
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    private static void Run(string file, string[] args)
    {
        if (ServerProcess.IsRoot)
        {
            ServerProcess.Run("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", file, .. args]);
        }
        else
        {
            ServerProcess.Run(file, args);
        }
    }

    private static Process Start(string file, string[] args)
    {
        var psi = ServerProcess.IsRoot ? new ProcessStartInfo("setpriv") : new ProcessStartInfo(file);
        if (ServerProcess.IsRoot)
        {
            foreach (var a in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", file })
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var p = ServerLauncher.ForTestHost.Start(psi); // dies with the test host
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGINT: PostgreSQL's fast shutdown.
                ServerProcess.Run("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (Exception)
        {
            // best effort at process exit
        }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
