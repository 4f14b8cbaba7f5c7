using System.Text.Json;

namespace Scalpaiboard.Alerts.Model;

/// <summary>Create/update body. <c>conditions</c> stays raw JSON so a wrong kind (a string value) is a named 400, not a crash.</summary>
public sealed record AlertRequest(
    string? Symbol,
    JsonElement Conditions,
    bool? Recurring,
    int? CooldownMinutes,
    string? Note,
    bool? Enabled);

/// <summary>
/// A validated condition in its canonical wire form, as stored (JSON column) and returned. <c>side</c> is set for
/// liquidations_above only (conditions stored before it existed read back with null).
/// </summary>
public sealed record AlertConditionDto(string Type, double? Value, string? Window, string? Direction, string? Side = null);

public sealed record AlertDto(
    long Id,
    string Symbol,
    IReadOnlyList<AlertConditionDto> Conditions,
    bool Recurring,
    int CooldownMinutes,
    string Note,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long? LastTriggeredOpenTime,
    DateTimeOffset? LastTriggeredAt,
    int TriggerCount);

public sealed record AlertList(IReadOnlyList<AlertDto> Alerts);

public sealed record DeliveryDto(long Id, string Target, string Kind, string Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt);

public sealed record AlertTriggerDto(
    long Id,
    long AlertId,
    string Symbol,
    long OpenTime,
    DateTimeOffset Time,
    double? Price,
    JsonElement Metrics,
    IReadOnlyList<DeliveryDto> Deliveries);

public sealed record AlertHistory(long AlertId, IReadOnlyList<AlertTriggerDto> Triggers);
