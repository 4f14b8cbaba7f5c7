using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Scalpaiboard.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry wiring without OpenTelemetry.Extensions.Hosting or the instrumentation packages (not in this
/// registry): the framework's built-in activity sources and meters are subscribed to by name, and the OTLP
/// exporter is switched on by <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
/// </summary>
public static class ServiceTelemetry
{
    /// <summary>Activity sources the framework emits natively in .NET 10, plus ours.</summary>
    public static readonly string[] ActivitySources =
    [
        "Microsoft.AspNetCore",
        "System.Net.Http",
        "Npgsql",
        "Scalpaiboard.*",
    ];

    /// <summary>Meters the framework emits natively in .NET 10, plus ours.</summary>
    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Identity",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Runtime",
        "Npgsql",
        "Scalpaiboard.*",
    ];

    public static bool ExporterEnabled(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static string ServiceName(IConfiguration configuration, string applicationName) =>
        configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : applicationName;

    public static IServiceCollection AddServiceTelemetry(this IServiceCollection services, IConfiguration configuration, string applicationName)
    {
        var serviceName = ServiceName(configuration, applicationName);
        var exporter = ExporterEnabled(configuration);
        services.AddSingleton(_ =>
        {
            var builder = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName))
                .AddSource(ActivitySources)
                .AddProcessor(new HealthProbeFilter());
            if (exporter)
            {
                builder.AddOtlpExporter();
            }
            return builder.Build();
        });
        services.AddSingleton(_ =>
        {
            var builder = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName))
                .AddMeter(Meters);
            if (exporter)
            {
                builder.AddOtlpExporter();
            }
            return builder.Build();
        });
        services.AddHostedService<TelemetryStarter>();
        return services;
    }

    public static ILoggingBuilder AddServiceTelemetryLogging(this ILoggingBuilder logging, IConfiguration configuration, string applicationName)
    {
        if (!ExporterEnabled(configuration))
        {
            return logging;
        }
        var serviceName = ServiceName(configuration, applicationName);
        logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
            o.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
            o.AddOtlpExporter();
        });
        return logging;
    }

    /// <summary>Creates the providers at start so listeners are attached before the first request.</summary>
    private sealed class TelemetryStarter(TracerProvider tracer, MeterProvider meter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracer);
            GC.KeepAlive(meter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracer.ForceFlush(2000);
            meter.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }

    /// <summary>Drops /health and /alive request spans before they reach the exporter.</summary>
    private sealed class HealthProbeFilter : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            var path = data.GetTagItem("url.path") as string ?? data.GetTagItem("http.target") as string;
            if (Microsoft.Extensions.Hosting.Extensions.IsHealthProbe(path))
            {
                data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            }
        }
    }
}
