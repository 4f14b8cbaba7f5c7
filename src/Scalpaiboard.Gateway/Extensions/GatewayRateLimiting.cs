using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Gateway.Services;

namespace Scalpaiboard.Gateway.Extensions;

/// <summary>
/// REST rate limit: <c>Gateway:RateLimit:PermitsPerMinute</c> per user (by user id when the bearer token is
/// valid, so the Web server's calls on behalf of a user count for that user) or per client address when anonymous
/// (<see cref="ClientAddress"/>). Over the limit: 429 problem details with Retry-After.
/// </summary>
public static class GatewayRateLimiting
{
    public const string PolicyName = "per-user";

    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(PolicyName, context =>
            {
                var permits = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.RateLimit.PermitsPerMinute;
                var key = context.User.Identity?.IsAuthenticated == true && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user
                    ? "user:" + user
                    : "addr:" + context.RequestServices.GetRequiredService<ClientAddress>().Of(context);
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero
                    ? after
                    : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem($"Too many requests; try again in {seconds} s.", statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Rate limit exceeded").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }
}
