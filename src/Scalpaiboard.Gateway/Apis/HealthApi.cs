using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Gateway.Services;

namespace Scalpaiboard.Gateway.Apis;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetAsync).WithTags("Health")
            .WithSummary("Health of the Gateway and of every service behind it (Healthy, Degraded or Unhealthy).");
        return app;
    }

    public static async Task<Results<Ok<SystemHealth>, JsonHttpResult<SystemHealth>>> GetAsync(ServiceHealth health, CancellationToken cancellationToken)
    {
        var result = await health.CheckAsync(cancellationToken);
        return result.Status == "Unhealthy"
            ? TypedResults.Json(result, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(result);
    }
}
