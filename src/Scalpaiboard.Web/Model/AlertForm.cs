using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Web.Model;

/// <summary>The create-alert form (one condition per form; the Gateway accepts several, ANDed).</summary>
public sealed class AlertForm : IValidatableObject
{
    public static readonly string[] ConditionTypes =
        ["price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above", "rsi_above", "rsi_below", "rsi_cross", "macd_cross", "bb_breakout"];

    public static readonly string[] Windows = ["5m", "15m", "1h", "4h", "8h", "1d"];

    [Required(ErrorMessage = "The symbol is required (e.g. BTCUSDT).")]
    [RegularExpression("^[A-Za-z0-9]{2,30}$", ErrorMessage = "A symbol is 2-30 letters or digits, e.g. BTCUSDT.")]
    public string? Symbol { get; set; }

    [Required(ErrorMessage = "Choose a condition.")]
    public string? ConditionType { get; set; } = "price_above";

    public double? Value { get; set; }

    public string? Window { get; set; } = "1h";

    public string? Direction { get; set; }

    public bool Recurring { get; set; }

    [Range(0, 10080, ErrorMessage = "The cooldown is 0 to 10080 minutes.")]
    public int CooldownMinutes { get; set; } = 5;

    [StringLength(500, ErrorMessage = "The note is at most 500 characters.")]
    public string? Note { get; set; }

    public static bool NeedsValue(string? type) => type is not ("macd_cross" or "bb_breakout");

    /// <summary>Price conditions watch the last price; the others a rolling window (change, volume) or a timeframe.</summary>
    public static bool UsesWindow(string? type) => type is not ("price_above" or "price_below" or "price_cross");

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
        }
        if (Window is { Length: > 0 } && !Windows.Contains(Window))
        {
            yield return new ValidationResult("The window is one of 5m, 15m, 1h, 4h, 8h, 1d.", [nameof(Window)]);
        }
    }

    public CreateAlertRequest ToRequest() => new(
        Symbol!.Trim().ToUpperInvariant(),
        [new AlertConditionDto(ConditionType!, NeedsValue(ConditionType) ? Value : null,
            UsesWindow(ConditionType) && !string.IsNullOrEmpty(Window) ? Window : null,
            string.IsNullOrEmpty(Direction) ? null : Direction)],
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
            _ => null,
        };
    }
}
