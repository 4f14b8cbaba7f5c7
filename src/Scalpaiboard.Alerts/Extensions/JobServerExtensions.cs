using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Npgsql;
using Scalpaiboard.Alerts.Jobs;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Infrastructure.Postgres;

namespace Scalpaiboard.Alerts.Extensions;

/// <summary>
/// The Hangfire server of the Alerts service, shared by everything that runs as a job here (the scheduled jobs, and
/// background work such as backtests: enqueue through <see cref="IBackgroundJobClient"/>). Storage: PostgreSQL, schema
/// <see cref="Schema"/>, created by Hangfire itself. Every replica runs a server; Hangfire's distributed locks make a
/// recurring occurrence enqueue once and each job run on one worker.
/// </summary>
public static class JobServerExtensions
{
    public const string Schema = "hangfire";
    public const string DashboardPath = "/hangfire";

    public static IHostApplicationBuilder AddJobServer(this IHostApplicationBuilder builder, JobOptions jobs)
    {
        var connectionString = builder.Configuration.GetConnectionString(PostgresExtensions.ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{PostgresExtensions.ConnectionName} is not set; the AppHost sets it.");
        // Hangfire's connections come from a data source of its own: not traced (the scheduler polls every second),
        // and closed with the host (a pool keyed by connection string would outlive it). Hangfire handles its own
        // transactions, so no ambient-transaction enlistment.
        var hangfireConnections = new NpgsqlConnectionStringBuilder(connectionString) { Enlist = false, ApplicationName = "hangfire" }.ConnectionString;
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = true,
            // Workers wait on LISTEN/NOTIFY for new jobs instead of polling the queue table every 15 s.
            EnableLongPolling = true,
            // What a process that died leaves behind: a lock row, taken over after DistributedLockTimeout; a fetched
            // job, run again after InvisibilityTimeout (renewed while the job runs, so it may run longer).
            DistributedLockTimeout = jobs.DistributedLockTimeout,
            InvisibilityTimeout = jobs.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
        };
        var services = builder.Services;
        // The storage and activator as this host's own singletons. Hangfire's defaults read the process-wide
        // JobStorage.Current / JobActivator.Current that UsePostgreSqlStorage sets; with several hosts in one
        // process (the tests run two Alerts services side by side) they would share whichever was set last.
        services.AddKeyedSingleton(Schema, (_, _) => NpgsqlDataSource.Create(hangfireConnections));
        services.AddSingleton<JobStorage>(sp => new PostgreSqlStorage(
            new DataSourceConnectionFactory(sp.GetRequiredKeyedService<NpgsqlDataSource>(Schema)), storageOptions));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer((_, server) =>
        {
            server.ServerName = $"{builder.Environment.ApplicationName}-{Environment.MachineName}";
            server.SchedulePollingInterval = jobs.SchedulePollingInterval;
            server.WorkerCount = jobs.Workers;
        });
        // The dashboard's forms (trigger, delete, requeue) carry an antiforgery token when this is registered.
        services.AddAntiforgery();
        return builder;
    }

    /// <summary>The Hangfire dashboard at <see cref="DashboardPath"/>, for the operator only (<see cref="OperatorDashboardAuthorization"/>).</summary>
    public static IEndpointConventionBuilder MapJobDashboard(this IEndpointRouteBuilder app) =>
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            DashboardTitle = "Scalpaiboard jobs (Alerts)",
            AppPath = null,
            Authorization = [new OperatorDashboardAuthorization()],
        });
}

/// <summary>Hangfire.PostgreSql's connection factory over a data source (the package opens and disposes each connection).</summary>
internal sealed class DataSourceConnectionFactory(NpgsqlDataSource dataSource) : IConnectionFactory
{
    public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
}
