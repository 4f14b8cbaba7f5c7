using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>
/// The real ingest service as its own process on a free port (built beside its source by this project's build), for
/// tests that need the whole path: replayed candles -> PostgreSQL and the metrics stream -> this Alerts service.
/// </summary>
public sealed class IngestService : IDisposable
{
    private readonly Process _process;

    public IngestService(int port, IReadOnlyDictionary<string, string> environment)
    {
        Port = port;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(ServiceBinaries.Dll("Scalpaiboard.Ingest"));
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }
        _process = ServerLauncher.ForTestHost.Start(psi); // dies with the test host
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary><c>/api/feed/status</c>, or null while the service is not listening yet.</summary>
    public async Task<JsonElement?> StatusAsync()
    {
        Assert.False(_process.HasExited, "the ingest process exited");
        try
        {
            return await Client.GetFromJsonAsync<JsonElement>(new Uri("/api/feed/status", UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
