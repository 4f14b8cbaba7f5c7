using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.AppHost.Model;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Dashboard;

/// <summary>Links the dashboard page shows.</summary>
public sealed record DashboardLinks(string? Web, string? Gateway, string? GatewayDocs, string? GatewayHealth);

/// <summary>The dashboard: the HTML page and its API over the supervisor (resources, logs, live logs, commands).</summary>
public static class DashboardApi
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(DashboardApi).Assembly.GetManifestResourceStream("Dashboard.index.html")
            ?? throw new InvalidOperationException("Dashboard page resource missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app, Supervisor supervisor, DashboardLinks links)
    {
        app.MapGet("/", () => TypedResults.Content(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/api/info", () => TypedResults.Ok(links));

        var api = app.MapGroup("/api/resources");
        api.MapGet("/", () => TypedResults.Ok(supervisor.Snapshot()));
        api.MapGet("/{name}", Results<Ok<ResourceSnapshot>, NotFound> (string name) =>
            supervisor.Find(name) is { } r ? TypedResults.Ok(r.Snapshot()) : TypedResults.NotFound());
        api.MapGet("/{name}/logs", Results<Ok<IReadOnlyList<LogLine>>, NotFound> (string name, int? tail) =>
            supervisor.Find(name) is { } r ? TypedResults.Ok(r.Logs.Tail(Math.Clamp(tail ?? 500, 1, r.Logs.Capacity))) : TypedResults.NotFound());
        api.MapGet("/{name}/logs/stream", Results<ServerSentEventsResult<LogLine>, NotFound> (string name, int? tail,
            IHostApplicationLifetime lifetime, HttpContext context) =>
        {
            if (supervisor.Find(name) is not { } runner)
            {
                return TypedResults.NotFound();
            }
            return TypedResults.ServerSentEvents(Follow(runner.Logs, Math.Clamp(tail ?? 200, 0, runner.Logs.Capacity),
                context.RequestAborted, lifetime.ApplicationStopping), "log");
        });
        api.MapPost("/{name}/start", (string name) => Command(supervisor, name, supervisor.StartResource));
        api.MapPost("/{name}/stop", (string name) => Command(supervisor, name, supervisor.StopResource));
        api.MapPost("/{name}/restart", (string name) => Command(supervisor, name, supervisor.RestartResource));
        return app;
    }

    private static Results<Accepted<ResourceSnapshot>, NotFound, Conflict<string>> Command(Supervisor supervisor, string name, Func<string, bool> send)
    {
        if (supervisor.Find(name) is not { } runner)
        {
            return TypedResults.NotFound();
        }
        if (runner.Spec.IsExternal || !send(name))
        {
            return TypedResults.Conflict($"{name} is an external resource: the AppHost does not run it.");
        }
        return TypedResults.Accepted($"/api/resources/{name}", runner.Snapshot());
    }

    private static async IAsyncEnumerable<LogLine> Follow(LogBuffer logs, int tail, CancellationToken aborted, CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping, cancellationToken);
        var (recent, live, subscription) = logs.Subscribe(tail);
        using (subscription)
        {
            foreach (var line in recent)
            {
                yield return line;
            }
            while (true)
            {
                LogLine line;
                try
                {
                    line = await live.ReadAsync(linked.Token);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                catch (System.Threading.Channels.ChannelClosedException)
                {
                    yield break;
                }
                yield return line;
            }
        }
    }
}
