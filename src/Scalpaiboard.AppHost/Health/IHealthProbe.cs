namespace Scalpaiboard.AppHost.Health;

/// <summary>Answers whether a resource is ready to serve: true when healthy.</summary>
public interface IHealthProbe
{
    Task<bool> CheckAsync(CancellationToken cancellationToken);
}
