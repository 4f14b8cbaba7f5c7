using System.ComponentModel.DataAnnotations;
using Scalpaiboard.Ai.Services.Providers;

namespace Scalpaiboard.Ai.Model;

/// <summary>The <c>Ai</c> configuration section (environment <c>Ai__*</c>).</summary>
public sealed class AiOptions : IValidatableObject
{
    public const string Section = "Ai";

    /// <summary><c>local</c> or an OpenAI-compatible preset name; the default for requests that name no provider.</summary>
    public string Provider { get; set; } = ProviderCatalog.Local;

    /// <summary>Endpoint of the operator's provider; empty means the preset's.</summary>
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Model of the operator's provider; empty means the preset's default.</summary>
    public string? Model { get; set; }

    [Range(1, 20)]
    public int MaxToolRounds { get; set; } = 5;

    /// <summary>A provider call fails when no data arrives for this many seconds.</summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 60;

    /// <summary>Transport retries of the OpenAI SDK for 429/5xx answers before a round fails.</summary>
    [Range(0, 5)]
    public int ProviderMaxRetries { get; set; } = 1;

    /// <summary>Price override per 1M input tokens for the operator's model (USD); empty means the preset's.</summary>
    [Range(0, 100000)]
    public decimal? InputPricePer1M { get; set; }

    [Range(0, 100000)]
    public decimal? OutputPricePer1M { get; set; }

    /// <summary>Monthly budget in USD per user for an operator provider, by name (<c>Ai:Budgets:openai = 5</c>).</summary>
    public Dictionary<string, decimal> Budgets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ProviderCatalog.IsKnown(Provider))
        {
            yield return new ValidationResult(
                $"must be 'local' or one of {string.Join(", ", ProviderCatalog.Presets.Keys)}; got '{Provider}'", [nameof(Provider)]);
        }
        if (!string.IsNullOrWhiteSpace(BaseUrl) && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("must be an absolute URL", [nameof(BaseUrl)]);
        }
        foreach (var (name, budget) in Budgets)
        {
            if (budget < 0)
            {
                yield return new ValidationResult($"budget of '{name}' must not be negative", [nameof(Budgets)]);
            }
        }
    }
}
