using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Alerts.Apis;

/// <summary>A user's watchlist and its performance since each symbol was added.</summary>
public static class WatchlistApi
{
    public const int MaxSymbols = 200;

    public static IEndpointRouteBuilder MapWatchlistApi(this IEndpointRouteBuilder app)
    {
        var watchlist = app.MapGroup("/api/watchlist").WithTags("Watchlist").RequireAuthorization()
            .WithMetadata(new RequestSizeLimitAttribute(AlertsApi.MaxBodyBytes));
        watchlist.MapGet("/", List);
        watchlist.MapPost("/", Add);
        watchlist.MapDelete("/{symbol}", Remove);
        app.MapGroup("/api/portfolio").WithTags("Watchlist").RequireAuthorization().MapGet("/", GetPortfolio);
        return app;
    }

    public static async Task<Ok<Watchlist>> List(ClaimsPrincipal user, WatchlistStore store, CancellationToken cancellationToken)
    {
        var items = await store.ListAsync(user.UserId(), cancellationToken);
        return TypedResults.Ok(new Watchlist(items.Select(i => new WatchlistItem(i.Symbol, i.AddedPrice, i.AddedAt, i.CurrentPrice)).ToList()));
    }

    public static async Task<Results<Created<WatchlistItem>, Ok<WatchlistItem>, ValidationProblem>> Add(WatchlistRequest? body, ClaimsPrincipal user,
        WatchlistStore store, SymbolDirectory symbols, CancellationToken cancellationToken)
    {
        var symbol = SymbolDirectory.Normalize(body?.Symbol);
        var check = symbol.Length == 0 ? SymbolCheck.BadFormat : await symbols.CheckAsync(symbol, cancellationToken);
        if (check != SymbolCheck.Known)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["symbol"] = [check == SymbolCheck.Unknown ? $"Unknown symbol '{symbol}'." : "A symbol is 2-30 letters or digits, e.g. BTCUSDT."],
            });
        }
        var userId = user.UserId();
        var existing = await store.ListAsync(userId, cancellationToken);
        if (existing.FirstOrDefault(i => i.Symbol == symbol) is { } already)
        {
            return TypedResults.Ok(new WatchlistItem(already.Symbol, already.AddedPrice, already.AddedAt, already.CurrentPrice));
        }
        if (existing.Count >= MaxSymbols)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["symbol"] = [$"A watchlist holds at most {MaxSymbols} symbols."] });
        }
        var price = await symbols.PriceAsync(symbol, cancellationToken);
        await store.AddAsync(userId, symbol, price, cancellationToken);
        var added = (await store.ListAsync(userId, cancellationToken)).First(i => i.Symbol == symbol);
        return TypedResults.Created($"/api/watchlist/{symbol}", new WatchlistItem(added.Symbol, added.AddedPrice, added.AddedAt, added.CurrentPrice));
    }

    public static async Task<Results<NoContent, NotFound>> Remove(string symbol, ClaimsPrincipal user, WatchlistStore store, CancellationToken cancellationToken) =>
        await store.RemoveAsync(user.UserId(), SymbolDirectory.Normalize(symbol), cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<Ok<Portfolio>> GetPortfolio(ClaimsPrincipal user, WatchlistStore store, CancellationToken cancellationToken)
    {
        var items = await store.ListAsync(user.UserId(), cancellationToken);
        var valued = items.Where(i => i.ChangePercent is not null).ToList();
        return TypedResults.Ok(new Portfolio(items, items.Count,
            valued.Count == 0 ? null : valued.Average(i => i.ChangePercent!.Value),
            valued.MaxBy(i => i.ChangePercent), valued.MinBy(i => i.ChangePercent)));
    }
}
