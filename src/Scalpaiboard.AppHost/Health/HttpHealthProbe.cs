namespace Scalpaiboard.AppHost.Health;

/// <summary>Healthy when <c>GET {baseAddress}/health</c> answers 200, as Aspire's WithHttpHealthCheck.</summary>
public sealed class HttpHealthProbe(HttpClient client, Uri address) : IHealthProbe
{
    public Uri Address { get; } = address;

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(Address, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.StatusCode == System.Net.HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
