using System.Collections.Concurrent;
using System.Diagnostics;
using Scalpaiboard.AppHost.Model;

namespace Scalpaiboard.AppHost.Supervision;

/// <summary>
/// Starts every child process from one dedicated, long-lived thread, so that the parent-death signal
/// (<c>setpriv --pdeathsig</c>, which Linux ties to the thread that forked the child) fires only when the
/// AppHost process itself dies, including by SIGKILL. Each child also gets its own session (<c>setsid</c>) so a
/// terminal's Ctrl+C reaches only the AppHost, which then stops the children in order.
/// </summary>
public sealed class ProcessSpawner
{
    private static readonly Lazy<ProcessSpawner> Instance = new(() => new ProcessSpawner());

    private readonly BlockingCollection<Request> _requests = [];
    private readonly Thread _thread;
    private readonly string? _setsid = Posix.Which("setsid");
    private readonly string? _setpriv = Posix.Which("setpriv");

    /// <summary>The process-wide spawner: its thread lives as long as the process, never shorter.</summary>
    public static ProcessSpawner Shared => Instance.Value;

    private ProcessSpawner()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "apphost-spawner" };
        _thread.Start();
    }

    /// <summary>True when children die with the AppHost by the kernel's parent-death signal.</summary>
    public bool HasParentDeathSignal => _setpriv is not null;

    /// <summary>Starts a process; <paramref name="onOutput"/> receives each line of stdout ("stdout") and stderr ("stderr").</summary>
    public Task<Process> StartAsync(LaunchSpec launch, int parentDeathSignal, Action<string, string> onOutput)
    {
        var psi = Wrap(launch, parentDeathSignal);
        var request = new Request(psi, onOutput, new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously));
        _requests.Add(request);
        return request.Completion.Task;
    }

    internal ProcessStartInfo Wrap(LaunchSpec launch, int parentDeathSignal)
    {
        var argv = new List<string>();
        if (_setsid is not null)
        {
            argv.Add(_setsid);
        }
        var asUser = launch.RunAsUser is not null && Posix.IsRoot;
        if (_setpriv is not null)
        {
            argv.Add(_setpriv);
            if (asUser)
            {
                argv.AddRange([$"--reuid={launch.RunAsUser}", $"--regid={launch.RunAsUser}", "--init-groups"]);
            }
            // Set after the user switch (setpriv applies it last), since changing credentials clears it.
            argv.AddRange(["--pdeathsig", Posix.SignalName(parentDeathSignal)]);
        }
        else if (asUser)
        {
            throw new InvalidOperationException($"setpriv (util-linux) is needed to start {launch.FileName} as {launch.RunAsUser}.");
        }
        argv.Add(launch.FileName);
        argv.AddRange(launch.Arguments);

        var psi = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = launch.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in argv.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in launch.Environment)
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }
        return psi;
    }

    private void Run()
    {
        foreach (var request in _requests.GetConsumingEnumerable())
        {
            try
            {
                var process = new Process { StartInfo = request.StartInfo, EnableRaisingEvents = true };
                process.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is not null)
                    {
                        request.OnOutput("stdout", e.Data);
                    }
                };
                process.ErrorDataReceived += (_, e) =>
                {
                    if (e.Data is not null)
                    {
                        request.OnOutput("stderr", e.Data);
                    }
                };
                process.Start();
                // The children read nothing: give them an empty stdin rather than the terminal.
                process.StandardInput.Close();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                request.Completion.TrySetResult(process);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                request.Completion.TrySetException(e);
            }
        }
    }

    private sealed record Request(ProcessStartInfo StartInfo, Action<string, string> OnOutput, TaskCompletionSource<Process> Completion);
}
