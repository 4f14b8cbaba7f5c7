using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scalpaiboard.AppHost.Supervision;

/// <summary>
/// The pid file: which processes this AppHost started (pid + start time, so a reused pid is never mistaken for
/// ours). A later AppHost reads it to stop children a killed AppHost left behind, as a second line of defence
/// after the parent-death signal.
/// </summary>
public sealed class ProcessRegistry(string? path)
{
    private readonly Dictionary<string, ChildProcess> _children = [];
    private readonly Lock _gate = new();

    public sealed record ChildProcess(string Name, int Pid, long StartTicks, int StopSignal);

    public sealed record Contents(int OwnerPid, long OwnerStartTicks, IReadOnlyList<ChildProcess> Children);

    public void Record(string name, int pid, int stopSignal)
    {
        lock (_gate)
        {
            _children[name] = new ChildProcess(name, pid, Posix.StartTicks(pid) ?? 0, stopSignal);
            Save();
        }
    }

    public void Forget(string name)
    {
        lock (_gate)
        {
            if (_children.Remove(name))
            {
                Save();
            }
        }
    }

    private void Save()
    {
        if (path is null)
        {
            return;
        }
        var contents = new Contents(Environment.ProcessId, Posix.StartTicks(Environment.ProcessId) ?? 0, [.. _children.Values]);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(contents, JsonOptions));
        File.Move(temp, path, overwrite: true);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>
    /// Stops the children recorded by an earlier AppHost that is no longer running: the stop signal to each
    /// group, a grace period, then SIGKILL. Returns the names of the processes found still alive.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReapOrphansAsync(string path, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        Contents? contents;
        try
        {
            contents = JsonSerializer.Deserialize<Contents>(await File.ReadAllTextAsync(path, cancellationToken), JsonOptions);
        }
        catch (JsonException)
        {
            return [];
        }
        if (contents is null || (Posix.IsAlive(contents.OwnerPid) && Posix.StartTicks(contents.OwnerPid) == contents.OwnerStartTicks
            && contents.OwnerPid != Environment.ProcessId))
        {
            return [];
        }
        var alive = contents.Children.Where(c => Posix.IsAlive(c.Pid) && Posix.StartTicks(c.Pid) == c.StartTicks).ToList();
        foreach (var child in alive)
        {
            Posix.Signal(child.Pid, child.StopSignal);
        }
        var deadline = DateTime.UtcNow + grace;
        while (alive.Any(c => Posix.IsAlive(c.Pid)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }
        foreach (var child in alive)
        {
            Posix.SignalGroup(child.Pid, Posix.SIGKILL);
            Posix.Signal(child.Pid, Posix.SIGKILL);
        }
        File.Delete(path);
        return alive.Select(c => $"{c.Name} (pid {c.Pid})").ToList();
    }
}
