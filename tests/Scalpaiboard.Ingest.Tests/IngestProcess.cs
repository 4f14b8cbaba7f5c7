using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>The ingest service as its own OS process (so a test can kill -9 it), on a free port.</summary>
public sealed class IngestProcess : IDisposable
{
    private readonly ServiceProcess _process;

    public IngestProcess(IReadOnlyDictionary<string, string> environment)
    {
        var settings = new Dictionary<string, string>(environment);
        settings.TryAdd("ConnectionStrings__redis", RedisServer.Shared.ConnectionString);
        _process = new ServiceProcess("Scalpaiboard.Ingest", ServerProcess.FreePort(), settings);
    }

    public int Port => _process.Port;

    public HttpClient Client => _process.Client;

    public int Pid => _process.Pid;

    public async Task<JsonElement> WaitForStatusAsync(Func<JsonElement, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement status = default;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"the ingest process exited:\n{_process.Log}");
            try
            {
                status = await Client.GetFromJsonAsync<JsonElement>("/api/feed/status");
                if (until(status))
                {
                    return status;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        Assert.Fail($"status condition not met within {timeout}: {status}");
        return status;
    }

    /// <summary>SIGKILL, as a crash.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();

    /// <summary>How to start the service on <paramref name="port"/> with these environment variables (output redirected), for a test that runs it to its exit.</summary>
    public static ProcessStartInfo StartInfo(int port, IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(ServiceBinaries.Dll("Scalpaiboard.Ingest"));
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }
        psi.Environment.TryAdd("ConnectionStrings__redis", RedisServer.Shared.ConnectionString);
        return psi;
    }
}
