using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Alerts.Model;

/// <summary>Configuration section <c>Alerts</c> (environment <c>Alerts__*</c>), validated at start-up.</summary>
public sealed class AlertsOptions : IValidatableObject
{
    public const string Section = "Alerts";

    /// <summary>Preset signal cooldown: after (symbol, type) fires at candle t, no new signal before t + cooldown.</summary>
    [Range(0, 10_080)]
    public int CooldownMinutes { get; set; } = 5;

    /// <summary>How long signals, triggers and finished outbox rows are kept (by candle time for signals).</summary>
    [Range(1, 10_000_000)]
    public int RetentionHours { get; set; } = 48;

    /// <summary>Per-user notification budget per hour; beyond it notifications are folded into a digest.</summary>
    [Range(1, 100_000)]
    public int MaxNotificationsPerHour { get; set; } = 30;

    /// <summary>Operator-wide targets that receive every preset signal.</summary>
    public List<WebhookTargetOptions> Webhooks { get; set; } = [];

    [Required]
    public ConsumerOptions Consumer { get; set; } = new();

    [Required]
    public DeliveryOptions Delivery { get; set; } = new();

    [Required]
    public JobOptions Jobs { get; set; } = new();

    /// <summary>Validates the nested sections too; errors name the full key (e.g. <c>Delivery:MaxAttempts</c>).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (prefix, section) in new (string, object)[] { ("Consumer", Consumer), ("Delivery", Delivery), ("Jobs", Jobs) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true);
            foreach (var r in results)
            {
                yield return new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{prefix}:{m}").ToArray());
            }
        }
        for (var i = 0; i < Webhooks.Count; i++)
        {
            var w = Webhooks[i];
            if (Notifications.WebhookKinds.Normalize(w.Kind) is Notifications.WebhookKinds.Email or Notifications.WebhookKinds.Push)
            {
                yield return new ValidationResult("e-mail and push channels are per user (settings), not operator webhooks", [$"Webhooks:{i}:Kind"]);
                continue;
            }
            if (string.IsNullOrWhiteSpace(w.Url) || !Uri.TryCreate(w.Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                yield return new ValidationResult("must be an absolute http(s) URL", [$"Webhooks:{i}:Url"]);
            }
            var kind = Notifications.WebhookKinds.Normalize(w.Kind);
            if (kind is null)
            {
                yield return new ValidationResult("must be generic, discord or telegram", [$"Webhooks:{i}:Kind"]);
            }
            else if (kind == Notifications.WebhookKinds.Telegram && (string.IsNullOrWhiteSpace(w.Secret) || string.IsNullOrWhiteSpace(w.ChatId)))
            {
                yield return new ValidationResult("a telegram target needs Secret (the bot token) and ChatId", [$"Webhooks:{i}:Secret"]);
            }
        }
    }
}

public sealed class WebhookTargetOptions
{
    public string? Url { get; set; }

    /// <summary><c>generic</c> (default), <c>discord</c> or <c>telegram</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>HMAC key for generic webhooks; the bot token for Telegram.</summary>
    public string? Secret { get; set; }

    public string? ChatId { get; set; }
}

public sealed class ConsumerOptions
{
    /// <summary>Entries read per XREADGROUP call.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 64;

    [Range(10, 60_000)]
    public int BlockMilliseconds { get; set; } = 1000;

    /// <summary>Entries pending longer than this on another (dead) consumer are claimed.</summary>
    [Range(1, 86_400)]
    public int ClaimIdleSeconds { get; set; } = 30;

    /// <summary>How often the consumer looks for idle entries of dead consumers.</summary>
    [Range(1, 86_400)]
    public int ClaimIntervalSeconds { get; set; } = 10;

    /// <summary>Consumer name; default machine name + process id.</summary>
    public string? Name { get; set; }
}

public sealed class DeliveryOptions
{
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    [Range(1, 3_600_000)]
    public int BaseDelayMilliseconds { get; set; } = 1000;

    [Range(1, 86_400)]
    public int MaxDelaySeconds { get; set; } = 300;

    [Range(1, 256)]
    public int Parallelism { get; set; } = 8;

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Length of a flood-control digest period (one digest per user and target per period).</summary>
    [Range(1, 86_400)]
    public int DigestIntervalSeconds { get; set; } = 3600;

    /// <summary>Telegram: minimum gap between messages to one chat, and the per-minute cap for groups.</summary>
    [Range(0, 60_000)]
    public int TelegramChatIntervalMilliseconds { get; set; } = 1000;

    [Range(1, 1000)]
    public int TelegramGroupPerMinute { get; set; } = 20;
}

public sealed class JobOptions
{
    // Hangfire cron schedules in UTC: 5 fields, or 6 with seconds first.

    /// <summary>Retention: every 10 minutes.</summary>
    [Required]
    public string RetentionSchedule { get; set; } = "*/10 * * * *";

    /// <summary>Outbox sweep and digests: every 5 seconds.</summary>
    [Required]
    public string OutboxSweepSchedule { get; set; } = "*/5 * * * * *";

    /// <summary>Stale-data watchdog: every 30 seconds.</summary>
    [Required]
    public string WatchdogSchedule { get; set; } = "*/30 * * * * *";

    /// <summary>How often each replica's Hangfire scheduler looks for due recurring jobs: at most the shortest schedule's period.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Hangfire.PostgreSql's <c>DistributedLockTimeout</c>: its locks are rows, not tied to a connection, so a process
    /// that dies holding one (kill -9, power loss) leaves it behind, and it is taken over only after this long. Every
    /// lock here is held for milliseconds to seconds (the schedulers, the jobs under [DisableConcurrentExecution]), so
    /// it must stay above the longest of those runs; the package's default is 10 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Hangfire.PostgreSql's <c>InvisibilityTimeout</c>, sliding: a running job's queue row is renewed every fifth of
    /// this, so a job whose process died (a backtest when the service was killed) is run again by the next worker
    /// after this long, instead of the package's default 30 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Hangfire workers per replica (jobs running at once, each with a PostgreSQL connection while it runs).</summary>
    [Range(1, 100)]
    public int Workers { get; set; } = 5;

    /// <summary>A symbol silent for this long in feed time (behind the newest candle of any symbol) is stale.</summary>
    [Range(1, 1440)]
    public int StaleAfterMinutes { get; set; } = 3;

    /// <summary>Symbols silent for longer than this (feed time) are considered gone (delisted), not stale.</summary>
    [Range(1, 100_000)]
    public int ForgetAfterMinutes { get; set; } = 1440;
}
