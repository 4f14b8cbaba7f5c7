using System.Globalization;
using System.Runtime.InteropServices;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

/// <summary>Signals and /proc: what `kill -INT` and `kill -9` do from a shell.</summary>
internal static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int KillNative(int pid, int signal);

    public static void Kill(int pid, int signal)
    {
        if (KillNative(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Alive and not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && stat.Length > close + 2 && stat[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the process ignores SIGINT (a non-interactive shell starts background jobs that way, and the
    /// disposition is inherited): then only SIGTERM stops it.
    /// </summary>
    public static bool IgnoresSigInt(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null
                && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
                && (mask & (1UL << (SigInt - 1))) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
