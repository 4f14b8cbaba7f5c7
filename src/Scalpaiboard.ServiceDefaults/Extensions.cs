using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Scalpaiboard service shares, as in Aspire's service defaults: OpenTelemetry exported to the Aspire
/// dashboard, health checks at /health and /alive, service discovery (<c>http://ingest</c> resolves through
/// <c>services__ingest__http__0</c>) and the standard resilience pipeline on every HttpClient.
/// </summary>
public static partial class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Our own activity sources and meters: one per service, all named Scalpaiboard.*.</summary>
    private const string OwnTelemetry = "Scalpaiboard.*";

    /// <summary>
    /// The assistant's AI stack: Semantic Kernel's function and connector sources and meters, and Microsoft.Extensions.AI's
    /// OpenTelemetry chat client (the name the Ai service gives it), so a chat turn shows its model calls and tool calls
    /// as one trace.
    /// </summary>
    private static readonly string[] AiTelemetry = ["Microsoft.SemanticKernel*", "Microsoft.Extensions.AI"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddProblemDetails();
        // Bad input throws in every environment (not only Development) and becomes a 4xx naming the field.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<Scalpaiboard.ServiceDefaults.BadRequestExceptionHandler>();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Only safe methods are retried: a POST that timed out may have created what it asked for.
            http.AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// A Telegram bot token travels in the URL path (<c>/bot123:ABC.../sendMessage</c>): the span's <c>url.full</c>
    /// and name must not carry it to the dashboard (query strings the runtime already redacts).
    /// </summary>
    private static void RedactSecretsInUrl(System.Diagnostics.Activity activity, HttpRequestMessage request)
    {
        if (request.RequestUri is { } uri && BotToken().IsMatch(uri.AbsolutePath))
        {
            var redacted = new UriBuilder(uri) { Path = BotToken().Replace(uri.AbsolutePath, "/bot{token}"), Query = "" }.Uri;
            activity.SetTag("url.full", redacted.ToString());
            activity.SetTag("url.path", redacted.AbsolutePath);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"/bot\d+:[^/]+", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex BotToken();

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(OwnTelemetry)
                .AddMeter(AiTelemetry))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, OwnTelemetry)
                .AddSource(AiTelemetry)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    // Health probes every few seconds would bury the requests people look for.
                    aspNetCore.Filter = context => !IsHealthProbe(context.Request.Path))
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = RedactSecretsInUrl));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>/health: every check passes (the Gateway and the AppHost read it). /alive: the process answers.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = WriteReportAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains("live"),
            ResponseWriter = WriteReportAsync,
        });
        return app;
    }

    private static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);

    /// <summary>The overall status and each check's, so an operator sees which dependency is down.</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var checks = report.Entries.ToDictionary(e => e.Key, e => new
        {
            status = e.Value.Status.ToString(),
            description = e.Value.Description,
            durationMs = e.Value.Duration.TotalMilliseconds,
        });
        return JsonSerializer.SerializeAsync(context.Response.Body,
            new { status = report.Status.ToString(), totalDurationMs = report.TotalDuration.TotalMilliseconds, checks },
            cancellationToken: context.RequestAborted);
    }
}
