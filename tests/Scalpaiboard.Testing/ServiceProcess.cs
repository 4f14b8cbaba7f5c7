using System.Diagnostics;
using System.Text;
using Xunit;

namespace Scalpaiboard.Testing;

/// <summary>
/// One of our services as its own process on 127.0.0.1 (the build of the test project puts it beside its source,
/// <see cref="ServiceBinaries"/>), started through the test host's launcher so it dies with the host; its output is
/// kept for failure messages.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public ServiceProcess(string project, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = project;
        Port = port;
        Url = $"http://127.0.0.1:{port}";
        var dll = ServiceBinaries.Dll(project);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(dll);
        psi.Environment["ASPNETCORE_URLS"] = Url;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }
        _process = ServerLauncher.ForTestHost.Start(psi);
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Name { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Url { get; }

    public HttpClient Client { get; }

    /// <summary>The last lines the service wrote (for a failure message).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Waits until <paramref name="path"/> answers 2xx; fails with the service's output if it exits or takes too long.</summary>
    public async Task WaitHealthyAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"{Name} exited ({_process.ExitCode}):\n{Log}");
            }
            try
            {
                using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            Assert.True(DateTime.UtcNow < deadline, $"{Name} did not answer {path} within {timeout}:\n{Log}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Freezes (SIGSTOP) or thaws (SIGCONT) the process, so a test can look at its work in flight; frozen means every
    /// thread is really stopped (kill only queues the signal).
    /// </summary>
    public async Task FreezeAsync(bool frozen)
    {
        Posix.Kill(Pid, frozen ? Posix.SigStop : Posix.SigCont);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (frozen && !Posix.AllThreadsStopped(Pid))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Name} did not stop on SIGSTOP");
            await Task.Delay(1);
        }
    }

    /// <summary>SIGKILL, as a crash: nothing of the service's shutdown runs.</summary>
    public void Kill()
    {
        Posix.Kill(Pid, Posix.SigKill);
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

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length > 64_000)
            {
                _log.Remove(0, _log.Length - 32_000);
            }
            _log.AppendLine(line);
        }
    }
}
