using Microsoft.Extensions.Logging;
using Scalpaiboard.AppHost.Model;

namespace Scalpaiboard.AppHost.Supervision;

public sealed record SupervisorOptions
{
    public RestartBackoff Backoff { get; init; } = RestartBackoff.Default;

    /// <summary>Health probe period for a resource that has been healthy.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Probe period until a freshly started resource is first healthy (dependents start sooner).</summary>
    public TimeSpan StartupProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public int LogCapacity { get; init; } = 5000;

    /// <summary>
    /// Upper bound for a whole shutdown: each tier of resources gets at most its fair share of what is left
    /// (and never more than its own stop timeout) before its processes are killed.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Where the pid file of running children is kept (null: none).</summary>
    public string? PidFile { get; init; }
}

/// <summary>
/// Supervises the resources of an application model: starts each after its WaitFor resources are healthy,
/// restarts crashed ones with backoff, and on shutdown stops them in reverse dependency order.
/// </summary>
public sealed partial class Supervisor : IAsyncDisposable
{
    private readonly Dictionary<string, ResourceRunner> _byName;
    private readonly ILogger _logger;
    private int _started;
    private Task? _shutdown;

    public Supervisor(IEnumerable<ResourceSpec> specs, SupervisorOptions options, ILoggerFactory loggerFactory,
        ConsoleLogSink? console = null, TimeProvider? time = null)
    {
        Options = options;
        Console = console;
        Time = time ?? TimeProvider.System;
        Processes = new ProcessRegistry(options.PidFile);
        _logger = loggerFactory.CreateLogger<Supervisor>();
        var runnerLogger = loggerFactory.CreateLogger<ResourceRunner>();
        Resources = specs.Select(s => new ResourceRunner(s, this, runnerLogger)).ToList();
        _byName = Resources.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var runner in Resources)
        {
            foreach (var dependency in runner.Spec.WaitFor)
            {
                if (!_byName.ContainsKey(dependency))
                {
                    throw new ArgumentException($"{runner.Name} waits for unknown resource {dependency}.", nameof(specs));
                }
            }
        }
    }

    public SupervisorOptions Options { get; }

    public TimeProvider Time { get; }

    internal ConsoleLogSink? Console { get; }

    internal ProcessRegistry Processes { get; }

    public IReadOnlyList<ResourceRunner> Resources { get; }

    public ResourceRunner? Find(string name) => _byName.GetValueOrDefault(name);

    public bool IsReady(string name) => _byName.TryGetValue(name, out var runner) && runner.IsReady;

    public IReadOnlyList<ResourceSnapshot> Snapshot() => Resources.Select(r => r.Snapshot()).ToList();

    /// <summary>Begins supervising: every resource starts as soon as its dependencies are healthy.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }
        foreach (var runner in Resources)
        {
            runner.Begin(autoStart: true);
        }
    }

    public bool StartResource(string name) => Find(name)?.Send(ResourceCommand.Start) ?? false;

    public bool StopResource(string name) => Find(name)?.Send(ResourceCommand.Stop) ?? false;

    public bool RestartResource(string name) => Find(name)?.Send(ResourceCommand.Restart) ?? false;

    /// <summary>Stops everything: dependents before what they depend on, each gracefully, then killed after its timeout.</summary>
    public Task StopAsync()
    {
        lock (_byName)
        {
            return _shutdown ??= StopInOrderAsync();
        }
    }

    private async Task StopInOrderAsync()
    {
        var tiers = ShutdownTiers().ToList();
        var deadline = Time.GetUtcNow() + Options.ShutdownTimeout;
        for (var i = 0; i < tiers.Count; i++)
        {
            var share = (deadline - Time.GetUtcNow()) / (tiers.Count - i);
            var grace = share < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : share;
            LogStopping(_logger, string.Join(", ", tiers[i].Select(r => r.Name)));
            await Task.WhenAll(tiers[i].Select(r => r.ShutdownAsync(grace)));
        }
    }

    /// <summary>Groups of resources that can stop together, in order.</summary>
    internal IEnumerable<IReadOnlyList<ResourceRunner>> ShutdownTiers()
    {
        var remaining = Resources.ToList();
        while (remaining.Count > 0)
        {
            var free = remaining.Where(r => !remaining.Any(o => o != r && o.Spec.WaitFor.Contains(r.Name, StringComparer.OrdinalIgnoreCase))).ToList();
            if (free.Count == 0)
            {
                free = remaining;
            }
            var order = free.Min(r => r.Spec.ShutdownOrder);
            var tier = free.Where(r => r.Spec.ShutdownOrder == order).ToList();
            yield return tier;
            remaining = remaining.Except(tier).ToList();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Stopping {Resources}")]
    private static partial void LogStopping(ILogger logger, string resources);
}
