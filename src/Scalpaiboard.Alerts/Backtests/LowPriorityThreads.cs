using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Scalpaiboard.Alerts.Backtests;

/// <summary>
/// A task scheduler over threads of its own that run at a raised nice value (a lower priority) on Linux, for CPU-bound
/// batch work that must not take the cores from the live paths: the backtest runner's workers. The value is a floor:
/// threads of a process that already runs at a higher one keep it. The thread pool's
/// threads are shared with everything else in the service, so their priority is left alone. Elsewhere than Linux the
/// threads run at normal priority. Dispose when no more work will be queued: the threads end once the queued tasks are done.
/// </summary>
public sealed partial class LowPriorityThreads : TaskScheduler, IDisposable
{
    private const int PrioProcess = 0;

    [ThreadStatic]
    private static LowPriorityThreads? t_owner;

    private readonly BlockingCollection<Task> _tasks = [];
    private readonly int _threads;

    public LowPriorityThreads(int threads, int niceness, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(niceness);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(niceness, 19);
        _threads = threads;
        for (var i = 0; i < threads; i++)
        {
            new Thread(() => Work(niceness)) { IsBackground = true, Name = $"{name} {i + 1}" }.Start();
        }
    }

    public override int MaximumConcurrencyLevel => _threads;

    /// <summary>The calling thread's nice value on Linux (null elsewhere, or when it cannot be read).</summary>
    public static int? CurrentNiceness()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        // /proc/thread-self/stat: field 19 is the nice value; the command name (field 2) is in parentheses and may hold spaces.
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.TryParse(fields[16], out var nice) ? nice : null;
    }

    /// <summary>No more tasks: each thread ends once the queued ones are done (not waited for here).</summary>
    public void Dispose() => _tasks.CompleteAdding();

    protected override void QueueTask(Task task) => _tasks.Add(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        ReferenceEquals(t_owner, this) && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    private void Work(int niceness)
    {
        t_owner = this;
        if (OperatingSystem.IsLinux() && CurrentNiceness() < niceness)
        {
            // Linux's nice is per thread (a thread is a task with its own id); raising it needs no privilege. A service
            // started at a higher nice value already (nice ./run.sh) keeps it.
            _ = SetPriority(PrioProcess, GetThreadId(), niceness);
        }
        foreach (var task in _tasks.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
