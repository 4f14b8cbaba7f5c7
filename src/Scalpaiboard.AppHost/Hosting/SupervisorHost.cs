using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// Starts supervision once the dashboard listens (so a dashboard that cannot bind starts nothing) and, on
/// Ctrl+C / SIGTERM, stops every resource in order before the host exits.
/// </summary>
internal sealed class SupervisorHost(Supervisor supervisor, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(supervisor.Start);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => supervisor.StopAsync();
}
