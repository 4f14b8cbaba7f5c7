using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

public static class PostgresExtensions
{
    /// <summary>The connection name the AppHost gives every service (<c>ConnectionStrings__postgres</c>).</summary>
    public const string ConnectionName = "postgres";

    /// <summary>
    /// The service's PostgreSQL through Aspire's Npgsql client integration (one <see cref="NpgsqlDataSource"/>, its
    /// health check, tracing and metrics), a 503 for requests that lose the connection
    /// (<see cref="DatabaseUnavailableExceptionHandler"/>), plus a hosted service that applies the service's embedded migrations to
    /// its own <paramref name="schema"/> before anything else starts.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase(this IHostApplicationBuilder builder, string schema, Assembly migrationsAssembly)
    {
        builder.AddNpgsqlDataSource(ConnectionName);
        // A request that meets a lost connection answers 503 + Retry-After and empties the pool (the stale connections).
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        builder.Services.AddSingleton(sp => new MigrationRunner(
            sp.GetRequiredService<NpgsqlDataSource>(), schema, EmbeddedMigrations.Load(migrationsAssembly),
            sp.GetRequiredService<ILogger<MigrationRunner>>()));
        // Registered first so migrations run before the service's own hosted services start.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MigrationHostedService>());
        return builder;
    }
}

internal sealed class MigrationHostedService(MigrationRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.ApplyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
