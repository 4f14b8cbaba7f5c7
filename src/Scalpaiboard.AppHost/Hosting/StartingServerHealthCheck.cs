using System.Net;
using System.Net.Sockets;
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
/// <para>
/// With <paramref name="port"/> (the server's port on 127.0.0.1), the inner check runs only once a TCP connection to it
/// is accepted: the Redis check (StackExchange.Redis) that first meets a closed port retries inside its connect timeout
/// and answered 1-5 s after the server listened; a refused connect costs microseconds.
/// </para>
/// </summary>
public sealed class StartingServerHealthCheck(IHealthCheck server, TimeSpan? patience = null, Func<int>? port = null) : IHealthCheck
{
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PortInterval = TimeSpan.FromMilliseconds(20);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var giveUp = DateTime.UtcNow + (patience ?? DefaultPatience);
        if (port is not null)
        {
            var p = port();
            while (!await ListensAsync(p, cancellationToken))
            {
                if (DateTime.UtcNow + PortInterval > giveUp)
                {
                    return new HealthCheckResult(context.Registration.FailureStatus, $"nothing listens on 127.0.0.1:{p}");
                }
                await Task.Delay(PortInterval, cancellationToken);
            }
        }
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

    private static async Task<bool> ListensAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

public static class StartingServerHealthCheckExtensions
{
    /// <summary>
    /// Makes the registered health check <paramref name="name"/> a <see cref="StartingServerHealthCheck"/>, which first
    /// waits for <paramref name="port"/> (when given) to accept connections.
    /// </summary>
    public static IServiceCollection WaitForServerInHealthCheck(this IServiceCollection services, string name, Func<int>? port = null) =>
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            var registration = options.Registrations.Single(r => r.Name == name);
            var factory = registration.Factory;
            registration.Factory = provider => new StartingServerHealthCheck(factory(provider), port: port);
        });
}
