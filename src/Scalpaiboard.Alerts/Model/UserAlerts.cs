using System.Text.Json;

namespace Scalpaiboard.Alerts.Model;

/// <summary>One condition as clients send it; <c>value</c> is kept raw so a wrong type is a named 400, not a crash.</summary>
public sealed record ConditionRequest(string? Type, JsonElement Value, string? Window, string? Direction);

public sealed record AlertRequest(
    string? Symbol,
    IReadOnlyList<ConditionRequest>? Conditions,
    bool? Recurring,
    int? CooldownMinutes,
    string? Note,
    bool? Enabled);

/// <summary>A validated condition as stored (JSON column) and evaluated.</summary>
public sealed record AlertConditionDto(string Type, double Value, string? Window, string? Direction);

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
    double Price,
    JsonElement Metrics,
    IReadOnlyList<DeliveryDto> Deliveries);

public sealed record AlertHistory(long AlertId, IReadOnlyList<AlertTriggerDto> Triggers);
