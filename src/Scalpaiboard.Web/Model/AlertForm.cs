using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Web.Model;

/// <summary>The create-alert form (one condition per form; the Gateway accepts several, ANDed).</summary>
public sealed class AlertForm : IValidatableObject
{
    public static readonly string[] ConditionTypes =
    [
        "price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above", "rsi_above", "rsi_below", "rsi_cross",
        "macd_cross", "bb_breakout", "supertrend_flip", "donchian_breakout", "funding_above", "funding_below", "oi_change_above",
        "oi_change_below", "liquidations_above",
    ];

    public static readonly string[] Windows = ["5m", "15m", "1h", "4h", "8h", "1d"];

    /// <summary>The open-interest change is computed over 1h, 4h and 1d; liquidations are watched over 5m and 1h (DERIVATIVES.md).</summary>
    public static readonly string[] OiChangeWindows = ["1h", "4h", "1d"];

    public static readonly string[] LiquidationWindows = ["5m", "1h"];

    public static readonly string[] Sides = ["any", "long", "short"];

    /// <summary>Largest |funding rate| the engine accepts, as a fraction (10 % per interval).</summary>
    public const double MaxFundingRate = 0.1;

    [Required(ErrorMessage = "The symbol is required (e.g. BTCUSDT).")]
    [RegularExpression("^[A-Za-z0-9]{2,30}$", ErrorMessage = "A symbol is 2-30 letters or digits, e.g. BTCUSDT.")]
    public string? Symbol { get; set; }

    [Required(ErrorMessage = "Choose a condition.")]
    public string? ConditionType { get; set; } = "price_above";

    public double? Value { get; set; }

    public string? Window { get; set; } = "1h";

    public string? Direction { get; set; }

    /// <summary>Which liquidations (liquidations_above): long, short or any (both added up, the default).</summary>
    public string? Side { get; set; }

    public bool Recurring { get; set; }

    [Range(0, 10080, ErrorMessage = "The cooldown is 0 to 10080 minutes.")]
    public int CooldownMinutes { get; set; } = 5;

    [StringLength(500, ErrorMessage = "The note is at most 500 characters.")]
    public string? Note { get; set; }

    public static bool NeedsValue(string? type) => type is not ("macd_cross" or "bb_breakout" or "supertrend_flip" or "donchian_breakout");

    /// <summary>
    /// Price and funding conditions watch the last value; the others a rolling window (change, volume, OI change,
    /// liquidations) or a timeframe.
    /// </summary>
    public static bool UsesWindow(string? type) => type is not ("price_above" or "price_below" or "price_cross" or "funding_above" or "funding_below");

    /// <summary>The windows a condition type may take (all six for change, volume and the indicators).</summary>
    public static string[] WindowsFor(string? type) => type switch
    {
        "oi_change_above" or "oi_change_below" => OiChangeWindows,
        "liquidations_above" => LiquidationWindows,
        _ when UsesWindow(type) => Windows,
        _ => [],
    };

    public static bool UsesSide(string? type) => type is "liquidations_above";

    /// <summary>What the value means for a condition type (the form's hint).</summary>
    public static string ValueHint(string? type) => type switch
    {
        "price_above" or "price_below" or "price_cross" => "a price",
        "change_above" or "change_below" or "oi_change_above" or "oi_change_below" => "a percent change, e.g. 5",
        "volume_above" or "liquidations_above" => "a USDT amount, e.g. 1000000",
        "rsi_above" or "rsi_below" or "rsi_cross" => "an RSI level, 0 to 100",
        "funding_above" or "funding_below" => "a funding rate as a fraction, 0.0005 = 0.05 %",
        _ => "not needed",
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ConditionType is not null && !ConditionTypes.Contains(ConditionType))
        {
            yield return new ValidationResult("Unknown condition type.", [nameof(ConditionType)]);
        }
        if (NeedsValue(ConditionType))
        {
            if (Value is null)
            {
                yield return new ValidationResult("A value is required for this condition.", [nameof(Value)]);
            }
            else if (!double.IsFinite(Value.Value))
            {
                yield return new ValidationResult("The value must be a finite number.", [nameof(Value)]);
            }
            else if (ConditionType is "price_above" or "price_below" or "price_cross" or "volume_above" && Value <= 0)
            {
                yield return new ValidationResult("The value must be greater than 0.", [nameof(Value)]);
            }
            else if (ConditionType is "rsi_above" or "rsi_below" or "rsi_cross" && Value is < 0 or > 100)
            {
                yield return new ValidationResult("RSI is between 0 and 100.", [nameof(Value)]);
            }
            else if (ConditionType is "funding_above" or "funding_below" && Math.Abs(Value.Value) > MaxFundingRate)
            {
                yield return new ValidationResult("The funding rate is a fraction between -0.1 and 0.1 (0.0005 = 0.05 %).", [nameof(Value)]);
            }
            else if (ConditionType is "oi_change_above" or "oi_change_below" && Value < -100)
            {
                yield return new ValidationResult("The open interest cannot fall by more than 100 %.", [nameof(Value)]);
            }
            else if (ConditionType is "liquidations_above" && Value < 0)
            {
                yield return new ValidationResult("The value must be 0 or more.", [nameof(Value)]);
            }
        }
        if (Window is { Length: > 0 } && !Windows.Contains(Window))
        {
            yield return new ValidationResult("The window is one of 5m, 15m, 1h, 4h, 8h, 1d.", [nameof(Window)]);
        }
        else if (Window is { Length: > 0 } && WindowsFor(ConditionType) is { Length: > 0 } allowed && !allowed.Contains(Window))
        {
            yield return new ValidationResult($"The window of this condition is one of {string.Join(", ", allowed)}.", [nameof(Window)]);
        }
        if (UsesSide(ConditionType) && Side is { Length: > 0 } && !Sides.Contains(Side))
        {
            yield return new ValidationResult("The side is long, short or any.", [nameof(Side)]);
        }
    }

    public CreateAlertRequest ToRequest() => new(
        Symbol!.Trim().ToUpperInvariant(),
        [new AlertConditionDto(ConditionType!, NeedsValue(ConditionType) ? Value : null,
            UsesWindow(ConditionType) && !string.IsNullOrEmpty(Window) ? Window : null,
            string.IsNullOrEmpty(Direction) ? null : Direction,
            UsesSide(ConditionType) && !string.IsNullOrEmpty(Side) ? Side : null)],
        Recurring, CooldownMinutes, Note ?? "");

    /// <summary>The form field a Gateway problem key names (<c>conditions[0].value</c> -> Value), or null for the form.</summary>
    public static string? FieldFor(string problemKey)
    {
        var key = problemKey.ToLowerInvariant();
        return key switch
        {
            "symbol" => nameof(Symbol),
            "cooldownminutes" => nameof(CooldownMinutes),
            "note" => nameof(Note),
            "recurring" => nameof(Recurring),
            _ when key.EndsWith(".value", StringComparison.Ordinal) => nameof(Value),
            _ when key.EndsWith(".window", StringComparison.Ordinal) => nameof(Window),
            _ when key.EndsWith(".type", StringComparison.Ordinal) => nameof(ConditionType),
            _ when key.EndsWith(".direction", StringComparison.Ordinal) => nameof(Direction),
            _ when key.EndsWith(".side", StringComparison.Ordinal) => nameof(Side),
            _ => null,
        };
    }
}
