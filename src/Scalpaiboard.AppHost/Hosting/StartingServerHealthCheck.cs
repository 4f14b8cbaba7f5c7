using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// A server's health check that, while the server does not answer, asks again every 100 ms for up to
/// <paramref name="patience"/> (<see cref="DefaultPatience"/>) before it answers Unhealthy. Aspire asks a resource that
/// answered Unhealthy again only after 1 s, then 2 s, 3 s..., and the services wait for PostgreSQL and Redis to be
/// Healthy (<c>WaitFor</c>): the first check runs a few milliseconds after the server's process starts, before it
/// listens, so without this every start waited one more polling interval (docs/performance.md, "Start-up"). The price:
/// a server that goes away later is reported Unhealthy up to <see cref="DefaultPatience"/> later.
/// </summary>
public sealed class StartingServerHealthCheck(IHealthCheck server, TimeSpan? patience = null) : IHealthCheck
{
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var giveUp = DateTime.UtcNow + (patience ?? DefaultPatience);
        while (true)
        {
            var result = await server.CheckHealthAsync(context, cancellationToken);
            if (result.Status == HealthStatus.Healthy || DateTime.UtcNow + Interval > giveUp)
            {
                return result;
            }
            await Task.Delay(Interval, cancellationToken);
        }
    }
}

public static class StartingServerHealthCheckExtensions
{
    /// <summary>Makes the registered health check <paramref name="name"/> a <see cref="StartingServerHealthCheck"/>.</summary>
    public static IServiceCollection WaitForServerInHealthCheck(this IServiceCollection services, string name) =>
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            var registration = options.Registrations.Single(r => r.Name == name);
            var factory = registration.Factory;
            registration.Factory = provider => new StartingServerHealthCheck(factory(provider));
        });
}
