using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Services;

/// <summary>The consumer runs and keeps up: Degraded while it is restarting or entries wait longer than a minute.</summary>
public sealed class ConsumerHealthCheck(ConsumerState state) : IHealthCheck
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(60);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["consumer"] = state.ConsumerName,
            ["processed"] = Interlocked.Read(ref state.Processed),
            ["lagMs"] = (long)state.LastLag.TotalMilliseconds,
            ["caughtUp"] = state.CaughtUp,
        };
        if (!state.Running)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"consumer not running: {state.LastError ?? "starting"}", data: data));
        }
        if (!state.CaughtUp && state.LastLag > MaxLag)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"consumer lag {state.LastLag.TotalSeconds:0} s", data: data));
        }
        return Task.FromResult(HealthCheckResult.Healthy($"consumer lag {state.LastLag.TotalMilliseconds:0} ms", data));
    }
}

/// <summary>Degraded while some symbol has been silent for the stale-data threshold (feed time).</summary>
public sealed class FeedHealthCheck(FeedStore feed, IOptions<AlertsOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var j = options.Value.Jobs;
        var (_, stale) = await feed.StaleAsync(j.StaleAfterMinutes * 60_000L, j.ForgetAfterMinutes * 60_000L, cancellationToken);
        return stale.Count == 0
            ? HealthCheckResult.Healthy("no stale symbols")
            : HealthCheckResult.Degraded($"stale data: {string.Join(", ", stale.Take(20).Select(s => s.Symbol))}");
    }
}
