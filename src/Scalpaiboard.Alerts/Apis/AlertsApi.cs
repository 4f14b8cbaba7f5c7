using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Alerts.Services.Engine;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Alerts.Apis;

/// <summary>A user's own alerts. Every query is scoped by the signed user id; another user's id answers 404.</summary>
public static class AlertsApi
{
    public const int MaxCooldownMinutes = 10_080;
    public const int MaxNoteLength = 500;

    /// <summary>Largest request body of the user APIs (an alert, the settings with 10 webhooks): 64 KiB; larger is a 413.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>Alerts one account may have (each is evaluated on every candle of its symbol).</summary>
    public const int MaxAlertsPerUser = 200;

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/alerts").WithTags("Alerts").RequireAuthorization().WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        api.MapGet("/", List);
        api.MapPost("/", Create);
        api.MapGet("/{id:long}", Get);
        api.MapPut("/{id:long}", Update);
        api.MapDelete("/{id:long}", Delete);
        api.MapGet("/{id:long}/history", History);
        return app;
    }

    public static async Task<Ok<AlertList>> List(ClaimsPrincipal user, UserAlertStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AlertList(await store.ListAsync(user.UserId(), cancellationToken)));

    public static async Task<Results<Ok<AlertDto>, NotFound>> Get(long id, ClaimsPrincipal user, UserAlertStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(user.UserId(), id, cancellationToken) is { } a ? TypedResults.Ok(a) : TypedResults.NotFound();

    public static async Task<Results<Created<AlertDto>, ValidationProblem, ProblemHttpResult>> Create(AlertRequest? body, ClaimsPrincipal user, UserAlertStore store,
        ConditionRules rules, SymbolDirectory symbols, UserAlertCache cache, CancellationToken cancellationToken)
    {
        var (errors, valid) = await ValidateAsync(body, rules, symbols, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (symbol, conditions) = valid!.Value;
        var created = await store.CreateAsync(user.UserId(), symbol, conditions, body!.Recurring ?? false, body.CooldownMinutes ?? 5,
            body.Note ?? "", body.Enabled ?? true, MaxAlertsPerUser, cancellationToken);
        if (created is null)
        {
            return TypedResults.Problem($"An account may have at most {MaxAlertsPerUser} alerts; delete some first.",
                statusCode: StatusCodes.Status409Conflict, title: "Too many alerts");
        }
        cache.Upsert(user.UserId(), created);
        return TypedResults.Created($"/api/alerts/{created.Id}", created);
    }

    public static async Task<Results<Ok<AlertDto>, NotFound, ValidationProblem>> Update(long id, AlertRequest? body, ClaimsPrincipal user,
        UserAlertStore store, ConditionRules rules, SymbolDirectory symbols, UserAlertCache cache, CancellationToken cancellationToken)
    {
        var existing = await store.GetAsync(user.UserId(), id, cancellationToken);
        if (existing is null)
        {
            return TypedResults.NotFound();
        }
        var (errors, valid) = await ValidateAsync(body, rules, symbols, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (symbol, conditions) = valid!.Value;
        var updated = await store.UpdateAsync(user.UserId(), id, symbol, conditions, body!.Recurring ?? existing.Recurring,
            body.CooldownMinutes ?? existing.CooldownMinutes, body.Note ?? existing.Note, body.Enabled ?? existing.Enabled, cancellationToken);
        if (updated is null)
        {
            return TypedResults.NotFound();
        }
        cache.Upsert(user.UserId(), updated);
        return TypedResults.Ok(updated);
    }

    public static async Task<Results<NoContent, NotFound>> Delete(long id, ClaimsPrincipal user, UserAlertStore store, UserAlertCache cache,
        CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(user.UserId(), id, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        cache.Remove(id);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AlertHistory>, NotFound>> History(long id, ClaimsPrincipal user, UserAlertStore store, int? limit,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(user.UserId(), id, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }
        var triggers = await store.HistoryAsync(user.UserId(), id, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken);
        return TypedResults.Ok(new AlertHistory(id, triggers));
    }

    private static async Task<(Dictionary<string, string[]> Errors, (string Symbol, List<AlertConditionDto> Conditions)? Valid)> ValidateAsync(
        AlertRequest? body, ConditionRules rules, SymbolDirectory symbols, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return (new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] }, null);
        }
        var errors = rules.Validate(body.Conditions, out var conditions);
        var symbol = SymbolDirectory.Normalize(body.Symbol);
        if (symbol.Length == 0)
        {
            errors["symbol"] = ["The symbol is required (e.g. BTCUSDT)."];
        }
        else
        {
            switch (await symbols.CheckAsync(symbol, cancellationToken))
            {
                case SymbolCheck.BadFormat:
                    errors["symbol"] = ["A symbol is 2-30 letters or digits, e.g. BTCUSDT."];
                    break;
                case SymbolCheck.Unknown:
                    errors["symbol"] = [$"Unknown symbol '{symbol}'."];
                    break;
            }
        }
        if (body.CooldownMinutes is < 0 or > MaxCooldownMinutes)
        {
            errors["cooldownMinutes"] = [$"cooldownMinutes must be from 0 to {MaxCooldownMinutes}."];
        }
        if (body.Note is { Length: > MaxNoteLength })
        {
            errors["note"] = [$"The note is at most {MaxNoteLength} characters."];
        }
        return (errors, errors.Count == 0 ? (symbol, conditions) : null);
    }
}
