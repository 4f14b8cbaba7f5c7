using System.Net.Http.Json;
using System.Text.Json;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>
/// The real ingest service as its own process on a free port (<see cref="ServiceProcess"/>), for tests that need the
/// whole path: replayed candles -> PostgreSQL and the metrics stream -> this Alerts service.
/// </summary>
public sealed class IngestService(int port, IReadOnlyDictionary<string, string> environment) : IDisposable
{
    private readonly ServiceProcess _process = new("Scalpaiboard.Ingest", port, environment);

    public int Port => _process.Port;

    public HttpClient Client => _process.Client;

    /// <summary><c>/api/feed/status</c>, or null while the service is not listening yet.</summary>
    public async Task<JsonElement?> StatusAsync()
    {
        Assert.False(_process.HasExited, $"the ingest process exited:\n{_process.Log}");
        try
        {
            return await Client.GetFromJsonAsync<JsonElement>(new Uri("/api/feed/status", UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public void Dispose() => _process.Dispose();
}
