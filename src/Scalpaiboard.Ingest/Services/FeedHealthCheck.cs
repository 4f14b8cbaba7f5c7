using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

/// <summary>Unhealthy when the feed failed; Degraded when a real-time feed has stored nothing for too long.</summary>
public sealed class FeedHealthCheck(FeedStatus status, IOptions<IngestOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stale = TimeSpan.FromSeconds(options.Value.StaleAfterSeconds);
        var result = status.State switch
        {
            FeedStates.Failed => HealthCheckResult.Unhealthy($"feed {status.Feed} failed: {status.Error}"),
            FeedStates.Completed => HealthCheckResult.Healthy($"feed {status.Feed} completed: {status.CandlesIngested} candles"),
            FeedStates.Running when status.SinceProgress > stale && (status.RealTime || status.Feed == FeedKinds.Replay) =>
                HealthCheckResult.Degraded($"feed {status.Feed}: no candle stored for {status.SinceProgress.TotalSeconds:F0} s"),
            _ => HealthCheckResult.Healthy($"feed {status.Feed} {status.State}: {status.CandlesIngested} candles"),
        };
        return Task.FromResult(result);
    }
}
