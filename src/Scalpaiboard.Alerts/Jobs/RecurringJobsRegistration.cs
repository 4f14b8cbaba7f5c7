using Hangfire;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Backtests;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Jobs;

/// <summary>
/// Puts the scheduled jobs into Hangfire's storage under stable ids at start-up (every replica does; AddOrUpdate of
/// the same id is idempotent), on the cron schedules of <c>Alerts:Jobs</c>, in UTC.
/// </summary>
public sealed class RecurringJobsRegistration(
    IRecurringJobManager recurringJobs, IOptions<AlertsOptions> options, IOptions<BacktestOptions> backtests) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var jobs = options.Value.Jobs;
        AddOrUpdate(nameof(jobs.RetentionSchedule), jobs.RetentionSchedule,
            () => recurringJobs.AddOrUpdate<RetentionJob>(RetentionJob.Id, job => job.RunAsync(CancellationToken.None), jobs.RetentionSchedule, Utc));
        AddOrUpdate(nameof(jobs.OutboxSweepSchedule), jobs.OutboxSweepSchedule,
            () => recurringJobs.AddOrUpdate<OutboxSweepJob>(OutboxSweepJob.Id, job => job.RunAsync(CancellationToken.None), jobs.OutboxSweepSchedule, Utc));
        AddOrUpdate(nameof(jobs.WatchdogSchedule), jobs.WatchdogSchedule,
            () => recurringJobs.AddOrUpdate<StaleDataWatchdogJob>(StaleDataWatchdogJob.Id, job => job.RunAsync(CancellationToken.None), jobs.WatchdogSchedule, Utc));
        var cleanup = backtests.Value.CleanupSchedule;
        AddOrUpdate("Backtests:CleanupSchedule", cleanup,
            () => recurringJobs.AddOrUpdate<BacktestCleanupJob>(BacktestCleanupJob.Id, job => job.RunAsync(CancellationToken.None), cleanup, Utc));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static readonly RecurringJobOptions Utc = new() { TimeZone = TimeZoneInfo.Utc };

    /// <summary>Hangfire parses the cron expression here; a bad one stops the service naming its key.</summary>
    private static void AddOrUpdate(string key, string cron, Action add)
    {
        try
        {
            add();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(
                $"{AlertsOptions.Section}:{(key.Contains(':', StringComparison.Ordinal) ? key : "Jobs:" + key)} = '{cron}' is not a cron expression (5 fields, or 6 with seconds first): {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }
}
