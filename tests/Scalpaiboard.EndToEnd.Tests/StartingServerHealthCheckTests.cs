using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalpaiboard.AppHost.Hosting;
using Scalpaiboard.Testing;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>The AppHost's PostgreSQL and Redis checks wait for a starting server instead of failing at once.</summary>
public sealed class StartingServerHealthCheckTests
{
    private sealed class ServerStartingAfter(int failures) : IHealthCheck
    {
        public int Calls { get; private set; }

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(++Calls > failures ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("connection refused"));
    }

    private static HealthCheckContext Context(IHealthCheck check) =>
        new() { Registration = new HealthCheckRegistration("server", check, HealthStatus.Unhealthy, null) };

    [Fact]
    public async Task A_server_that_starts_within_the_patience_is_healthy_on_the_first_check()
    {
        var server = new ServerStartingAfter(failures: 3);
        var check = new StartingServerHealthCheck(server, TimeSpan.FromSeconds(5));
        var result = await check.CheckHealthAsync(Context(check));
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(4, server.Calls);
    }

    [Fact]
    public async Task A_server_that_does_not_start_is_reported_unhealthy_after_the_patience()
    {
        var server = new ServerStartingAfter(failures: int.MaxValue);
        var check = new StartingServerHealthCheck(server, TimeSpan.FromMilliseconds(350));
        var result = await check.CheckHealthAsync(Context(check));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("connection refused", result.Description);
        Assert.InRange(server.Calls, 2, 5);
    }

    [Fact]
    public async Task The_registered_check_is_wrapped()
    {
        var services = new ServiceCollection().AddLogging();
        var server = new ServerStartingAfter(failures: 1);
        services.AddHealthChecks().AddCheck("postgres_check", server);
        services.WaitForServerInHealthCheck("postgres_check");
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["postgres_check"].Status);
        Assert.Equal(2, server.Calls);
    }

    /// <summary>With a port: the server's own check runs only once the port accepts connections.</summary>
    [Fact]
    public async Task With_a_port_the_check_waits_for_a_listener_before_asking_the_server()
    {
        var server = new ServerStartingAfter(failures: 0);
        var port = ServerProcess.FreePort();
        var check = new StartingServerHealthCheck(server, TimeSpan.FromSeconds(5), () => port);
        var checking = check.CheckHealthAsync(Context(check));
        await Task.Delay(300);
        Assert.False(checking.IsCompleted);
        Assert.Equal(0, server.Calls);

        using var late = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        late.Start();
        var result = await checking.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(1, server.Calls);
    }

    [Fact]
    public async Task With_a_port_where_nothing_listens_the_check_is_unhealthy_after_the_patience_without_asking_the_server()
    {
        var server = new ServerStartingAfter(failures: 0);
        var port = ServerProcess.FreePort();
        var check = new StartingServerHealthCheck(server, TimeSpan.FromMilliseconds(300), () => port);
        var result = await check.CheckHealthAsync(Context(check));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal($"nothing listens on 127.0.0.1:{port}", result.Description);
        Assert.Equal(0, server.Calls);
    }
}
