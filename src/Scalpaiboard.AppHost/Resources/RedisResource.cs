using System.Globalization;
using Scalpaiboard.AppHost.Health;
using Scalpaiboard.AppHost.Model;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Resources;

/// <summary>redis-server on 127.0.0.1 without persistence: Redis holds only what can be lost or recomputed.</summary>
public sealed class RedisResource(string workingDirectory, int port)
{
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
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", workingDirectory,
            ],
            new Dictionary<string, string?>(), workingDirectory));
        },
        Health = new RedisPingProbe("127.0.0.1", Port),
        Endpoints = [$"tcp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}"],
        StopSignal = Posix.SIGTERM,
        StopTimeout = TimeSpan.FromSeconds(3),
    };
}
