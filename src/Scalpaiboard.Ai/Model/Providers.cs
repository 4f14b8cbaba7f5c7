namespace Scalpaiboard.Ai.Model;

/// <summary>Body of <c>POST /api/ai/providers</c> and <c>PUT /api/ai/providers/{id}</c>. On PUT an empty
/// <see cref="ApiKey"/> keeps the stored key.</summary>
public sealed record ProviderEntryRequest(string? Name, string? Preset, string? BaseUrl, string? Model, string? ApiKey,
    decimal? MonthlyBudget, decimal? InputPricePer1M, decimal? OutputPricePer1M);

/// <summary>A user's provider entry as returned: never the key, only a masked hint.</summary>
public sealed record ProviderEntryResponse(Guid Id, string Name, string Preset, string BaseUrl, string Model, bool HasKey,
    string? KeyHint, decimal? MonthlyBudget, decimal InputPricePer1M, decimal OutputPricePer1M,
    IReadOnlyList<string> Models, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ProviderTestResult(bool Ok, string? Error, IReadOnlyList<string> Models, string Method);

public sealed record PresetInfo(string Name, string DisplayName, string BaseUrl, string DefaultModel, bool RequiresKey,
    IReadOnlyList<ModelPrice> Models);

public sealed record ModelPrice(string Id, decimal InputPer1M, decimal OutputPer1M);

public sealed record PresetsResponse(string DefaultProvider, bool OperatorConfigured, IReadOnlyList<PresetInfo> Presets);
