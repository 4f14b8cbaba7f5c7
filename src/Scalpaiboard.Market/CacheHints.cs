using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Scalpaiboard.Market;

/// <summary>
/// Software prefetch: asks the core to bring cache lines in while it works on something else. Only a hint: a
/// prefetch never faults and changes no value (an address the GC has since moved merely wastes it). A no-op where
/// .NET exposes no prefetch instruction (non-x86).
/// </summary>
internal static unsafe class CacheHints
{
    private const int LineBytes = 64;

    /// <summary>The cache lines of <paramref name="value"/> (a struct in an array element or a field).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch<T>(ref T value)
        where T : struct
    {
        if (Sse.IsSupported)
        {
            var p = (byte*)Unsafe.AsPointer(ref value);
            var bytes = Unsafe.SizeOf<T>();
            for (var offset = 0; offset < bytes; offset += LineBytes)
            {
                Sse.Prefetch0(p + offset);
            }
        }
    }

    /// <summary>The cache lines of <paramref name="bytes"/> bytes from <paramref name="start"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch<T>(ref T start, int bytes)
    {
        if (Sse.IsSupported)
        {
            var p = (byte*)Unsafe.AsPointer(ref start);
            for (var offset = 0; offset < bytes; offset += LineBytes)
            {
                Sse.Prefetch0(p + offset);
            }
        }
    }

    /// <summary>The cache line of <c>array[index]</c> (the index must be in range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch<T>(T[] array, int index)
        where T : struct
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref array[index]));
        }
    }
}
