using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using Scalpaiboard.AppHost.Health;
using Scalpaiboard.AppHost.Model;
using Scalpaiboard.AppHost.Resources;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// Scalpaiboard's application model, as an Aspire AppHost's Program.cs would declare it: postgres and redis, then
/// ingest, alerts and ai (waiting for both), the gateway (waiting for the three services) and the web UI
/// (waiting for the gateway), each project with Aspire's environment names.
/// </summary>
public sealed class ScalpaiboardModel
{
    public const string Database = "scalpaiboard";

    public static readonly IReadOnlyList<string> ProjectNames = ["ingest", "alerts", "ai", "gateway", "web"];

    private static readonly Dictionary<string, string[]> ProjectWaitFor = new()
    {
        ["ingest"] = ["postgres", "redis"],
        ["alerts"] = ["postgres", "redis"],
        ["ai"] = ["postgres", "redis"],
        ["gateway"] = ["postgres", "redis", "ingest", "alerts", "ai"],
        ["web"] = ["gateway"],
    };

    public required IReadOnlyList<ResourceSpec> Resources { get; init; }

    public required IReadOnlyDictionary<string, string> ServiceUrls { get; init; }

    public static ScalpaiboardModel Build(AppHostOptions options, RepositoryLayout layout, string dataPath, string postgresData,
        IReadOnlyDictionary<string, string> secrets, IReadOnlyDictionary<string, string?> callerEnvironment,
        HttpClient probeClient, ILogger logger)
    {
        bool Included(string name) => options.Only is null || options.Only.Contains(name, StringComparer.OrdinalIgnoreCase);

        // Free ports for internal servers, never one of the fixed ports nor one handed out already.
        var taken = new HashSet<int> { options.DashboardPort, options.GatewayPort, options.WebPort };
        int NextPort()
        {
            while (true)
            {
                var port = FreePort();
                if (taken.Add(port))
                {
                    return port;
                }
            }
        }

        var resources = new List<ResourceSpec>();
        var connectionStrings = new Dictionary<string, string>();

        var givenPostgres = callerEnvironment.GetValueOrDefault("ConnectionStrings__postgres");
        if (!string.IsNullOrWhiteSpace(givenPostgres))
        {
            connectionStrings["postgres"] = givenPostgres;
            resources.Add(ExternalPostgres(givenPostgres));
        }
        else if (Included("postgres"))
        {
            var postgres = new PostgresResource(postgresData, NextPort(), Database, logger);
            connectionStrings["postgres"] = postgres.ConnectionString;
            resources.Add(postgres.ToSpec());
        }

        var givenRedis = callerEnvironment.GetValueOrDefault("ConnectionStrings__redis");
        if (!string.IsNullOrWhiteSpace(givenRedis))
        {
            connectionStrings["redis"] = givenRedis;
            resources.Add(ExternalRedis(givenRedis));
        }
        else if (Included("redis"))
        {
            var redis = new RedisResource(RedisResource.DataDirectory(dataPath), NextPort());
            connectionStrings["redis"] = redis.ConnectionString;
            resources.Add(redis.ToSpec());
        }

        var projects = ProjectNames.Where(Included).ToList();
        var urls = projects.ToDictionary(p => p, p => "http://127.0.0.1:" + (p switch
        {
            "gateway" => options.GatewayPort,
            "web" => options.WebPort,
            _ => NextPort(),
        }).ToString(CultureInfo.InvariantCulture));

        var present = resources.Select(r => r.Name).Concat(projects).ToHashSet();
        foreach (var project in projects)
        {
            var environment = ProjectEnvironment(project, options, urls, connectionStrings, secrets, callerEnvironment);
            var folder = project == "ai" ? "Ai" : char.ToUpperInvariant(project[0]) + project[1..];
            var url = urls[project];
            resources.Add(new ResourceSpec
            {
                Name = project,
                Type = ResourceType.Project,
                PrepareAsync = _ =>
                {
                    var dll = layout.ProjectOutput(folder);
                    if (!File.Exists(dll))
                    {
                        throw new FileNotFoundException($"{dll} is missing: build the solution (./run.sh does).");
                    }
                    return Task.FromResult(new LaunchSpec(DotnetHost(), [dll], environment, layout.ProjectDirectory(folder)));
                },
                WaitFor = ProjectWaitFor[project].Where(present.Contains).ToList(),
                Health = new HttpHealthProbe(probeClient, new Uri(url + "/health")),
                Endpoints = [url],
            });
        }
        return new ScalpaiboardModel { Resources = resources, ServiceUrls = urls };
    }

    /// <summary>The environment Aspire would give a project, on top of the caller's (which the child inherits).</summary>
    internal static Dictionary<string, string?> ProjectEnvironment(string project, AppHostOptions options,
        IReadOnlyDictionary<string, string> urls, IReadOnlyDictionary<string, string> connectionStrings,
        IReadOnlyDictionary<string, string> secrets, IReadOnlyDictionary<string, string?> caller)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = urls[project],
            ["OTEL_SERVICE_NAME"] = project,
            // Ports come from ASPNETCORE_URLS only.
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
            ["HTTP_PORTS"] = null,
            ["HTTPS_PORTS"] = null,
        };
        foreach (var (name, value) in connectionStrings)
        {
            environment["ConnectionStrings__" + name] = value;
        }
        foreach (var (name, url) in urls)
        {
            if (name != project)
            {
                environment[$"services__{name}__http__0"] = url;
            }
        }
        // The browser calls the Gateway from the web UI's origin: allow whichever port the web UI got.
        if (project == "gateway" && urls.TryGetValue("web", out var web)
            && string.IsNullOrEmpty(caller.GetValueOrDefault("Gateway__CorsOrigins__0")))
        {
            environment["Gateway__CorsOrigins__0"] = web;
            environment["Gateway__CorsOrigins__1"] = web.Replace("://127.0.0.1:", "://localhost:", StringComparison.Ordinal);
        }
        foreach (var key in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            environment[key] = string.IsNullOrEmpty(caller.GetValueOrDefault(key)) ? options.Environment : caller[key];
        }
        foreach (var (key, value) in secrets)
        {
            if (string.IsNullOrEmpty(caller.GetValueOrDefault(key)))
            {
                environment[key] = value;
            }
        }
        return environment;
    }

    private static ResourceSpec ExternalPostgres(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        return new ResourceSpec
        {
            Name = "postgres",
            Type = ResourceType.Executable,
            Health = new PostgresProbe(connectionString),
            Endpoints = [$"tcp://{csb.Host}:{csb.Port.ToString(CultureInfo.InvariantCulture)}"],
        };
    }

    private static ResourceSpec ExternalRedis(string connectionString)
    {
        // StackExchange-style: host:port[,password=...][,...]
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var endpoint = parts.FirstOrDefault(p => !p.Contains('=', StringComparison.Ordinal)) ?? "127.0.0.1:6379";
        var password = parts.Select(p => p.Split('=', 2)).FirstOrDefault(kv => kv.Length == 2 && kv[0].Equals("password", StringComparison.OrdinalIgnoreCase))?[1];
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 && int.TryParse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture, out var p) ? p : 6379;
        return new ResourceSpec
        {
            Name = "redis",
            Type = ResourceType.Executable,
            Health = new RedisPingProbe(host, port, password),
            Endpoints = [$"tcp://{host}:{port.ToString(CultureInfo.InvariantCulture)}"],
        };
    }

    /// <summary>The dotnet host running us (so services run on the same runtime), else dotnet on PATH.</summary>
    public static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileName(self) == "dotnet")
        {
            return self;
        }
        return Supervision.Posix.Which("dotnet") ?? "dotnet";
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when nothing listens on 127.0.0.1:<paramref name="port"/> and we may bind it.</summary>
    public static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
