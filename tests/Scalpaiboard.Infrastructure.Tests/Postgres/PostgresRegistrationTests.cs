using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Postgres;

public sealed class PostgresRegistrationTests
{
    /// <summary>The name Aspire.Npgsql registers its health check under.</summary>
    private const string PostgresHealthCheckName = "PostgreSql";

    private static HostApplicationBuilder Builder(string? connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        if (connectionString is not null)
        {
            builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:postgres", connectionString)]);
        }
        return builder;
    }

    [Fact]
    public void AddServiceDatabase_MissingConnectionString_ErrorNamesTheKey()
    {
        var builder = Builder(null);
        builder.AddServiceDatabase("svc", typeof(PostgresRegistrationTests).Assembly);
        using var host = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<NpgsqlDataSource>());
        Assert.Contains("ConnectionStrings:postgres", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddServiceDatabase_AppliesEmbeddedMigrationsAtStart_AndReportsHealthy()
    {
        var builder = Builder(await PostgresServer.Shared.CreateDatabaseAsync("reg"));
        builder.AddServiceDatabase("reg_svc", typeof(PostgresRegistrationTests).Assembly);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
            await using var cmd = dataSource.CreateCommand(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'reg_svc' AND table_name IN ('first_table', 'second_table')");
            Assert.Equal(2L, await cmd.ExecuteScalarAsync());

            var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(CancellationToken.None);
            Assert.Equal(HealthStatus.Healthy, report.Entries[PostgresHealthCheckName].Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task HealthCheck_DatabaseUnreachable_IsUnhealthy()
    {
        var builder = Builder($"Host=127.0.0.1;Port={ServerProcess.FreePort()};Username=postgres;Timeout=2");
        builder.AddServiceDatabase("unreachable", typeof(PostgresRegistrationTests).Assembly);
        using var host = builder.Build();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries[PostgresHealthCheckName].Status);
    }
}
