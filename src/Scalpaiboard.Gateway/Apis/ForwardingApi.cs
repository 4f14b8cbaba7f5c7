using Scalpaiboard.Gateway.Extensions;
using Scalpaiboard.Gateway.Services.Forwarding;

namespace Scalpaiboard.Gateway.Apis;

/// <summary>Every service-owned path under /api, forwarded to its service; anything else under /api is a 404.</summary>
public static class ForwardingApi
{
    public static IEndpointRouteBuilder MapForwardingApi(this IEndpointRouteBuilder app)
    {
        foreach (var (prefix, service) in ServiceRoutes.Prefixes)
        {
            RequestDelegate forward = context => context.RequestServices.GetRequiredService<ServiceForwarder>().ForwardAsync(context, service);
            app.Map(prefix, forward).RequireRateLimiting(GatewayRateLimiting.PolicyName).WithDisplayName($"forward {prefix} -> {service}");
            app.Map(prefix + "/{**rest}", forward).RequireRateLimiting(GatewayRateLimiting.PolicyName).WithDisplayName($"forward {prefix}/** -> {service}");
        }
        app.Map("/api/{**rest}", (HttpContext context) => ServiceForwarder.ProblemAsync(context, StatusCodes.Status404NotFound, "Not found",
                $"No API at {context.Request.Path}; see /docs."))
            .RequireRateLimiting(GatewayRateLimiting.PolicyName).ExcludeFromDescription();
        return app;
    }
}
