using System.Text.Json;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals.Alerts;

namespace Scalpaiboard.Alerts.Services.Engine;

/// <summary>Conditions compiled by the market engine, ready to evaluate on every closed candle.</summary>
public sealed class CompiledConditions(IReadOnlyList<AlertCondition> conditions)
{
    public IReadOnlyList<AlertCondition> Conditions { get; } = conditions;
}

/// <summary>
/// The seam to the market engine for user alert conditions: <see cref="AlertConditionValidator"/> (errors keyed by
/// field path, e.g. <c>conditions[0].window</c>) and <see cref="AlertEvaluator"/> (all conditions AND-ed on a closed
/// candle's snapshot). Conditions are stored in the engine's canonical wire form.
/// </summary>
public sealed class ConditionRules
{
    /// <summary>Validates the raw <c>conditions</c> JSON; on success <paramref name="valid"/> holds the canonical forms.</summary>
    public Dictionary<string, string[]> Validate(JsonElement conditions, out List<AlertConditionDto> valid)
    {
        var result = AlertConditionValidator.Validate(conditions);
        valid = result.IsValid ? result.Conditions.Select(ToDto).ToList() : [];
        return result.ToProblemErrors();
    }

    public CompiledConditions Compile(IReadOnlyList<AlertConditionDto> conditions)
    {
        var specs = conditions.Select(c => (AlertConditionSpec?)new AlertConditionSpec(c.Type, c.Value, c.Window, c.Direction, c.Side)).ToList();
        var result = AlertConditionValidator.Validate(specs);
        // A stored condition that no longer validates (engine rules tightened) never fires rather than crashing the consumer.
        return new CompiledConditions(result.IsValid ? result.Conditions : []);
    }

    /// <summary>All conditions hold (AND) on this closed candle.</summary>
    public bool Matches(CompiledConditions conditions, MetricsSnapshot snapshot) => AlertEvaluator.Matches(conditions.Conditions, snapshot);

    /// <summary>The message of a fired alert: its conditions in words with the values they watched on this candle.</summary>
    public string Describe(CompiledConditions conditions, MetricsSnapshot snapshot) => AlertEvaluator.Describe(conditions.Conditions, snapshot);

    private static AlertConditionDto ToDto(AlertCondition c)
    {
        var spec = c.ToSpec();
        return new AlertConditionDto(spec.Type!, spec.Value, spec.Window, spec.Direction, spec.Side);
    }
}
