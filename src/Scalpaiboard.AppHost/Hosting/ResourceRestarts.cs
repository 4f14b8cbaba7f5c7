using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// Restarts a service process, or the PostgreSQL or Redis server, that exits without being asked to (a crash, kill -9,
/// an out-of-memory kill, which picks the biggest process: often a server), with back-off: 1 s, 2 s, 4 s ... up to
/// 30 s, back to 1 s once it has run for a minute. Aspire does not restart projects or executables on its own. The
/// restart goes through the resource's own start command, so the dashboard shows it, and the count is a property of
/// the resource (<c>scalpaiboard.restarts</c>). A stop from the dashboard is left alone.
/// </summary>
public sealed partial class ResourceRestarts(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    ILogger<ResourceRestarts> logger) : IDistributedApplicationEventingSubscriber
{
    public const string RestartsProperty = "scalpaiboard.restarts";

    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Tracked> tracked = [];

    public Task SubscribeAsync(IDistributedApplicationEventing eventing, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        if (executionContext.IsRunMode)
        {
            eventing.Subscribe<AfterResourcesCreatedEvent>((_, _) =>
            {
                _ = WatchAsync(lifetime.ApplicationStopping);
                return Task.CompletedTask;
            });
        }
        return Task.CompletedTask;
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (update.Resource is ProjectResource or PostgresServerResource or RedisServerResource)
                {
                    Observe(update, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void Observe(ResourceEvent update, CancellationToken stopping)
    {
        var state = update.Snapshot.State?.Text;
        if (!tracked.TryGetValue(update.ResourceId, out var entry))
        {
            tracked[update.ResourceId] = entry = new Tracked();
        }
        var previous = entry.State;
        entry.State = state;
        if (state == KnownResourceStates.Running && previous != KnownResourceStates.Running)
        {
            entry.RunningSince = DateTimeOffset.UtcNow;
            return;
        }
        var exited = state == KnownResourceStates.Exited || state == KnownResourceStates.Finished;
        if (!exited || previous != KnownResourceStates.Running || stopping.IsCancellationRequested)
        {
            // Running -> Stopping -> Exited is a stop someone asked for; anything else is not a crash of a running process.
            return;
        }
        var delay = DateTimeOffset.UtcNow - entry.RunningSince >= StableAfter
            ? TimeSpan.FromSeconds(1)
            : TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, Math.Max(entry.LastDelay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks)));
        entry.LastDelay = delay;
        entry.Restarts++;
        _ = RestartAsync(update, entry.Restarts, delay, stopping);
    }

    private async Task RestartAsync(ResourceEvent update, int restarts, TimeSpan delay, CancellationToken stopping)
    {
        var exitCode = update.Snapshot.ExitCode;
        LogCrashed(logger, update.ResourceId, exitCode, delay.TotalSeconds, restarts);
        resourceLogs.GetLogger(update.ResourceId).LogWarning(
            "Exited unexpectedly (exit code {ExitCode}); the AppHost restarts it in {Delay} s (restart {Restarts})",
            exitCode, delay.TotalSeconds, restarts);
        try
        {
            await Task.Delay(delay, stopping);
            await notifications.PublishUpdateAsync(update.Resource, update.ResourceId, s => s with
            {
                Properties = [.. s.Properties.Where(p => p.Name != RestartsProperty), new ResourcePropertySnapshot(RestartsProperty, restarts)],
            });
            var result = await commands.ExecuteCommandAsync(update.ResourceId, KnownResourceCommands.StartCommand, stopping);
            if (!result.Success)
            {
                LogRestartFailed(logger, update.ResourceId, result.Message);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private sealed class Tracked
    {
        public string? State { get; set; }
        public DateTimeOffset RunningSince { get; set; }
        public TimeSpan LastDelay { get; set; }
        public int Restarts { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} exited unexpectedly (exit code {ExitCode}); restarting it in {Delay} s (restart {Restarts})")]
    private static partial void LogCrashed(ILogger logger, string resource, int? exitCode, double delay, int restarts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restarting {Resource} failed: {Error}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string? error);
}
