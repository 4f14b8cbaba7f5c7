using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services;

namespace Scalpaiboard.Ingest.Apis;

public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/metrics").WithTags("Market")
            .MapGet("/{symbol}", GetMetrics)
            .WithSummary("Rolling metrics of every window and indicators of every timeframe at the latest closed candle.");
        return app;
    }

    public static Results<Ok<SymbolMetrics>, ProblemHttpResult> GetMetrics(string symbol, MarketState state)
    {
        symbol = ApiResults.Normalize(symbol);
        if (!state.TryGet(symbol, out var s))
        {
            return ApiResults.UnknownSymbol(symbol);
        }
        lock (s.Gate)
        {
            return s.MetricsDto is { } m
                ? TypedResults.Ok(m)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No metrics yet",
                    detail: $"{symbol} has no closed candle yet.");
        }
    }
}
