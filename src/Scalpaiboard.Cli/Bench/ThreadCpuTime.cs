using System.Diagnostics;
using System.Globalization;

namespace Scalpaiboard.Cli.Bench;

/// <summary>
/// CPU time of the calling thread in nanoseconds (Linux: <c>/proc/thread-self/schedstat</c>), so that a benchmark
/// on a shared, oversubscribed machine measures its own work rather than time spent waiting for a core. Falls back
/// to wall-clock time where the file does not exist.
/// </summary>
public static class ThreadCpuTime
{
    private const string SchedStat = "/proc/thread-self/schedstat";

    public static bool IsAvailable { get; } = File.Exists(SchedStat);

    public static long NowNs()
    {
        if (IsAvailable)
        {
            var text = File.ReadAllText(SchedStat);
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            return long.Parse(text.AsSpan(0, space), CultureInfo.InvariantCulture);
        }
        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }
}
