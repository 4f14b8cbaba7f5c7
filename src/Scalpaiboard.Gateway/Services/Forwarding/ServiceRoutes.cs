using Scalpaiboard.Gateway.Extensions;
using Scalpaiboard.Gateway.Model;
using Yarp.ReverseProxy.Configuration;

namespace Scalpaiboard.Gateway.Services.Forwarding;

/// <summary>
/// Which service owns which path: the one route table, from which the YARP routes and clusters are built.
/// Destinations are service-discovery names (<c>https+http://ingest</c>: https when the AppHost gives the service
/// an https endpoint, else http), resolved from <c>services__{name}__http__0</c> and friends.
/// </summary>
public static class ServiceRoutes
{
    public const string Ingest = "ingest";
    public const string Alerts = "alerts";
    public const string Ai = "ai";

    /// <summary>The services behind the Gateway, in the order /api/health lists them.</summary>
    public static readonly string[] Services = [Ingest, Alerts, Ai];

    /// <summary>An alert, the settings with their webhooks, a watchlist entry: 64 KiB is plenty.</summary>
    public const long SmallBody = 64 * 1024;

    /// <summary>
    /// Path prefixes and their owning service. <c>RequiresUser</c>: the Gateway itself answers 401 without a valid
    /// bearer token (for <c>/api</c> the services decide per endpoint, since some allow anonymous calls).
    /// </summary>
    public static readonly ServiceRoute[] Table =
    [
        new("/api/symbols", Ingest),
        new("/api/coins", Ingest),
        new("/api/metrics", Ingest),
        new("/api/feed", Ingest),
        new("/api/presets", Alerts),
        new("/api/signals", Alerts),
        new("/api/alerts", Alerts, MaxBodyBytes: SmallBody),
        new("/api/settings", Alerts, MaxBodyBytes: SmallBody),
        new("/api/watchlist", Alerts, MaxBodyBytes: SmallBody),
        new("/api/backtests", Alerts, MaxBodyBytes: SmallBody),
        new("/api/portfolio", Alerts),
        new("/api/notifications", Alerts),
        new("/api/ai", Ai, MaxBodyBytes: 256 * 1024),
        new("/mcp", Ai, RequiresUser: true, MaxBodyBytes: 1024 * 1024),
    ];

    /// <summary>One YARP route per prefix: the prefix itself and everything under it, rate limited per user.</summary>
    public static IReadOnlyList<RouteConfig> Routes() =>
    [
        .. Table.Select(r => new RouteConfig
        {
            RouteId = r.Prefix.Trim('/').Replace('/', '-'),
            ClusterId = r.Service,
            Match = new RouteMatch { Path = r.Prefix + "/{**rest}" },
            RateLimiterPolicy = GatewayRateLimiting.PolicyName,
            // "Default": ASP.NET Core's default policy, an authenticated user (the bearer scheme challenges with 401).
            AuthorizationPolicy = r.RequiresUser ? "Default" : null,
            MaxRequestBodySize = r.MaxBodyBytes,
        }),
    ];

    /// <summary>
    /// One cluster per service. Active health checks probe <c>/alive</c> so a replica that stopped answering is
    /// skipped when a service has several; with every destination down, "HealthyOrPanic" still tries them, so a
    /// stopped service gives the caller a 502 naming it rather than an anonymous "no destination".
    /// </summary>
    public static IReadOnlyList<ClusterConfig> Clusters(ForwardingOptions options) =>
    [
        .. Services.Select(service => new ClusterConfig
        {
            ClusterId = service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service] = new() { Address = $"https+http://{service}" },
            },
            HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = options.ActivityTimeout },
            HealthCheck = new HealthCheckConfig
            {
                AvailableDestinationsPolicy = "HealthyOrPanic",
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = options.HealthCheckInterval,
                    Timeout = options.HealthTimeout,
                    Policy = "ConsecutiveFailures",
                    Path = Microsoft.Extensions.Hosting.Extensions.AlivenessEndpointPath,
                },
            },
        }),
    ];
}

/// <summary>A path prefix and the service that owns it.</summary>
/// <param name="MaxBodyBytes">Largest request body the route takes (413 above it, before anything is forwarded); null: the
/// Gateway-wide <c>Gateway:MaxRequestBodyBytes</c>.</param>
public sealed record ServiceRoute(string Prefix, string Service, bool RequiresUser = false, long? MaxBodyBytes = null);
