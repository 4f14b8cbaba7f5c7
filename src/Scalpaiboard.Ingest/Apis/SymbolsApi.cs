using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Ingest.Services;

namespace Scalpaiboard.Ingest.Apis;

public static class SymbolsApi
{
    public static IEndpointRouteBuilder MapSymbolsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/symbols").WithTags("Market")
            .MapGet("", GetSymbols)
            .WithSummary("Every symbol the feed covers, in name order.");
        return app;
    }

    public static Ok<string[]> GetSymbols(MarketState state) =>
        TypedResults.Ok(state.All.Select(s => s.Symbol).ToArray());
}
