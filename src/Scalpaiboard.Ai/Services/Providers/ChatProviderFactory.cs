using System.ClientModel;
using System.ClientModel.Primitives;
using System.Security.Cryptography;
#pragma warning disable SKEXP0001 // UseKernelFunctionInvocation: Semantic Kernel marks it experimental
using Microsoft.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services.Local;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Ai.Services.Providers;

/// <summary>
/// The provider a chat runs on: its client pipeline, its usage/budget key, model and prices. Disposing it disposes the
/// pipeline (its OpenTelemetry layer owns an ActivitySource and a Meter).
/// </summary>
public sealed record ResolvedProvider(string Key, string DisplayName, string Model, IChatClient Client, decimal InputPricePer1M,
    decimal OutputPricePer1M, decimal? MonthlyBudget, bool IsLocal) : IDisposable
{
    public void Dispose() => Client.Dispose();

    public decimal CostOf(long promptTokens, long completionTokens) =>
        IsLocal ? 0m : Math.Round((promptTokens * InputPricePer1M + completionTokens * OutputPricePer1M) / 1_000_000m, 8);
}

/// <summary>The request names a provider that cannot be used; the message says why and what to do.</summary>
public sealed class ProviderSelectionException(string message) : Exception(message);

/// <summary>
/// Resolves the request's <c>provider</c> (empty: the operator default <c>Ai:Provider</c>; <c>local</c>; an operator
/// preset name; or the id of one of the user's provider entries) and builds its <see cref="IChatClient"/>. The
/// operator's provider is called through <see cref="OperatorClient"/> (trusted: a local Ollama on 127.0.0.1 works);
/// a user's entry through <see cref="UserClient"/>, which connects only to public addresses and follows no redirects.
/// </summary>
public sealed class ChatProviderFactory(IOptions<AiOptions> options, IHttpClientFactory clients, ProviderStore store,
    ApiKeyProtector protector, IServiceProvider services, ILoggerFactory loggerFactory)
{
    /// <summary>The activity source and meter name of the chat clients' OpenTelemetry layer (ServiceDefaults listens to it).</summary>
    public const string TelemetrySource = "Microsoft.Extensions.AI";

    public const string OperatorClient = "ai-provider-operator";
    public const string UserClient = "ai-provider-user";

    public async Task<ResolvedProvider> ResolveAsync(string userId, string? requested, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var name = string.IsNullOrWhiteSpace(requested) ? o.Provider : requested.Trim();
        if (string.Equals(name, ProviderCatalog.Local, StringComparison.OrdinalIgnoreCase))
        {
            return new ResolvedProvider(ProviderCatalog.Local, "Local (offline)", LocalChatClient.ModelName, Pipeline(new LocalChatClient()), 0, 0,
                Budget(ProviderCatalog.Local), IsLocal: true);
        }
        if (Guid.TryParse(name, out var entryId))
        {
            var entry = await store.GetAsync(userId, entryId, cancellationToken)
                ?? throw new ProviderSelectionException($"There is no provider entry {entryId} for you; list yours with GET /api/ai/providers.");
            return FromEntry(entry);
        }
        var preset = ProviderCatalog.Find(name)
            ?? throw new ProviderSelectionException(
                $"Unknown provider '{name}': use 'local', one of {string.Join(", ", ProviderCatalog.Presets.Keys)}, or the id of one of your provider entries.");
        if (!string.Equals(preset.Name, o.Provider, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProviderSelectionException(
                $"The operator has not configured '{preset.Name}' (the operator's provider is '{o.Provider}'). Add your own '{preset.Name}' entry with an API key under settings (POST /api/ai/providers) and choose it by id.");
        }
        var baseUrl = string.IsNullOrWhiteSpace(o.BaseUrl) ? preset.BaseUrl : o.BaseUrl;
        var model = string.IsNullOrWhiteSpace(o.Model) ? preset.DefaultModel : o.Model;
        if (string.IsNullOrWhiteSpace(baseUrl) || preset.RequiresBaseUrl && string.IsNullOrWhiteSpace(o.BaseUrl))
        {
            throw new ProviderSelectionException($"Ai:BaseUrl is not set for the operator's provider '{preset.Name}'.");
        }
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new ProviderSelectionException($"Ai:Model is not set for the operator's provider '{preset.Name}'.");
        }
        if (preset.RequiresKey && string.IsNullOrWhiteSpace(o.ApiKey))
        {
            throw new ProviderSelectionException($"Ai:ApiKey is not set for the operator's provider '{preset.Name}'.");
        }
        var price = preset.PriceOf(model);
        return new ResolvedProvider(preset.Name, preset.DisplayName, model, CreateClient(OperatorClient, baseUrl, o.ApiKey, model),
            o.InputPricePer1M ?? price.InputPer1M, o.OutputPricePer1M ?? price.OutputPer1M, Budget(preset.Name), IsLocal: false);
    }

    public ResolvedProvider FromEntry(ProviderEntry entry)
    {
        var preset = ProviderCatalog.Find(entry.Preset) ?? ProviderCatalog.Presets[ProviderCatalog.Custom];
        var baseUrl = string.IsNullOrWhiteSpace(entry.BaseUrl) ? preset.BaseUrl : entry.BaseUrl;
        var model = string.IsNullOrWhiteSpace(entry.Model) ? preset.DefaultModel : entry.Model;
        if (string.IsNullOrWhiteSpace(baseUrl) || string.IsNullOrWhiteSpace(model))
        {
            throw new ProviderSelectionException($"Provider entry '{entry.Name}' needs a base URL and a model.");
        }
        string? key = null;
        if (entry.ProtectedKey is not null)
        {
            try
            {
                key = protector.Unprotect(entry.ProtectedKey);
            }
            catch (CryptographicException)
            {
                throw new ProviderSelectionException($"The API key of provider entry '{entry.Name}' cannot be decrypted any more; enter it again.");
            }
        }
        if (preset.RequiresKey && string.IsNullOrEmpty(key))
        {
            throw new ProviderSelectionException($"Provider entry '{entry.Name}' has no API key.");
        }
        var price = preset.PriceOf(model);
        return new ResolvedProvider(entry.Id.ToString(), entry.Name, model, CreateClient(UserClient, baseUrl, key, model),
            entry.InputPricePer1M ?? price.InputPer1M, entry.OutputPricePer1M ?? price.OutputPer1M, entry.MonthlyBudget, IsLocal: false);
    }

    /// <summary>Lists the endpoint's models; when that is not offered, sends a one-token chat request.</summary>
    public async Task<ProviderTestResult> TestAsync(ProviderEntry entry, CancellationToken cancellationToken)
    {
        ResolvedProvider resolved;
        try
        {
            // only its model is needed here: the test talks to the endpoint with the SDK directly
            using var pipeline = FromEntry(entry);
            resolved = pipeline;
        }
        catch (ProviderSelectionException ex)
        {
            return new ProviderTestResult(false, ex.Message, [], "none");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds));
        var (baseUrl, key) = Endpoint(entry);
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(key) ? "none" : key), ClientOptions(UserClient, baseUrl));
        try
        {
            var models = await client.GetOpenAIModelClient().GetModelsAsync(timeout.Token);
            return new ProviderTestResult(true, null, models.Value.Select(m => m.Id).Order().ToList(), "models");
        }
        catch (Exception ex) when (ex is ClientResultException { Status: 404 or 405 } && !cancellationToken.IsCancellationRequested)
        {
            // no model listing: fall through to a minimal completion
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProviderTestResult(false, Describe(ex), [], "models");
        }
        try
        {
            var chat = client.GetChatClient(resolved.Model);
            await chat.CompleteChatAsync([new UserChatMessage("ping")], new ChatCompletionOptions { MaxOutputTokenCount = 1 }, timeout.Token);
            return new ProviderTestResult(true, null, [resolved.Model], "chat");
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProviderTestResult(false, Describe(ex), [], "chat");
        }
    }

    private (string BaseUrl, string? Key) Endpoint(ProviderEntry entry)
    {
        var preset = ProviderCatalog.Find(entry.Preset) ?? ProviderCatalog.Presets[ProviderCatalog.Custom];
        var key = entry.ProtectedKey is null ? null : protector.Unprotect(entry.ProtectedKey);
        return (string.IsNullOrWhiteSpace(entry.BaseUrl) ? preset.BaseUrl : entry.BaseUrl, key);
    }

    /// <summary>
    /// What went wrong, in our words: the status code, never the endpoint's answer (a user must not be able to read
    /// what some server says through this test).
    /// </summary>
    private static string Describe(Exception ex) => ex switch
    {
        _ when OutboundRequestRefusedException.FindIn(ex) is { } refused => $"The provider could not be reached: {refused.Message}",
        ClientResultException { Status: 0 } c => $"The provider could not be reached: {c.Message.Split('\n', 2)[0]}",
        ClientResultException { Status: 401 or 403 } c => $"The provider answered HTTP {c.Status}: check the API key.",
        ClientResultException { Status: 404 } c => $"The provider answered HTTP {c.Status}: check the base URL and the model.",
        ClientResultException { Status: >= 300 and < 400 } c => $"The provider answered HTTP {c.Status}: it redirects, and redirects are not followed; give the final URL.",
        ClientResultException c => $"The provider answered HTTP {c.Status}.",
        OperationCanceledException => "The provider did not answer in time.",
        _ => $"The provider could not be reached: {ex.Message}",
    };

    private decimal? Budget(string provider) =>
        options.Value.Budgets.TryGetValue(provider, out var budget) ? budget : null;

    /// <summary>M.E.AI's OpenAI chat client (streaming chat completions of any OpenAI-compatible endpoint) in the pipeline.</summary>
    private IChatClient CreateClient(string httpClient, string baseUrl, string? apiKey, string model)
    {
        var chat = new ChatClient(model, new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "none" : apiKey), ClientOptions(httpClient, baseUrl));
        return Pipeline(chat.AsIChatClient());
    }

    /// <summary>
    /// Every provider behind the same pipeline: Semantic Kernel's function invocation (runs the kernel's plugin functions
    /// the model calls, through the kernel's filters) over OpenTelemetry (a span and token metrics per model call).
    /// </summary>
    private IChatClient Pipeline(IChatClient inner)
    {
        var client = inner.AsBuilder()
            .UseKernelFunctionInvocation(loggerFactory)
            .UseOpenTelemetry(loggerFactory, TelemetrySource)
            .Build(services);
        // The calls of one round are independent (different services, different coins): run them together.
        client.GetRequiredService<FunctionInvokingChatClient>().AllowConcurrentInvocation = true;
        return client;
    }

    private OpenAIClientOptions ClientOptions(string httpClient, string baseUrl) => new()
    {
        Endpoint = new Uri(baseUrl),
        Transport = new HttpClientPipelineTransport(clients.CreateClient(httpClient)),
        RetryPolicy = new ClientRetryPolicy(options.Value.ProviderMaxRetries),
        // The chat enforces the inactivity timeout; this only stops a request the chat somehow no longer watches.
        NetworkTimeout = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds * 2 + 5),
    };
}
