using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Web.Model;

/// <summary>A new notification channel: a webhook (URL) or, for kind <c>email</c>, an e-mail address in Url.</summary>
public sealed class WebhookForm : IValidatableObject
{
    [Required(ErrorMessage = "Choose a kind.")]
    [RegularExpression("^(generic|discord|telegram|email)$", ErrorMessage = "The kind is generic, discord, telegram or email.")]
    public string? Kind { get; set; } = "generic";

    [Required(ErrorMessage = "The URL (or e-mail address) is required.")]
    [StringLength(2000)]
    public string? Url { get; set; }

    [StringLength(80)]
    public string? Name { get; set; }

    [StringLength(200)]
    public string? Secret { get; set; }

    [StringLength(100)]
    public string? ChatId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var value = Url?.Trim() ?? "";
        if (Kind == "email")
        {
            if (!new EmailAddressAttribute().IsValid(value) || value.Any(char.IsWhiteSpace))
            {
                yield return new ValidationResult("Enter an e-mail address (name@example.com).", [nameof(Url)]);
            }
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Enter an absolute http(s) URL.", [nameof(Url)]);
        }
    }
}

public sealed class ProviderForm
{
    [Required(ErrorMessage = "A name is required.")]
    [StringLength(80)]
    public string? Name { get; set; }

    [Required(ErrorMessage = "Choose a preset.")]
    public string? Preset { get; set; } = "openai";

    [Url(ErrorMessage = "Enter an absolute URL.")]
    public string? BaseUrl { get; set; }

    [StringLength(120)]
    public string? Model { get; set; }

    [StringLength(400)]
    public string? ApiKey { get; set; }

    [Range(0, 1_000_000, ErrorMessage = "The budget is 0 to 1,000,000 USD.")]
    public decimal? MonthlyBudget { get; set; }
}
