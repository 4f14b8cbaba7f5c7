using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Scalpaiboard.ServiceDefaults;
using Scalpaiboard.ServiceDefaults.Http;
using Scalpaiboard.ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire-shaped service defaults: telemetry, health checks, resilient HttpClients that resolve
/// logical service addresses, and problem details. Every service calls <see cref="AddServiceDefaults{TBuilder}"/>.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddServiceAddressResolution();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddServiceAddresses();
            http.AddStandardResilience();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddServiceTelemetry(builder.Configuration, builder.Environment.ApplicationName);
        builder.Logging.AddServiceTelemetryLogging(builder.Configuration, builder.Environment.ApplicationName);
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>/health: ready when every check passes. /alive: the process answers (checks tagged "live").</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        return app;
    }

    internal static bool IsHealthProbe(string? path) =>
        path is not null && (path.StartsWith(HealthEndpointPath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith(AlivenessEndpointPath, StringComparison.OrdinalIgnoreCase));

    internal static readonly ActivitySource Source = new("Scalpaiboard.ServiceDefaults");
}
