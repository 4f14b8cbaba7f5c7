using System.Text.Json;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Alerts.Services.Engine;

/// <summary>
/// The seam to the market engine for user alert conditions: validation with field-named errors, compilation and
/// evaluation on a closed candle's snapshot. The request's shape (a list, a string type, a numeric value) is checked
/// here; what a condition means belongs to the engine (<see cref="EngineConditions"/>).
/// </summary>
public sealed class ConditionRules
{
    public const int MaxConditions = 20;

    /// <summary>Validates the conditions of a request; errors are keyed <c>conditions[i].field</c>.</summary>
    public Dictionary<string, string[]> Validate(IReadOnlyList<ConditionRequest>? conditions, out List<AlertConditionDto> valid)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        valid = [];
        if (conditions is null || conditions.Count == 0)
        {
            errors["conditions"] = ["At least one condition is required."];
            return errors;
        }
        if (conditions.Count > MaxConditions)
        {
            errors["conditions"] = [$"At most {MaxConditions} conditions are allowed."];
            return errors;
        }
        for (var i = 0; i < conditions.Count; i++)
        {
            var c = conditions[i];
            var prefix = $"conditions[{i}].";
            if (c is null)
            {
                errors[$"conditions[{i}]"] = ["A condition must be an object."];
                continue;
            }
            if (string.IsNullOrWhiteSpace(c.Type))
            {
                errors[prefix + "type"] = ["The condition type is required."];
                continue;
            }
            double value;
            if (c.Value.ValueKind == JsonValueKind.Undefined || c.Value.ValueKind == JsonValueKind.Null)
            {
                value = double.NaN;
            }
            else if (c.Value.ValueKind == JsonValueKind.Number && c.Value.TryGetDouble(out var d) && double.IsFinite(d))
            {
                value = d;
            }
            else
            {
                errors[prefix + "value"] = ["The value must be a finite number."];
                continue;
            }
            var condition = new AlertConditionDto(c.Type.Trim().ToLowerInvariant(), value, c.Window?.Trim(), c.Direction?.Trim().ToLowerInvariant());
            foreach (var (field, message) in EngineConditions.Validate(condition))
            {
                errors[prefix + field] = [message];
            }
            valid.Add(condition);
        }
        return errors;
    }

    public CompiledConditions Compile(IReadOnlyList<AlertConditionDto> conditions) => EngineConditions.Compile(conditions);

    /// <summary>All conditions hold (AND) on this closed candle.</summary>
    public bool Matches(CompiledConditions conditions, MetricsSnapshot snapshot) => EngineConditions.Matches(conditions, snapshot);
}
