using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Scalpaiboard.Cli.Bench;

/// <summary>
/// CPU time of the calling thread in nanoseconds (POSIX <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>), so that a
/// benchmark on a shared, oversubscribed machine measures its own work rather than time spent waiting for a core.
/// Falls back to wall-clock time where that clock is not available.
/// </summary>
public static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool IsAvailable { get; } = Probe();

    public static long NowNs()
    {
        if (IsAvailable && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
        {
            return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
        }
        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return ClockGetTime(ClockThreadCpuTimeId, out _) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for this one blittable call
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);
#pragma warning restore SYSLIB1054
}
