using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>The ingest service as its own OS process (so a test can kill -9 it), on a free port.</summary>
public sealed class IngestProcess : IDisposable
{
    private readonly Process _process;

    public IngestProcess(IReadOnlyDictionary<string, string> environment)
    {
        Port = ServerProcess.FreePort();
        _process = Process.Start(StartInfo(Port, environment))!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    public async Task<JsonElement> WaitForStatusAsync(Func<JsonElement, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement status = default;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, "the ingest process exited");
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

    /// <summary>SIGKILL: no shutdown, no flushing.</summary>
    public void Kill()
    {
        ServerProcess.Run("kill", ["-9", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        _process.WaitForExit(10_000);
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

    /// <summary>How to start the service on <paramref name="port"/> with these environment variables (output redirected).</summary>
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
        if (!environment.ContainsKey("ConnectionStrings__redis"))
        {
            psi.Environment["ConnectionStrings__redis"] = RedisServer.Shared.ConnectionString;
        }
        return psi;
    }
}
