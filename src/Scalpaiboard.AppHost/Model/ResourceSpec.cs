using Scalpaiboard.AppHost.Health;

namespace Scalpaiboard.AppHost.Model;

public enum ResourceType
{
    Project,
    Executable,
}

public enum ResourceState
{
    Starting,
    Running,
    Exited,
    Failed,
    Stopped,
}

public enum HealthStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>How to start one process: the command, its arguments, environment and working folder.</summary>
/// <param name="RunAsUser">When the AppHost runs as root, start the process as this user (PostgreSQL refuses root).</param>
public sealed record LaunchSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string?> Environment,
    string? WorkingDirectory = null,
    string? RunAsUser = null);

/// <summary>
/// One resource of the application model, in Aspire's sense: a process the AppHost starts and supervises
/// (or, when <see cref="PrepareAsync"/> is null, an external server it only probes).
/// </summary>
public sealed record ResourceSpec
{
    public required string Name { get; init; }

    public required ResourceType Type { get; init; }

    /// <summary>Builds the launch (and does first-run work such as initdb) right before each start; null for an external resource.</summary>
    public Func<CancellationToken, Task<LaunchSpec>>? PrepareAsync { get; init; }

    /// <summary>Resources that must be Running and Healthy before this one starts (Aspire's WaitFor).</summary>
    public IReadOnlyList<string> WaitFor { get; init; } = [];

    public IHealthProbe? Health { get; init; }

    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>The signal that asks the process to stop gracefully (PostgreSQL: SIGINT, its fast shutdown).</summary>
    public int StopSignal { get; init; } = Supervision.Posix.SIGTERM;

    /// <summary>How long a graceful stop may take before the process group is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Among resources that nothing running depends on, lower values stop first (PostgreSQL stops last).</summary>
    public int ShutdownOrder { get; init; }

    public bool IsExternal => PrepareAsync is null;
}

/// <summary>What the dashboard and <c>GET /api/resources</c> show for one resource.</summary>
public sealed record ResourceSnapshot(
    string Name,
    string Type,
    string State,
    string Health,
    int? Pid,
    int Restarts,
    IReadOnlyList<string> Endpoints,
    DateTimeOffset? StartedAt,
    double? UptimeSeconds,
    int? ExitCode,
    string? Detail,
    IReadOnlyList<string> WaitFor,
    bool External);
