using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services.Providers;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Ai.Apis;

public static class ProvidersApi
{
    public static IEndpointRouteBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/ai").RequireAuthorization().WithTags("Assistant providers");
        api.MapGet("/presets", GetPresets).WithSummary("The provider presets with models and prices, and the operator's default.");
        api.MapGet("/providers", ListAsync);
        api.MapPost("/providers", CreateAsync);
        api.MapPut("/providers/{id:guid}", UpdateAsync);
        api.MapDelete("/providers/{id:guid}", DeleteAsync);
        api.MapPost("/providers/{id:guid}/test", TestAsync).WithSummary("Lists the endpoint's models, or sends a 1-token request.");
        return app;
    }

    private static Ok<PresetsResponse> GetPresets(IOptions<AiOptions> options) =>
        TypedResults.Ok(new PresetsResponse(options.Value.Provider,
            !string.Equals(options.Value.Provider, ProviderCatalog.Local, StringComparison.OrdinalIgnoreCase),
            ProviderCatalog.Presets.Values.Select(p => p.ToInfo()).ToList()));

    private static async Task<Ok<List<ProviderEntryResponse>>> ListAsync(HttpContext context, ProviderStore store,
        CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(context.User.UserId(), cancellationToken)).Select(ToResponse).ToList());

    /// <summary>Provider entries one account may have.</summary>
    public const int MaxProvidersPerUser = 20;

    private static async Task<Results<Created<ProviderEntryResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(ProviderEntryRequest request,
        HttpContext context, ProviderStore store, ApiKeyProtector protector, OutboundAddressPolicy policy, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (Validate(request, policy, creating: true) is { } problem)
        {
            return problem;
        }
        var key = string.IsNullOrWhiteSpace(request.ApiKey) ? null : request.ApiKey.Trim();
        var entry = new ProviderEntry(Guid.CreateVersion7(), context.User.UserId(), request.Name!.Trim(),
            ProviderCatalog.Find(request.Preset)!.Name, Clean(request.BaseUrl), Clean(request.Model),
            key is null ? null : protector.Protect(key), key is null ? null : ApiKeyProtector.Hint(key),
            request.MonthlyBudget, request.InputPricePer1M, request.OutputPricePer1M, time.GetUtcNow().UtcDateTime, time.GetUtcNow().UtcDateTime);
        if (!await store.InsertAsync(entry, MaxProvidersPerUser, cancellationToken))
        {
            return TypedResults.Problem($"An account may have at most {MaxProvidersPerUser} provider entries; delete one first.",
                statusCode: StatusCodes.Status409Conflict, title: "Too many providers");
        }
        var saved = await store.GetAsync(entry.UserId, entry.Id, cancellationToken) ?? entry;
        return TypedResults.Created($"/api/ai/providers/{entry.Id}", ToResponse(saved));
    }

    private static async Task<Results<Ok<ProviderEntryResponse>, NotFound, ValidationProblem>> UpdateAsync(Guid id,
        ProviderEntryRequest request, HttpContext context, ProviderStore store, ApiKeyProtector protector, OutboundAddressPolicy policy,
        CancellationToken cancellationToken)
    {
        var userId = context.User.UserId();
        var existing = await store.GetAsync(userId, id, cancellationToken);
        if (existing is null)
        {
            return TypedResults.NotFound();
        }
        if (Validate(request, policy, creating: false) is { } problem)
        {
            return problem;
        }
        var key = string.IsNullOrWhiteSpace(request.ApiKey) ? null : request.ApiKey.Trim();
        var updated = existing with
        {
            Name = request.Name!.Trim(),
            Preset = ProviderCatalog.Find(request.Preset)!.Name,
            BaseUrl = Clean(request.BaseUrl),
            Model = Clean(request.Model),
            ProtectedKey = key is null ? existing.ProtectedKey : protector.Protect(key),
            KeyHint = key is null ? existing.KeyHint : ApiKeyProtector.Hint(key),
            MonthlyBudget = request.MonthlyBudget,
            InputPricePer1M = request.InputPricePer1M,
            OutputPricePer1M = request.OutputPricePer1M,
        };
        await store.UpdateAsync(updated, cancellationToken);
        return TypedResults.Ok(ToResponse(await store.GetAsync(userId, id, cancellationToken) ?? updated));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, HttpContext context, ProviderStore store,
        CancellationToken cancellationToken) =>
        await store.DeleteAsync(context.User.UserId(), id, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Ok<ProviderTestResult>, NotFound>> TestAsync(Guid id, HttpContext context, ProviderStore store,
        ChatProviderFactory factory, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(context.User.UserId(), id, cancellationToken);
        return entry is null ? TypedResults.NotFound() : TypedResults.Ok(await factory.TestAsync(entry, cancellationToken));
    }

    /// <summary>
    /// Field by field. The base URL (given, or the preset's when none is) must also pass
    /// <see cref="OutboundAddressPolicy.ProblemWith"/>: no user-info, no localhost, no non-public IP literal.
    /// </summary>
    private static ValidationProblem? Validate(ProviderEntryRequest r, OutboundAddressPolicy policy, bool creating)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 100)
        {
            errors["name"] = ["A name of 1 to 100 characters is required."];
        }
        var preset = ProviderCatalog.Find(r.Preset);
        if (preset is null)
        {
            errors["preset"] = [$"One of {string.Join(", ", ProviderCatalog.Presets.Keys)}."];
        }
        if (!string.IsNullOrWhiteSpace(r.BaseUrl)
            && (!Uri.TryCreate(r.BaseUrl.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors["baseUrl"] = ["An absolute http(s) URL, e.g. https://api.openai.com/v1."];
        }
        else if (preset is { RequiresBaseUrl: true } && string.IsNullOrWhiteSpace(r.BaseUrl))
        {
            errors["baseUrl"] = [$"The '{preset.Name}' preset needs a base URL."];
        }
        else if ((string.IsNullOrWhiteSpace(r.BaseUrl) ? preset?.BaseUrl : r.BaseUrl.Trim()) is { Length: > 0 } target
            && Uri.TryCreate(target, UriKind.Absolute, out var targetUri) && policy.ProblemWith(targetUri) is { } problem)
        {
            errors["baseUrl"] = [string.IsNullOrWhiteSpace(r.BaseUrl) ? $"The '{preset!.Name}' preset's address {target}: {problem}" : problem];
        }
        if (r.Model is { Length: > 200 } || preset is { Name: ProviderCatalog.Custom } && string.IsNullOrWhiteSpace(r.Model))
        {
            errors["model"] = ["A model id of at most 200 characters (required for custom endpoints)."];
        }
        if (r.ApiKey is { Length: > 1000 })
        {
            errors["apiKey"] = ["At most 1000 characters."];
        }
        else if (creating && preset is { RequiresKey: true } && string.IsNullOrWhiteSpace(r.ApiKey))
        {
            errors["apiKey"] = [$"The '{preset.Name}' preset needs an API key."];
        }
        if (r.MonthlyBudget is < 0 or > 1_000_000)
        {
            errors["monthlyBudget"] = ["Between 0 and 1,000,000 USD, or empty for no budget."];
        }
        if (r.InputPricePer1M is < 0 or > 100_000)
        {
            errors["inputPricePer1M"] = ["Between 0 and 100,000 USD per 1M tokens, or empty for the preset's price."];
        }
        if (r.OutputPricePer1M is < 0 or > 100_000)
        {
            errors["outputPricePer1M"] = ["Between 0 and 100,000 USD per 1M tokens, or empty for the preset's price."];
        }
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ProviderEntryResponse ToResponse(ProviderEntry e)
    {
        var preset = ProviderCatalog.Find(e.Preset) ?? ProviderCatalog.Presets[ProviderCatalog.Custom];
        var model = e.Model ?? preset.DefaultModel;
        var price = preset.PriceOf(model);
        return new ProviderEntryResponse(e.Id, e.Name, preset.Name, e.BaseUrl ?? preset.BaseUrl, model, e.ProtectedKey is not null,
            e.KeyHint, e.MonthlyBudget, e.InputPricePer1M ?? price.InputPer1M, e.OutputPricePer1M ?? price.OutputPer1M,
            preset.Models.Select(m => m.Id).ToList(), e.CreatedAt, e.UpdatedAt);
    }
}
