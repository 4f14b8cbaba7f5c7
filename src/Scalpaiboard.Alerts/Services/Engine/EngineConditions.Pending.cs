using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Market.Metrics;

using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Services.Engine;

// SEAM (market engine, not merged yet): the engine's AlertCondition validator and evaluator replace this file.
// Until then conditions are validated against CONTRACT.md's list of types and windows, and NO user alert is
// evaluated (Matches is always false): alerts are stored and listed, never triggered.

/// <summary>Compiled conditions as the engine evaluates them.</summary>
public sealed class CompiledConditions(IReadOnlyList<AlertConditionDto> conditions)
{
    public IReadOnlyList<AlertConditionDto> Conditions { get; } = conditions;
}

internal static class EngineConditions
{
    private static readonly string[] Types =
    [
        "price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above",
        "rsi_above", "rsi_below", "rsi_cross", "macd_cross", "bb_breakout",
    ];

    private static readonly string[] WindowTypes = ["change_above", "change_below", "volume_above"];

    public static IEnumerable<(string Field, string Message)> Validate(AlertConditionDto c)
    {
        if (!Types.Contains(c.Type))
        {
            yield return ("type", $"Unknown condition type '{c.Type}'. Valid: {string.Join(", ", Types)}.");
            yield break;
        }
        if (double.IsNaN(c.Value) && c.Type is not ("macd_cross" or "bb_breakout"))
        {
            yield return ("value", "A numeric value is required.");
        }
        if (WindowTypes.Contains(c.Type) && !MarketWindows.TryParse(c.Window, out _))
        {
            yield return ("window", $"A window is required: {string.Join(", ", MarketWindows.Names)}.");
        }
    }

    public static CompiledConditions Compile(IReadOnlyList<AlertConditionDto> conditions) => new(conditions);

    public static bool Matches(CompiledConditions conditions, MetricsSnapshot snapshot) => false;
}
