using System.Globalization;
using Scalpaiboard.AppHost.Health;
using Scalpaiboard.AppHost.Model;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Resources;

/// <summary>
/// redis-server on 127.0.0.1 with its append-only file in the data folder (fsync once a second, no RDB snapshots):
/// a crash or restart of Redis keeps the metrics stream, the Alerts consumer group and its pending entries, so a
/// metrics event that Alerts had not read yet is still read after the restart. Redis writes a command to the file
/// before it answers, so killing redis-server loses nothing; a crash of the machine can lose the last second.
/// </summary>
public sealed class RedisResource(string workingDirectory, int port)
{
    /// <summary>The folder of Redis's append-only file inside the AppHost's data folder.</summary>
    public static string DataDirectory(string dataPath) => Path.Combine(dataPath, "redis");

    public int Port { get; } = port;

    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static string? FindBinary() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists) ?? Posix.Which("redis-server");

    public ResourceSpec ToSpec() => new()
    {
        Name = "redis",
        Type = ResourceType.Executable,
        PrepareAsync = _ =>
        {
            var binary = FindBinary() ?? throw new InvalidOperationException("redis-server not found: apt-get install redis-server");
            Directory.CreateDirectory(workingDirectory);
            return Task.FromResult(new LaunchSpec(binary,
            [
                "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "no",
                "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--daemonize", "no", "--dir", workingDirectory,
            ],
            new Dictionary<string, string?>(), workingDirectory));
        },
        Health = new RedisPingProbe("127.0.0.1", Port),
        Endpoints = [$"tcp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}"],
        StopSignal = Posix.SIGTERM,
        StopTimeout = TimeSpan.FromSeconds(3),
    };
}
