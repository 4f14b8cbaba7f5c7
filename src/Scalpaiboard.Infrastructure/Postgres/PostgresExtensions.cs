using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

public static class PostgresExtensions
{
    public const string ConnectionName = "postgres";

    /// <summary>
    /// Registers one <see cref="NpgsqlDataSource"/> from <c>ConnectionStrings:postgres</c>, a health check, and
    /// (when <paramref name="schema"/> is given) a hosted service that applies this service's embedded migrations
    /// before anything else starts.
    /// </summary>
    public static IHostApplicationBuilder AddPostgres(this IHostApplicationBuilder builder, string? schema = null,
        System.Reflection.Assembly? migrationsAssembly = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set (environment: ConnectionStrings__{ConnectionName}). " +
                "Start the system with ./run.sh, or give a PostgreSQL connection string.");
        }
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(csb.ApplicationName))
        {
            csb.ApplicationName = builder.Environment.ApplicationName;
        }
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(csb.ConnectionString).Build());
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", HealthStatus.Unhealthy, ["ready"]);
        if (schema is not null)
        {
            var assembly = migrationsAssembly ?? System.Reflection.Assembly.GetEntryAssembly()
                ?? throw new InvalidOperationException("No assembly to load migrations from.");
            builder.Services.AddSingleton(sp => new MigrationRunner(
                sp.GetRequiredService<NpgsqlDataSource>(), schema, EmbeddedMigrations.Load(assembly),
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<MigrationRunner>>()));
            // Registered first so migrations run before the service's own hosted services start.
            builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MigrationHostedService>());
        }
        return builder;
    }
}

internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable: " + ex.Message, ex);
        }
    }
}

internal sealed class MigrationHostedService(MigrationRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.ApplyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
