using System.Globalization;
using Microsoft.Extensions.Logging;
using Scalpaiboard.AppHost.Health;
using Scalpaiboard.AppHost.Model;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Resources;

/// <summary>
/// A PostgreSQL server from the machine's binaries with its data folder kept between runs: initdb on the first
/// run (trust authentication, listening on 127.0.0.1 only), started as the postgres user when the AppHost runs
/// as root (the binaries refuse root), stopped with SIGINT (fast shutdown).
/// </summary>
public sealed partial class PostgresResource(string dataDirectory, int port, string database, ILogger logger)
{
    public const string OsUser = "postgres";

    public string DataDirectory { get; } = dataDirectory;

    public int Port { get; } = port;

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database}";

    public ResourceSpec ToSpec() => new()
    {
        Name = "postgres",
        Type = ResourceType.Executable,
        PrepareAsync = PrepareAsync,
        Health = new PostgresProbe(ConnectionString, ensureDatabase: database),
        Endpoints = [$"tcp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}"],
        StopSignal = Posix.SIGINT,
        StopTimeout = TimeSpan.FromSeconds(10),
        ShutdownOrder = 1,
    };

    public static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .FirstOrDefault();
            if (best is not null)
            {
                return Path.Combine(best, "bin");
            }
        }
        return Posix.Which("initdb") is { } initdb ? Path.GetDirectoryName(initdb) : null;
    }

    private string? RunAs => Posix.IsRoot ? OsUser : null;

    /// <summary>When running as root: whether the postgres user can enter <paramref name="folder"/> (every parent searchable).</summary>
    public static async Task<bool> OsUserCanReachAsync(string folder, CancellationToken cancellationToken)
    {
        if (!Posix.IsRoot)
        {
            return true;
        }
        var result = await CommandRunner.RunAsync("test", ["-x", folder], OsUser, cancellationToken: cancellationToken);
        return result.ExitCode == 0;
    }

    /// <summary>A folder under /var/lib for a data folder the postgres user cannot enter, one per data folder path.</summary>
    public static string FallbackDataDirectory(string dataPath)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataPath)))[..12];
        return Path.Combine("/var/lib/scalpaiboard", $"{Path.GetFileName(dataPath.TrimEnd('/'))}-{hash}", "postgres");
    }

    private async Task<LaunchSpec> PrepareAsync(CancellationToken cancellationToken)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql");
        await StopStalePostmasterAsync(cancellationToken);
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await InitializeAsync(bin, cancellationToken);
        }
        return new LaunchSpec(Path.Combine(bin, "postgres"),
        [
            "-D", DataDirectory,
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=",
            "-c", "max_connections=300",
        ],
        new Dictionary<string, string?>(), WorkingDirectory: DataDirectory, RunAsUser: RunAs);
    }

    private async Task InitializeAsync(string bin, CancellationToken cancellationToken)
    {
        LogInitializing(logger, DataDirectory);
        Directory.CreateDirectory(DataDirectory);
        if (RunAs is not null && Path.GetDirectoryName(DataDirectory) is { } parent)
        {
            // The parent must be searchable by the postgres user (a fallback folder under /var/lib is created here).
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        }
        if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new InvalidOperationException($"{DataDirectory} is not empty but holds no PostgreSQL data (no PG_VERSION); move it away.");
        }
        if (RunAs is not null)
        {
            await MustAsync(CommandRunner.RunAsync("chown", [$"{OsUser}:{OsUser}", DataDirectory], cancellationToken: cancellationToken), "chown");
            var access = await CommandRunner.RunAsync("test", ["-w", DataDirectory, "-a", "-x", DataDirectory], RunAs, cancellationToken: cancellationToken);
            if (access.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"The {OsUser} user cannot reach {DataDirectory} (a parent folder is not searchable by others). " +
                    "Choose a data folder it can reach with --data, e.g. --data /var/lib/scalpaiboard.");
            }
        }
        File.SetUnixFileMode(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var result = await CommandRunner.RunAsync(Path.Combine(bin, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions"],
            RunAs, workingDirectory: DataDirectory, cancellationToken: cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed ({result.ExitCode}): {result.Output.Trim()}");
        }
    }

    /// <summary>A postmaster still running on our data folder (an AppHost killed before the pid file was written) is stopped.</summary>
    private async Task StopStalePostmasterAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)
            || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !Posix.IsAlive(pid)
            || !IsPostgres(pid))
        {
            return;
        }
        LogStale(logger, pid);
        Posix.Signal(pid, Posix.SIGINT);
        for (var i = 0; i < 100 && Posix.IsAlive(pid); i++)
        {
            await Task.Delay(100, cancellationToken);
        }
        Posix.SignalGroup(pid, Posix.SIGKILL);
        Posix.Signal(pid, Posix.SIGKILL);
    }

    private static bool IsPostgres(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm").Trim() is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task MustAsync(Task<CommandRunner.Result> run, string what)
    {
        var result = await run;
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed ({result.ExitCode}): {result.Output.Trim()}");
        }
    }

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "First run: creating the PostgreSQL data folder {Folder}")]
    private static partial void LogInitializing(ILogger logger, string folder);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Stopping a PostgreSQL server (pid {Pid}) left running on our data folder")]
    private static partial void LogStale(ILogger logger, int pid);
}
