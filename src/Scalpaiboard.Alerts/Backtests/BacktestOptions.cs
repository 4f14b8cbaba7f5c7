using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Alerts.Backtests;

/// <summary>Configuration section <c>Alerts:Backtests</c> (environment <c>Alerts__Backtests__*</c>), validated at start-up.</summary>
public sealed class BacktestOptions
{
    public const string Section = "Alerts:Backtests";

    /// <summary>Finished backtests (statistics, equity curve, trades) are deleted this long after they finished.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Backtests kept per user: starting one more deletes the user's oldest finished ones.</summary>
    [Range(1, 10_000)]
    public int MaxStoredPerUser { get; set; } = 50;

    /// <summary>Hangfire cron schedule (UTC) of the cleanup job: hourly.</summary>
    [Required]
    public string CleanupSchedule { get; set; } = "7 * * * *";

    /// <summary>How often a running backtest writes its progress and looks whether it was cancelled.</summary>
    [Range(50, 60_000)]
    public int ProgressIntervalMilliseconds { get; set; } = 500;

    /// <summary>Workers of the runner (symbols run at once); default one per core.</summary>
    [Range(1, 256)]
    public int? Parallelism { get; set; }
}
