using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// Which methods the runtime compiles while a benchmark is timed, from its own MethodLoadVerbose events (JIT keyword):
/// the method, its optimization tier and when, so a slow minute's "JIT n ms" can be traced to the methods behind it.
/// </summary>
public sealed class JitRecorder : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly ConcurrentQueue<(long Timestamp, string Method)> _methods = new();
    private static readonly string[] TierNames = ["unknown", "min-opts", "optimized", "quick", "tier 1", "ready-to-run"];
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The methods compiled between two UTC times (ticks), "Namespace.Type::Method (tier)".</summary>
    public IEnumerable<string> Between(long from, long to) =>
        _methods.Where(m => m.Timestamp >= from && m.Timestamp < to).Select(m => m.Method);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventName is null || e.PayloadNames is null || !e.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal))
        {
            return;
        }
        string Field(string name) => e.PayloadNames.IndexOf(name) is var i and >= 0 ? Convert.ToString(e.Payload![i], System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";
        // MethodFlags bits 7-9: the optimization tier (TraceEvent's OptimizationTier; 4 is a hot method moved up to tier 1,
        // ReadyToRun code included).
        var tier = (long.Parse(Field("MethodFlags"), System.Globalization.CultureInfo.InvariantCulture) >> 7) & 7;
        var name = tier < TierNames.Length ? TierNames[tier] : tier.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _methods.Enqueue((e.TimeStamp.ToUniversalTime().Ticks, $"{Field("MethodNamespace")}::{Field("MethodName")} ({name})"));
    }
}
