using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services;

namespace Scalpaiboard.Ingest.Apis;

public static class FeedApi
{
    public static IEndpointRouteBuilder MapFeedApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/feed").WithTags("Market")
            .MapGet("/status", GetStatus)
            .WithSummary("The feed's state, progress and counters.");
        return app;
    }

    public static Ok<FeedStatusResponse> GetStatus(FeedStatus status) => TypedResults.Ok(status.ToResponse());
}
