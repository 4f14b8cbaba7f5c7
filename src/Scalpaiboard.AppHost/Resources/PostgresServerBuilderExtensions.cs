using Microsoft.Extensions.DependencyInjection;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Scalpaiboard.AppHost.Hosting;

namespace Aspire.Hosting;

public static class PostgresServerBuilderExtensions
{
    private const string LauncherScript = "Resources/postgres-server.sh";

    /// <summary>
    /// The <paramref name="name"/> PostgreSQL server: the one <c>ConnectionStrings__{name}</c> names when it is given,
    /// otherwise Debian's server, started from <paramref name="data"/>'s folder with a password generated on the first run.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresServer(this IDistributedApplicationBuilder builder,
        string name, DataFolder data, string database)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)))
        {
            return builder.AddConnectionString(name);
        }
        var bin = FindBinDirectory() ?? throw new DistributedApplicationException(
            "PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (./run.sh does).");
        var password = builder.AddParameter($"{name}-password", () => data.Secret("postgres-password"), secret: true);
        var server = new PostgresServerResource(name, Path.Combine(AppContext.BaseDirectory, LauncherScript), data.Path, password.Resource, database);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException($"The {name} connection string is not available yet."),
            name: healthCheck);
        builder.Services.WaitForServerInHealthCheck(healthCheck, () => server.PrimaryEndpoint.Port);

        return builder.AddResource(server)
            .WithEndpoint(name: PostgresServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(bin);
                context.Args.Add(data.Postgres);
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add(database);
            })
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithHealthCheck(healthCheck)
            .WithIconName("Database");
    }

    /// <summary>The newest /usr/lib/postgresql/N/bin holding initdb.</summary>
    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        return Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault()
            : null;
    }
}
