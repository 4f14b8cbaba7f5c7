using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Reflection;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.Configuration;

// PostgreSQL and redis-server are Debian's binaries: the AppHost runs on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Scalpaiboard.AppHost.Hosting;

public static class ServiceExtensions
{
    public const string Usage = """
        Scalpaiboard AppHost (Aspire): starts PostgreSQL, Redis and the services; the Aspire dashboard shows them.

        Usage: ./run.sh [options]      (or: dotnet run --project src/Scalpaiboard.AppHost -- [options])

          --dashboard-port <port>   the Aspire dashboard (default 18888)
          --gateway-port <port>     Gateway: REST /api, WebSocket /ws, /docs (default 8080)
          --web-port <port>         web UI (default 5000)
          --data <folder>           data folder (default: .scalpaiboard in the repository root)
          --environment <name>      the services' environment (default Development)
          --rotate-key-ring         a new certificate for the services' data-protection key rings; the old one is
                                    kept until --forget-previous-key-rings (docs/security.md)
          --forget-previous-key-rings  drop the certificates of earlier rotations (after every service started once)
          -h, --help                this text

        Environment: ConnectionStrings__postgres / ConnectionStrings__redis use those servers instead of starting
        our own; every other variable (Ingest__Feed=replay, ...) reaches every service.
        """;

    /// <summary>The data folder of this run, locked for it; a replay session's stores are cleared first.</summary>
    public static DataFolder AddDataFolder(this IDistributedApplicationBuilder builder)
    {
        var data = DataFolder.Choose(builder.Configuration);
        if (!data.TryLock())
        {
            throw new DistributedApplicationException($"Another AppHost is running on the data folder {data.Path}; stop it first (or use --data).");
        }
        // Held by the container for the AppHost's lifetime (a collected lock would be released); the kernel releases it when the process ends.
        builder.Services.AddSingleton(data);
        data.ClearSessionStores();
        builder.Services.TryAddEventingSubscriber<ResourceRestarts>();
        if (builder.Configuration["dashboard-port"] is { Length: > 0 } dashboardPort)
        {
            builder.Configuration["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port(dashboardPort, "--dashboard-port")}";
        }
        return data;
    }

    /// <summary>The certificate that encrypts the key rings and those of earlier rotations, as secret parameters.</summary>
    public static (IResourceBuilder<ParameterResource> Current, IResourceBuilder<ParameterResource> Previous) AddKeyRing(
        this IDistributedApplicationBuilder builder, DataFolder data) =>
        (builder.AddParameter("key-ring-certificate", data.KeyRingCertificate, secret: true),
         builder.AddParameter("key-ring-certificates-previous", data.PreviousKeyRingCertificates, secret: true));

    /// <summary>A service that keeps secrets at rest: the key-ring certificates (<c>Security:KeyRingCertificate</c>, <c>Security:PreviousKeyRingCertificates</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithKeyRing(this IResourceBuilder<ProjectResource> service,
        (IResourceBuilder<ParameterResource> Current, IResourceBuilder<ParameterResource> Previous) keyRing) =>
        service.WithEnvironment("Security__KeyRingCertificate", keyRing.Current)
            .WithEnvironment("Security__PreviousKeyRingCertificates", keyRing.Previous);

    /// <summary>
    /// A Scalpaiboard service: its HTTP endpoint on 127.0.0.1 (a fixed port for the two the browser reaches, a free one
    /// otherwise), /health as its health check, the identity signing key, the services' environment.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> signingKey, string? portOption = null, int defaultPort = 0)
        where TProject : IProjectMetadata, new()
    {
        int? port = portOption is null ? null : builder.Port(portOption, defaultPort);
        return builder.AddProject<TProject>(name, launchProfileName: null)
            .WithBuiltAssembly()
            .WithHttpEndpoint(port: port, isProxied: false)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("Identity__SigningKey", signingKey)
            .WithEnvironment(context => ForwardSettings(builder.Configuration, context))
            // A service must not hang on its last telemetry flush to a dashboard that is stopping with it.
            .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            // Metrics every 5 s instead of Aspire's 1 s: on two cores the dashboard took 4-5 % of one core reading five
            // services' metrics every second with nothing else going on (docs/performance.md); set the variable for
            // ./run.sh to choose another interval.
            .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", builder.Configuration["OTEL_METRIC_EXPORT_INTERVAL"] ?? "5000");
    }

    /// <summary>
    /// Starts the service's assembly, built with the AppHost, with <c>dotnet exec</c>: Aspire's default <c>dotnet run
    /// --no-build --project</c> evaluates the project with MSBuild first, about 2 s of CPU per service, and five services
    /// starting together on two cores wait for it (docs/performance.md, "Start-up"). The AppHost's build writes each
    /// service's assembly path into the AppHost assembly (Scalpaiboard.AppHost.csproj); without it, or if the file is
    /// gone, Aspire's default stays.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithBuiltAssembly(this IResourceBuilder<ProjectResource> service)
    {
        var projectPath = service.Resource.GetProjectMetadata().ProjectPath;
        var assembly = typeof(ServiceExtensions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ServiceAssembly:" + projectPath)?.Value;
        if (assembly is null || !File.Exists(assembly))
        {
            return service;
        }
        // ASPIREEXTENSION001: launch tool arguments are marked for evaluation in Aspire 13.6; they replace the
        // `run --project ... --no-build` prefix and keep everything else (environment, endpoints, working directory).
#pragma warning disable ASPIREEXTENSION001
        return service.WithLaunchToolArgs(context =>
        {
            context.Args.Add("exec");
            context.Args.Add(assembly);
        });
#pragma warning restore ASPIREEXTENSION001
    }

    /// <summary>The services' own settings sections, handed from the AppHost's configuration to every service.</summary>
    public static readonly string[] ServiceSections = ["Ingest", "Alerts", "Ai", "Gateway", "Web", "Security", "Notifications"];

    /// <summary>
    /// <c>Ingest__Feed=replay ./run.sh</c>: the caller's settings of the services' sections (environment variables,
    /// arguments, or a test's configuration) reach every service as environment variables.
    /// </summary>
    private static void ForwardSettings(IConfiguration configuration, EnvironmentCallbackContext context)
    {
        foreach (var section in ServiceSections)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null)
                {
                    context.EnvironmentVariables[key.Replace(":", "__", StringComparison.Ordinal)] = value;
                }
            }
        }
    }

    /// <summary>The port an option (<c>--gateway-port</c>, ...) names, or its default.</summary>
    public static int Port(this IDistributedApplicationBuilder builder, string option, int defaultPort) =>
        builder.Configuration[option] is { Length: > 0 } given ? Port(given, "--" + option) : defaultPort;

    private static int Port(string value, string option) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new DistributedApplicationException($"{option}: '{value}' is not a port number.");
}
