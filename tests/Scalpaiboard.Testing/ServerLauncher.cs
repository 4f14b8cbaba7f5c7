using System.Collections.Concurrent;
using System.Diagnostics;

namespace Scalpaiboard.Testing;

/// <summary>
/// Starts server processes that die with the test host, however it ends (a failed or cancelled run, vstest killing the
/// host, kill -9): each server is started through <c>setpriv --pdeathsig KILL</c>, which asks Linux to SIGKILL it when
/// its parent goes away, and then execs the server (same pid). Linux sends that signal when the parent
/// <em>thread</em> ends, not the process, so every start runs on this launcher's own thread, which lives until the
/// launcher is disposed; <see cref="ForTestHost"/> is never disposed, so it lives as long as the test host.
/// </summary>
public sealed class ServerLauncher : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> _requests = [];
    private readonly Thread _thread;

    /// <summary>The test host's launcher: the servers it starts live at most as long as the test host.</summary>
    public static ServerLauncher ForTestHost { get; } = new();

    public ServerLauncher()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "server launcher" };
        _thread.Start();
    }

    /// <summary>Starts <paramref name="psi"/> (its program and arguments behind <c>setpriv --pdeathsig KILL</c>) on the launcher's thread.</summary>
    public Process Start(ProcessStartInfo psi)
    {
        if (psi.FileName == "setpriv")
        {
            psi.ArgumentList.Insert(0, "--pdeathsig");
            psi.ArgumentList.Insert(1, "KILL");
        }
        else
        {
            psi.ArgumentList.Insert(0, "--pdeathsig");
            psi.ArgumentList.Insert(1, "KILL");
            psi.ArgumentList.Insert(2, psi.FileName);
            psi.FileName = "setpriv";
        }
        psi.UseShellExecute = false;
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((psi, started));
        return started.Task.GetAwaiter().GetResult();
    }

    private void Run()
    {
        foreach (var (psi, started) in _requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {string.Join(' ', psi.ArgumentList)}"));
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }

    /// <summary>Ends the launcher's thread: every server it started is killed by the kernel.</summary>
    public void Dispose()
    {
        _requests.CompleteAdding();
        _thread.Join();
        _requests.Dispose();
    }
}
