using Scalpaiboard.Ai.Model;

namespace Scalpaiboard.Ai.Services.Providers;

/// <summary>An OpenAI-compatible endpoint family with its default model, known models and list prices.</summary>
public sealed record ProviderPreset(string Name, string DisplayName, string BaseUrl, string DefaultModel, bool RequiresKey,
    bool RequiresBaseUrl, IReadOnlyList<ModelPrice> Models)
{
    /// <summary>The list price of a model; an unknown model costs nothing unless the operator or entry sets prices.</summary>
    public ModelPrice PriceOf(string model) =>
        Models.FirstOrDefault(m => string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase)) ?? new ModelPrice(model, 0, 0);

    public PresetInfo ToInfo() => new(Name, DisplayName, BaseUrl, DefaultModel, RequiresKey, Models);
}

/// <summary>
/// The presets an operator or user can choose. Prices are USD per 1M input/output tokens as published by each
/// vendor when this table was written; they change, and keeping them current is the operator's job
/// (override with <c>Ai:InputPricePer1M</c>/<c>Ai:OutputPricePer1M</c> or on a provider entry).
/// </summary>
public static class ProviderCatalog
{
    public const string Local = "local";
    public const string Custom = "custom";

    public static readonly IReadOnlyDictionary<string, ProviderPreset> Presets = new Dictionary<string, ProviderPreset>(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = new("openai", "OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", true, false,
        [
            new("gpt-4o-mini", 0.15m, 0.60m), new("gpt-4o", 2.50m, 10.00m), new("gpt-4.1", 2.00m, 8.00m),
            new("gpt-4.1-mini", 0.40m, 1.60m), new("gpt-4.1-nano", 0.10m, 0.40m), new("o4-mini", 1.10m, 4.40m),
        ]),
        ["azure"] = new("azure", "Azure OpenAI", "https://YOUR-RESOURCE.openai.azure.com/openai/v1", "gpt-4o-mini", true, true,
        [
            new("gpt-4o-mini", 0.15m, 0.60m), new("gpt-4o", 2.50m, 10.00m), new("gpt-4.1", 2.00m, 8.00m),
            new("gpt-4.1-mini", 0.40m, 1.60m),
        ]),
        ["anthropic"] = new("anthropic", "Anthropic", "https://api.anthropic.com/v1", "claude-sonnet-4-0", true, false,
        [
            new("claude-sonnet-4-0", 3.00m, 15.00m), new("claude-opus-4-1", 15.00m, 75.00m),
            new("claude-3-5-haiku-latest", 0.80m, 4.00m),
        ]),
        ["gemini"] = new("gemini", "Google Gemini", "https://generativelanguage.googleapis.com/v1beta/openai", "gemini-2.5-flash", true, false,
        [
            new("gemini-2.5-flash", 0.30m, 2.50m), new("gemini-2.5-pro", 1.25m, 10.00m), new("gemini-2.0-flash", 0.10m, 0.40m),
        ]),
        ["mistral"] = new("mistral", "Mistral", "https://api.mistral.ai/v1", "mistral-small-latest", true, false,
        [
            new("mistral-small-latest", 0.10m, 0.30m), new("mistral-medium-latest", 0.40m, 2.00m),
            new("mistral-large-latest", 2.00m, 6.00m),
        ]),
        ["groq"] = new("groq", "Groq", "https://api.groq.com/openai/v1", "llama-3.3-70b-versatile", true, false,
        [
            new("llama-3.3-70b-versatile", 0.59m, 0.79m), new("llama-3.1-8b-instant", 0.05m, 0.08m),
        ]),
        ["together"] = new("together", "Together AI", "https://api.together.xyz/v1", "meta-llama/Llama-3.3-70B-Instruct-Turbo", true, false,
        [
            new("meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88m, 0.88m), new("Qwen/Qwen2.5-72B-Instruct-Turbo", 1.20m, 1.20m),
        ]),
        ["openrouter"] = new("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", "openai/gpt-4o-mini", true, false,
        [
            new("openai/gpt-4o-mini", 0.15m, 0.60m), new("anthropic/claude-sonnet-4", 3.00m, 15.00m),
            new("google/gemini-2.5-flash", 0.30m, 2.50m),
        ]),
        ["deepseek"] = new("deepseek", "DeepSeek", "https://api.deepseek.com/v1", "deepseek-chat", true, false,
        [
            new("deepseek-chat", 0.27m, 1.10m), new("deepseek-reasoner", 0.55m, 2.19m),
        ]),
        ["xai"] = new("xai", "xAI", "https://api.x.ai/v1", "grok-3-mini", true, false,
        [
            new("grok-3-mini", 0.30m, 0.50m), new("grok-3", 3.00m, 15.00m), new("grok-4", 3.00m, 15.00m),
        ]),
        ["ollama"] = new("ollama", "Ollama (self-hosted)", "http://127.0.0.1:11434/v1", "llama3.1", false, false,
        [
            new("llama3.1", 0m, 0m), new("qwen2.5", 0m, 0m),
        ]),
        [Custom] = new(Custom, "Custom OpenAI-compatible endpoint", "", "", false, true, []),
    };

    public static bool IsKnown(string? name) =>
        string.Equals(name, Local, StringComparison.OrdinalIgnoreCase) || (name is not null && Presets.ContainsKey(name));

    public static ProviderPreset? Find(string? name) => name is not null && Presets.TryGetValue(name, out var p) ? p : null;
}
