using System.Text.Json;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Market.Signals.Alerts;

/// <summary>A validation error: the field path (e.g. <c>conditions[0].window</c>) and what is wrong with it.</summary>
public sealed record AlertValidationError(string Field, string Message);

/// <summary>The parsed conditions, or the errors (field path -&gt; message) that stop them.</summary>
public sealed record AlertValidationResult(IReadOnlyList<AlertCondition> Conditions, IReadOnlyList<AlertValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>Errors grouped by field, the shape <c>TypedResults.ValidationProblem</c> takes.</summary>
    public Dictionary<string, string[]> ToProblemErrors()
    {
        var grouped = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var e in Errors)
        {
            if (!grouped.TryGetValue(e.Field, out var list))
            {
                grouped[e.Field] = list = [];
            }
            list.Add(e.Message);
        }
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in grouped)
        {
            result[field] = [.. messages];
        }
        return result;
    }
}

/// <summary>
/// Validates user alert conditions (CONTRACT.md) and turns them into <see cref="AlertCondition"/>s. Every error
/// names its field as a path (<c>conditions[1].value</c>) for problem details. Fields a type does not use are
/// ignored.
/// </summary>
public static class AlertConditionValidator
{
    public const int MaxConditions = 20;

    private static readonly string TypeList = string.Join(", ", AlertConditionTypes.Keys);
    private static readonly string WindowList = string.Join(", ", Windows.Names);
    private static readonly string DirectionList = string.Join(", ", AlertConditionTypes.DirectionNames);
    private static readonly string SideList = string.Join(", ", AlertConditionTypes.SideNames);

    /// <summary>Largest |funding rate| a condition may name: 0.1 = 10 % per interval, far beyond any exchange's cap.</summary>
    public const double MaxFundingRate = 0.1;

    public static AlertValidationResult Validate(IReadOnlyList<AlertConditionSpec?>? specs, string path = "conditions")
    {
        var errors = new List<AlertValidationError>();
        var conditions = new List<AlertCondition>();
        if (!CheckCount(specs?.Count, path, errors))
        {
            return new AlertValidationResult(conditions, errors);
        }
        for (var i = 0; i < specs!.Count; i++)
        {
            var spec = specs[i];
            var at = $"{path}[{i}]";
            if (spec is null)
            {
                errors.Add(new AlertValidationError(at, "must be an object"));
                continue;
            }
            if (ValidateOne(spec, at, errors) is { } condition)
            {
                conditions.Add(condition);
            }
        }
        return new AlertValidationResult(errors.Count == 0 ? conditions : [], errors);
    }

    /// <summary>Validates the raw JSON of a <c>conditions</c> array, so wrong JSON kinds become field errors too.</summary>
    public static AlertValidationResult Validate(JsonElement conditions, string path = "conditions")
    {
        var errors = new List<AlertValidationError>();
        if (conditions.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            errors.Add(new AlertValidationError(path, "at least one condition is required"));
            return new AlertValidationResult([], errors);
        }
        if (conditions.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new AlertValidationError(path, "must be an array of conditions"));
            return new AlertValidationResult([], errors);
        }
        var specs = new List<AlertConditionSpec?>();
        var i = 0;
        foreach (var item in conditions.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new AlertValidationError(at, "must be an object"));
                specs.Add(null);
                continue;
            }
            specs.Add(new AlertConditionSpec(
                Text(item, "type", at, errors),
                Number(item, "value", at, errors),
                Text(item, "window", at, errors),
                Text(item, "direction", at, errors),
                Text(item, "side", at, errors)));
        }
        var result = Validate(specs, path);
        if (errors.Count == 0)
        {
            return result;
        }
        foreach (var e in result.Errors)
        {
            if (!errors.Exists(x => x.Field == e.Field || e.Field.StartsWith(x.Field + ".", StringComparison.Ordinal)))
            {
                errors.Add(e);
            }
        }
        return new AlertValidationResult([], errors);
    }

    private static bool CheckCount(int? count, string path, List<AlertValidationError> errors)
    {
        if (count is null or 0)
        {
            errors.Add(new AlertValidationError(path, "at least one condition is required"));
            return false;
        }
        if (count > MaxConditions)
        {
            errors.Add(new AlertValidationError(path, $"at most {MaxConditions} conditions are allowed"));
            return false;
        }
        return true;
    }

    private static AlertCondition? ValidateOne(AlertConditionSpec spec, string at, List<AlertValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(spec.Type))
        {
            errors.Add(new AlertValidationError($"{at}.type", $"is required (one of {TypeList})"));
            return null;
        }
        if (!AlertConditionTypes.TryParse(spec.Type.Trim(), out var type))
        {
            errors.Add(new AlertValidationError($"{at}.type", $"must be one of {TypeList}"));
            return null;
        }
        var before = errors.Count;

        var value = 0.0;
        if (type.NeedsValue())
        {
            if (spec.Value is not { } v)
            {
                errors.Add(new AlertValidationError($"{at}.value", $"is required for {type.Key()}"));
            }
            else if (!double.IsFinite(v))
            {
                errors.Add(new AlertValidationError($"{at}.value", "must be a finite number"));
            }
            else
            {
                value = v;
                var problem = type switch
                {
                    AlertConditionType.PriceAbove or AlertConditionType.PriceBelow or AlertConditionType.PriceCross
                        when v <= 0 => "must be a price greater than 0",
                    AlertConditionType.VolumeAbove when v < 0 => "must be a quote volume of 0 or more",
                    AlertConditionType.RsiAbove or AlertConditionType.RsiBelow or AlertConditionType.RsiCross
                        when v is < 0 or > 100 => "must be an RSI level between 0 and 100",
                    AlertConditionType.FundingAbove or AlertConditionType.FundingBelow when Math.Abs(v) > MaxFundingRate =>
                        "must be a funding rate as a fraction between -0.1 and 0.1 (0.0005 = 0.05 %)",
                    AlertConditionType.OiChangeAbove or AlertConditionType.OiChangeBelow when v < -100 =>
                        "must be a percent change of -100 or more",
                    AlertConditionType.LiquidationsAbove when v < 0 => "must be a USDT notional of 0 or more",
                    _ => null,
                };
                if (problem is not null)
                {
                    errors.Add(new AlertValidationError($"{at}.value", problem));
                }
            }
        }

        var window = Window.H1;
        var timeframe = Timeframe.H1;
        var windowName = spec.Window?.Trim();
        if (type.UsesRollingWindow() && !string.IsNullOrEmpty(windowName)
            && (!Windows.TryParse(windowName, out window) || Array.IndexOf(type.RollingWindows(), window) < 0))
        {
            var allowed = type.RollingWindows();
            errors.Add(new AlertValidationError($"{at}.window",
                $"must be one of {(allowed.Length == Windows.Count ? WindowList : string.Join(", ", allowed.Select(w => w.Name())))}"));
        }
        // Indicators are computed on the timeframes of the rolling windows (MarketEngineOptions.IndicatorTimeframes).
        if (type.UsesTimeframe() && !string.IsNullOrEmpty(windowName)
            && (!Windows.TryParse(windowName, out _) || !Timeframes.TryParse(windowName.ToLowerInvariant(), out timeframe)))
        {
            errors.Add(new AlertValidationError($"{at}.window", $"must be one of {WindowList}"));
        }

        var direction = CrossDirection.Any;
        var directionName = spec.Direction?.Trim();
        if (type.UsesDirection() && !string.IsNullOrEmpty(directionName) && !AlertConditionTypes.TryParseDirection(directionName, out direction))
        {
            errors.Add(new AlertValidationError($"{at}.direction", $"must be one of {DirectionList}"));
        }

        LiquidationSide? side = null;
        var sideName = spec.Side?.Trim();
        if (type.UsesSide() && !string.IsNullOrEmpty(sideName) && !AlertConditionTypes.TryParseSide(sideName, out side))
        {
            errors.Add(new AlertValidationError($"{at}.side", $"must be one of {SideList}"));
        }

        return errors.Count == before ? new AlertCondition(type, value, window, timeframe, direction, side) : null;
    }

    private static string? Text(JsonElement item, string name, string at, List<AlertValidationError> errors)
    {
        if (!TryGet(item, name, out var p))
        {
            return null;
        }
        if (p.ValueKind != JsonValueKind.String)
        {
            errors.Add(new AlertValidationError($"{at}.{name}", "must be a string"));
            return null;
        }
        return p.GetString();
    }

    private static double? Number(JsonElement item, string name, string at, List<AlertValidationError> errors)
    {
        if (!TryGet(item, name, out var p))
        {
            return null;
        }
        if (p.ValueKind != JsonValueKind.Number || !p.TryGetDouble(out var v))
        {
            errors.Add(new AlertValidationError($"{at}.{name}", "must be a number"));
            return null;
        }
        return v;
    }

    /// <summary>Property lookup ignoring case, as ASP.NET Core's web JSON defaults bind.</summary>
    private static bool TryGet(JsonElement item, string name, out JsonElement value)
    {
        foreach (var p in item.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind != JsonValueKind.Null)
            {
                value = p.Value;
                return true;
            }
        }
        value = default;
        return false;
    }
}
