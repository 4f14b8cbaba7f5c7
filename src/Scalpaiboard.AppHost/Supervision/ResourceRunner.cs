using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scalpaiboard.AppHost.Model;

namespace Scalpaiboard.AppHost.Supervision;

internal enum ResourceCommand
{
    Start,
    Stop,
    Restart,
}

/// <summary>
/// Runs one resource: waits for its dependencies, starts the process, probes its health, restarts it with
/// backoff when it crashes, obeys start/stop/restart, and stops it gracefully (signal, wait, kill the group)
/// when the supervisor shuts down. Only this runner's loop touches its process, so there are no races
/// between a crash, a command and shutdown.
/// </summary>
public sealed partial class ResourceRunner
{
    private readonly Supervisor _supervisor;
    private readonly Channel<ResourceCommand> _commands = Channel.CreateUnbounded<ResourceCommand>();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private readonly ILogger _logger;

    private ResourceState _state = ResourceState.Starting;
    private HealthStatus _health = HealthStatus.Unknown;
    private int? _pid;
    private int _restarts;
    private DateTimeOffset? _startedAt;
    private int? _exitCode;
    private string? _detail;
    private Task _loop = Task.CompletedTask;
    private TimeSpan? _graceCap;

    internal ResourceRunner(ResourceSpec spec, Supervisor supervisor, ILogger logger)
    {
        Spec = spec;
        _supervisor = supervisor;
        _logger = logger;
        Logs = new LogBuffer(supervisor.Options.LogCapacity);
    }

    public ResourceSpec Spec { get; }

    public string Name => Spec.Name;

    public LogBuffer Logs { get; }

    public bool IsReady
    {
        get
        {
            lock (_gate)
            {
                return _state == ResourceState.Running && _health == HealthStatus.Healthy;
            }
        }
    }

    public ResourceSnapshot Snapshot()
    {
        var now = _supervisor.Time.GetUtcNow();
        lock (_gate)
        {
            var running = _state == ResourceState.Running;
            return new ResourceSnapshot(
                Spec.Name,
                Spec.Type == ResourceType.Project ? "project" : "executable",
                _state.ToString(),
                _health.ToString(),
                running ? _pid : null,
                _restarts,
                Spec.Endpoints,
                running ? _startedAt : null,
                running && _startedAt is { } at ? Math.Round((now - at).TotalSeconds, 1) : null,
                _exitCode,
                _detail,
                Spec.WaitFor,
                Spec.IsExternal);
        }
    }

    internal void Begin(bool autoStart) => _loop = Task.Run(() => RunAsync(autoStart));

    internal bool Send(ResourceCommand command) => !Spec.IsExternal && _commands.Writer.TryWrite(command);

    /// <summary>Stops the resource for good (graceful signal, then kill) and ends its loop.</summary>
    internal async Task ShutdownAsync(TimeSpan? grace = null)
    {
        _graceCap = grace;
        await _shutdown.CancelAsync();
        await _loop;
    }

    private void Set(ResourceState? state = null, HealthStatus? health = null, string? detail = null, bool clearDetail = false)
    {
        lock (_gate)
        {
            _state = state ?? _state;
            _health = health ?? _health;
            if (detail is not null || clearDetail)
            {
                _detail = detail;
            }
        }
    }

    private void System(string text)
    {
        Logs.Add("system", text, _supervisor.Time.GetUtcNow());
        _supervisor.Console?.Write(Spec.Name, text);
    }

    private async Task RunAsync(bool autoStart)
    {
        var stopping = _shutdown.Token;
        try
        {
            if (Spec.IsExternal)
            {
                await RunExternalAsync(stopping);
                return;
            }
            var wantRunning = autoStart;
            var failures = 0;
            while (!stopping.IsCancellationRequested)
            {
                if (!wantRunning)
                {
                    Set(ResourceState.Stopped, HealthStatus.Unknown, clearDetail: true);
                    var command = await NextCommandAsync(null, stopping);
                    wantRunning = command is ResourceCommand.Start or ResourceCommand.Restart;
                    continue;
                }

                Set(ResourceState.Starting, HealthStatus.Unknown);
                var interrupted = await WaitForDependenciesAsync(stopping);
                if (interrupted is ResourceCommand.Stop)
                {
                    wantRunning = false;
                    continue;
                }
                if (interrupted is not null)
                {
                    continue;
                }

                var outcome = await RunOnceAsync(stopping);
                switch (outcome.Kind)
                {
                    case RunOutcomeKind.Stopped:
                        wantRunning = false;
                        failures = 0;
                        continue;
                    case RunOutcomeKind.Restart:
                        IncrementRestarts();
                        failures = 0;
                        continue;
                    case RunOutcomeKind.Shutdown:
                        return;
                }

                // Crashed (or could not start): back off, then try again.
                failures = _supervisor.Options.Backoff.NextFailureCount(failures, outcome.Uptime);
                var delay = _supervisor.Options.Backoff.Delay(failures);
                System($"restarting in {delay.TotalSeconds:0.###} s (attempt {failures})");
                var during = await NextCommandAsync(Task.Delay(delay, _supervisor.Time, stopping), stopping);
                if (stopping.IsCancellationRequested)
                {
                    return;
                }
                if (during is ResourceCommand.Stop)
                {
                    wantRunning = false;
                    continue;
                }
                IncrementRestarts();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // shutdown while waiting
        }
        finally
        {
            lock (_gate)
            {
                _state = ResourceState.Stopped;
                _health = HealthStatus.Unknown;
                _detail = null;
            }
        }
    }

    private void IncrementRestarts()
    {
        lock (_gate)
        {
            _restarts++;
        }
    }

    private async Task RunExternalAsync(CancellationToken stopping)
    {
        Set(ResourceState.Running, HealthStatus.Unknown, "external: started elsewhere");
        while (!stopping.IsCancellationRequested)
        {
            await ProbeOnceAsync(stopping);
            await Task.Delay(_supervisor.Options.HealthInterval, _supervisor.Time, stopping);
        }
    }

    /// <summary>Waits until every WaitFor resource is ready; returns a command that interrupted the wait, else null.</summary>
    private async Task<ResourceCommand?> WaitForDependenciesAsync(CancellationToken stopping)
    {
        while (true)
        {
            var missing = Spec.WaitFor.Where(name => !_supervisor.IsReady(name)).ToList();
            if (missing.Count == 0)
            {
                Set(clearDetail: true);
                return null;
            }
            Set(detail: "waiting for " + string.Join(", ", missing));
            var command = await NextCommandAsync(Task.Delay(TimeSpan.FromMilliseconds(250), _supervisor.Time, stopping), stopping);
            stopping.ThrowIfCancellationRequested();
            if (command is ResourceCommand.Stop)
            {
                return command;
            }
        }
    }

    /// <summary>
    /// Waits for <paramref name="other"/> to finish (null: forever) or a command to arrive; returns the command, or null
    /// when <paramref name="other"/> finished first. A command is only consumed when it is returned.
    /// </summary>
    private async Task<ResourceCommand?> NextCommandAsync(Task? other, CancellationToken stopping)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Task<bool> waitCommand = _commands.Reader.WaitToReadAsync(abandon.Token).AsTask();
        Task done = other is null ? waitCommand : await Task.WhenAny(waitCommand, other);
        if (done == other)
        {
            // Do not leave a waiter behind on the channel.
            await abandon.CancelAsync();
            try
            {
                await waitCommand;
            }
            catch (OperationCanceledException)
            {
            }
            try
            {
                await other;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            return null;
        }
        await waitCommand;
        return _commands.Reader.TryRead(out var command) ? command : null;
    }

    private enum RunOutcomeKind
    {
        Crashed,
        Stopped,
        Restart,
        Shutdown,
    }

    private readonly record struct RunOutcome(RunOutcomeKind Kind, TimeSpan Uptime = default);

    private async Task<RunOutcome> RunOnceAsync(CancellationToken stopping)
    {
        LaunchSpec launch;
        Process process;
        try
        {
            launch = await Spec.PrepareAsync!(stopping);
            process = await ProcessSpawner.Shared.StartAsync(launch, Spec.StopSignal, OnOutput);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return new RunOutcome(RunOutcomeKind.Shutdown);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (_gate)
            {
                _state = ResourceState.Failed;
                _detail = "could not start: " + e.Message;
            }
            System("could not start: " + e.Message);
            LogStartFailed(_logger, Spec.Name, e.Message);
            return new RunOutcome(RunOutcomeKind.Crashed);
        }

        using var owned = process;
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        if (process.HasExited)
        {
            exited.TrySetResult();
        }
        var pid = process.Id;
        var started = _supervisor.Time.GetUtcNow();
        lock (_gate)
        {
            _state = ResourceState.Running;
            _health = Spec.Health is null ? HealthStatus.Healthy : HealthStatus.Unhealthy;
            _pid = pid;
            _startedAt = started;
            _exitCode = null;
            _detail = null;
        }
        _supervisor.Processes.Record(Spec.Name, pid, Spec.StopSignal);
        System($"started pid {pid}: {launch.FileName} {string.Join(' ', launch.Arguments)}");
        LogStarted(_logger, Spec.Name, pid);

        using var probing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var probeLoop = Spec.Health is null ? Task.CompletedTask : ProbeLoopAsync(probing.Token);
        try
        {
            while (true)
            {
                var command = await NextCommandAsync(exited.Task, stopping);
                if (command is null && exited.Task.IsCompleted)
                {
                    var uptime = _supervisor.Time.GetUtcNow() - started;
                    var code = SafeExitCode(process);
                    // Leftovers of the process group (e.g. PostgreSQL backends) go with their leader.
                    Posix.SignalGroup(pid, Posix.SIGKILL);
                    lock (_gate)
                    {
                        _state = code == 0 ? ResourceState.Exited : ResourceState.Failed;
                        _health = HealthStatus.Unknown;
                        _exitCode = code;
                    }
                    System($"exited with code {code} after {uptime.TotalSeconds:0.#} s");
                    LogExited(_logger, Spec.Name, pid, code);
                    return new RunOutcome(RunOutcomeKind.Crashed, uptime);
                }
                if (command is ResourceCommand.Start)
                {
                    continue;
                }
                if (command is ResourceCommand.Stop or ResourceCommand.Restart)
                {
                    await StopProcessAsync(process, pid, exited.Task);
                    return new RunOutcome(command is ResourceCommand.Stop ? RunOutcomeKind.Stopped : RunOutcomeKind.Restart);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await StopProcessAsync(process, pid, exited.Task);
            return new RunOutcome(RunOutcomeKind.Shutdown);
        }
        finally
        {
            await probing.CancelAsync();
            await probeLoop;
            _supervisor.Processes.Forget(Spec.Name);
        }
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>The stop signal to the process, a grace period, then SIGKILL to its whole process group.</summary>
    private async Task StopProcessAsync(Process process, int pid, Task exited)
    {
        lock (_gate)
        {
            _detail = "stopping";
        }
        System($"stopping pid {pid} with SIG{Posix.SignalName(Spec.StopSignal)}");
        var timeout = _graceCap is { } cap && cap < Spec.StopTimeout ? cap : Spec.StopTimeout;
        if (!exited.IsCompleted)
        {
            Posix.Signal(pid, Spec.StopSignal);
            await Task.WhenAny(exited, Task.Delay(timeout, _supervisor.Time));
        }
        if (!exited.IsCompleted)
        {
            System($"did not stop within {timeout.TotalSeconds:0.#} s: killing");
        }
        Posix.SignalGroup(pid, Posix.SIGKILL);
        Posix.Signal(pid, Posix.SIGKILL);
        await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(5), _supervisor.Time));
        lock (_gate)
        {
            _state = ResourceState.Stopped;
            _health = HealthStatus.Unknown;
            _exitCode = exited.IsCompleted ? SafeExitCode(process) : null;
            _detail = null;
        }
        System("stopped");
    }

    private async Task ProbeLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var healthy = await ProbeOnceAsync(cancellationToken);
                // Poll quickly until the first success so dependents start early, then every HealthInterval.
                var interval = healthy ? _supervisor.Options.HealthInterval : _supervisor.Options.StartupProbeInterval;
                await Task.Delay(interval, _supervisor.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> ProbeOnceAsync(CancellationToken cancellationToken)
    {
        if (Spec.Health is null)
        {
            return true;
        }
        bool healthy;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_supervisor.Options.ProbeTimeout);
            try
            {
                healthy = await Spec.Health.CheckAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                healthy = false;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        HealthStatus previous;
        lock (_gate)
        {
            previous = _health;
            if (_state == ResourceState.Running)
            {
                _health = healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy;
            }
        }
        if (previous == HealthStatus.Healthy && !healthy)
        {
            System("health check failing");
        }
        else if (previous != HealthStatus.Healthy && healthy)
        {
            System("healthy");
        }
        return healthy;
    }

    private void OnOutput(string stream, string line)
    {
        Logs.Add(stream, line, _supervisor.Time.GetUtcNow());
        _supervisor.Console?.Write(Spec.Name, line);
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "{Resource} started (pid {Pid})")]
    private static partial void LogStarted(ILogger logger, string resource, int pid);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "{Resource} (pid {Pid}) exited with code {ExitCode}")]
    private static partial void LogExited(ILogger logger, string resource, int pid, int exitCode);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "{Resource} could not start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string resource, string reason);
}
