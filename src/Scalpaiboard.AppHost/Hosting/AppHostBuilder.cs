using System.Net;
using Scalpaiboard.AppHost.Dashboard;
using Scalpaiboard.AppHost.Resources;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>Everything the AppHost does before supervision begins, and the wiring of the dashboard host.</summary>
public static class AppHostBuilder
{
    /// <summary>
    /// Checks ports and binaries, takes the data folder's lock, stops children a killed AppHost left behind,
    /// builds missing project outputs and creates the secrets; returns an error message or null.
    /// </summary>
    public static async Task<(ScalpaiboardModel? Model, string? Error)> PrepareAsync(AppHostOptions options, RepositoryLayout layout,
        string dataPath, IReadOnlyDictionary<string, string?> caller, HttpClient probeClient, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var (port, option) in new[] { (options.DashboardPort, "--dashboard-port") }
            .Concat(Included(options, "gateway") ? [(options.GatewayPort, "--gateway-port")] : [])
            .Concat(Included(options, "web") ? [(options.WebPort, "--web-port")] : []))
        {
            if (!ScalpaiboardModel.IsPortFree(port))
            {
                return (null, $"Port {port} on 127.0.0.1 is in use (is another AppHost running?). Stop what uses it or choose another with {option}.");
            }
        }

        var orphans = await ProcessRegistry.ReapOrphansAsync(PidFile(dataPath), TimeSpan.FromSeconds(10), cancellationToken);
        if (orphans.Count > 0)
        {
            AppHostLog.OrphansStopped(logger, string.Join(", ", orphans));
        }

        var missing = ScalpaiboardModel.ProjectNames.Where(p => Included(options, p))
            .Select(p => p == "ai" ? "Ai" : char.ToUpperInvariant(p[0]) + p[1..])
            .Where(p => !File.Exists(layout.ProjectOutput(p))).ToList();
        if (missing.Count > 0)
        {
            if (options.NoBuild)
            {
                return (null, $"Not built: {string.Join(", ", missing)} ({RepositoryLayout.Configuration}). Run ./run.sh, or drop --no-build.");
            }
            foreach (var project in missing)
            {
                AppHostLog.Building(logger, project, RepositoryLayout.Configuration);
                var build = await CommandRunner.RunAsync(ScalpaiboardModel.DotnetHost(),
                    ["build", layout.ProjectFile(project), "-c", RepositoryLayout.Configuration, "-v", "q", "--nologo"],
                    workingDirectory: layout.Root, timeout: TimeSpan.FromMinutes(10), cancellationToken: cancellationToken);
                if (build.ExitCode != 0)
                {
                    return (null, $"Building {project} failed:\n{build.Output.Trim()}");
                }
            }
        }

        var secrets = Secrets.LoadOrCreate(dataPath);
        var postgresData = Path.Combine(dataPath, "postgres");
        if (Included(options, "postgres") && string.IsNullOrEmpty(caller.GetValueOrDefault("ConnectionStrings__postgres"))
            && !await PostgresResource.OsUserCanReachAsync(dataPath, cancellationToken))
        {
            // e.g. a clone under /root: the postgres user cannot enter it, so its data lives under /var/lib instead.
            postgresData = PostgresResource.FallbackDataDirectory(dataPath);
            AppHostLog.PostgresDataElsewhere(logger, dataPath, postgresData);
        }
        if (DataFolders.StartsFreshSession(options, caller) && Directory.Exists(postgresData)
            && !File.Exists(Path.Combine(postgresData, "postmaster.pid")))
        {
            // A postmaster.pid left behind means a server may still be running on it: it is stopped as stale by
            // the postgres resource and that session's data is reused rather than deleted under it.
            AppHostLog.ReplaySessionCleared(logger, postgresData);
            Directory.Delete(postgresData, recursive: true);
        }
        var redisData = RedisResource.DataDirectory(dataPath);
        if (DataFolders.StartsFreshSession(options, caller) && string.IsNullOrEmpty(caller.GetValueOrDefault("ConnectionStrings__redis"))
            && Directory.Exists(redisData))
        {
            // The session's Redis too (its append-only file): an earlier replay's metrics stream is not this one's.
            // The previous run's redis-server, if any, was reaped above with the other orphans.
            AppHostLog.ReplaySessionCleared(logger, redisData);
            Directory.Delete(redisData, recursive: true);
        }
        var model = ScalpaiboardModel.Build(options, layout, dataPath, postgresData, secrets, caller, probeClient, logger);
        return (model, null);
    }

    public static string PidFile(string dataPath) => Path.Combine(dataPath, "apphost.pids.json");

    private static bool Included(AppHostOptions options, string name) =>
        options.Only is null || options.Only.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The dashboard host: Kestrel on 127.0.0.1:DashboardPort, the supervisor as a hosted service.</summary>
    public static WebApplication BuildDashboard(AppHostOptions options, ScalpaiboardModel model, string dataPath)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.DashboardPort));
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(45));
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddSingleton(sp => new Supervisor(model.Resources,
            new SupervisorOptions { PidFile = PidFile(dataPath) },
            sp.GetRequiredService<ILoggerFactory>(), new ConsoleLogSink(Console.Out)));
        builder.Services.AddHostedService<SupervisorHost>();
        var app = builder.Build();
        var supervisor = app.Services.GetRequiredService<Supervisor>();
        model.ServiceUrls.TryGetValue("web", out var web);
        model.ServiceUrls.TryGetValue("gateway", out var gateway);
        app.MapDashboardApi(supervisor, new DashboardLinks(web, gateway, gateway is null ? null : gateway + "/docs", gateway is null ? null : gateway + "/api/health"));
        return app;
    }

    public static void PrintWelcome(AppHostOptions options, ScalpaiboardModel model, string dataPath)
    {
        var lines = new List<string>
        {
            "",
            $"  Scalpaiboard AppHost dashboard: http://127.0.0.1:{options.DashboardPort}",
        };
        if (model.ServiceUrls.TryGetValue("web", out var web))
        {
            lines.Add($"  Web UI:                         {web}");
        }
        if (model.ServiceUrls.TryGetValue("gateway", out var gateway))
        {
            lines.Add($"  Gateway (REST /api, /ws, docs): {gateway}  ({gateway}/docs)");
        }
        lines.Add($"  Data folder:                    {dataPath}");
        lines.Add("  Stop with Ctrl+C.");
        lines.Add("");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
