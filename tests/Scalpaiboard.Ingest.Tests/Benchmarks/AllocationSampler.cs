using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// Which types a benchmark allocates, sampled by the runtime's own GC AllocationTick event (one event per about
/// 100 KB allocated, naming the type of the allocation that crossed the mark): the profilers cannot be installed
/// here, and this needs nothing but the process itself. Counts are samples, so a type with n samples allocated
/// roughly n x 100 KB.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _collections = new();
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The types with the most sampled bytes, "type ~KB" each.</summary>
    public IEnumerable<string> Top(int count) =>
        _bytes.OrderByDescending(kv => kv.Value).Take(count).Select(kv => $"{kv.Key} ~{kv.Value / 1024} KB");

    /// <summary>Each collection while recording: "gen N (reason)".</summary>
    public IEnumerable<string> Collections => _collections;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventName is null || e.PayloadNames is null)
        {
            return;
        }
        if (e.EventName.StartsWith("GCStart", StringComparison.Ordinal))
        {
            // Reasons (runtime's gc_reason): 0 small-object budget, 1 induced, 4 large-object budget, 6 out of space (SOH)...
            _collections.Enqueue($"gen {e.Payload![e.PayloadNames.IndexOf("Depth")]} (reason {e.Payload[e.PayloadNames.IndexOf("Reason")]}, type {e.Payload[e.PayloadNames.IndexOf("Type")]})");
            return;
        }
        if (!e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))
        {
            return;
        }
        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload![a]) : 100_000;
        // Arrays by the size of the sampled object too (a pool that misses shows as many arrays of one size).
        if (type.EndsWith("[]", StringComparison.Ordinal) && e.PayloadNames.IndexOf("ObjectSize") is var o and >= 0)
        {
            type += $" of {Convert.ToInt64(e.Payload![o]) / 1024} KB";
        }
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }
}
