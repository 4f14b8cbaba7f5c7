using Scalpaiboard.Gateway.Extensions;
using Scalpaiboard.Gateway.Services.Forwarding;

namespace Scalpaiboard.Gateway.Apis;

/// <summary>Every service-owned path (see <see cref="ServiceRoutes"/>), forwarded by YARP; anything else under /api is a 404.</summary>
public static class ForwardingApi
{
    public static IEndpointRouteBuilder MapForwardingApi(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ForwardingProblems.WriteAsync);
            proxy.Use(ForwardingProblems.RejectOversizedBodyAsync);
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        app.Map("/api/{**rest}", (HttpContext context) => TypedResults.Problem($"No API at {context.Request.Path}; see /docs.",
                statusCode: StatusCodes.Status404NotFound, title: "Not found"))
            .RequireRateLimiting(GatewayRateLimiting.PolicyName).ExcludeFromDescription();
        return app;
    }
}
