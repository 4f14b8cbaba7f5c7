using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Web.Model;

public sealed class WebhookForm
{
    [Required(ErrorMessage = "Choose a kind.")]
    [RegularExpression("^(generic|discord|telegram)$", ErrorMessage = "The kind is generic, discord or telegram.")]
    public string? Kind { get; set; } = "generic";

    [Required(ErrorMessage = "The URL is required.")]
    [Url(ErrorMessage = "Enter an absolute http(s) URL.")]
    public string? Url { get; set; }

    [StringLength(80)]
    public string? Name { get; set; }

    [StringLength(200)]
    public string? Secret { get; set; }

    [StringLength(100)]
    public string? ChatId { get; set; }
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
