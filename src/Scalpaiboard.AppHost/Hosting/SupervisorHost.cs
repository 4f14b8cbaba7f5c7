using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>Starts supervision with the host and, on Ctrl+C / SIGTERM, stops every resource in order before the host exits.</summary>
internal sealed class SupervisorHost(Supervisor supervisor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        supervisor.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => supervisor.StopAsync();
}
