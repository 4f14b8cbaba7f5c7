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

    /// <summary>
    /// The runner's threads' nice value on Linux (0 = as the rest of the service, 19 = lowest priority). A backtest keeps
    /// every core busy for seconds to minutes; at 10 the live paths (signals, the Gateway's fan-out, the candle writer)
    /// get a core when they need one, and the backtest still uses whatever is idle (docs/backtests.md).
    /// </summary>
    [Range(0, 19)]
    public int Niceness { get; set; } = 10;
}
