namespace Scalpaiboard.Alerts.Model;

public sealed record WebhookRequest(long? Id, string? Kind, string? Url, string? Secret, string? ChatId, string? Name, bool? Enabled);

public sealed record NotificationSwitches(bool PresetSignals, bool UserAlerts);

public sealed record SettingsRequest(
    IReadOnlyList<string>? PresetSubscriptions,
    IReadOnlyList<string>? SymbolFilter,
    IReadOnlyList<WebhookRequest>? Webhooks,
    NotificationSwitchesRequest? Notifications,
    int? MaxNotificationsPerHour);

public sealed record NotificationSwitchesRequest(bool? PresetSignals, bool? UserAlerts);

/// <summary>
/// A user's webhook as shown back: the secret is never returned, only whether one is set. <see cref="Confirmed"/>:
/// for an e-mail channel, whether its address was confirmed (null for other kinds).
/// </summary>
public sealed record WebhookDto(long Id, string Kind, string Url, bool HasSecret, string? ChatId, string Name, bool Enabled, bool? Confirmed = null);

/// <summary>The answer of the e-mail confirmation link.</summary>
public sealed record EmailConfirmationResult(string Address, bool Confirmed);

public sealed record SettingsDto(
    IReadOnlyList<string> PresetSubscriptions,
    IReadOnlyList<string> SymbolFilter,
    IReadOnlyList<WebhookDto> Webhooks,
    NotificationSwitches Notifications,
    int MaxNotificationsPerHour);

/// <summary>Send-test body: a stored webhook by id, or an ad-hoc target.</summary>
public sealed record WebhookTestRequest(long? WebhookId, string? Kind, string? Url, string? Secret, string? ChatId);

public sealed record WebhookTestResult(bool Ok, int? StatusCode, string? Error, long DurationMs);

public sealed record NotificationDto(
    long Id,
    string Target,
    long? WebhookId,
    string Kind,
    string MessageKind,
    string MessageId,
    long? RefId,
    string Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt);

public sealed record NotificationList(IReadOnlyList<NotificationDto> Notifications);
