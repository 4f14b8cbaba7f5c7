using System.Diagnostics.Metrics;

namespace Scalpaiboard.Ai.Services;

/// <summary>
/// The service's own Meter (picked up by ServiceDefaults as <c>Scalpaiboard.*</c>). Spans of model calls and tool
/// calls come from Microsoft.Extensions.AI's and Semantic Kernel's own sources.
/// </summary>
public static class AiTelemetry
{
    public const string Name = "Scalpaiboard.Ai";

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Chats = Meter.CreateCounter<long>("scalpaiboard.ai.chats", description: "Chat requests by provider and outcome");

    public static readonly Counter<long> Tokens = Meter.CreateCounter<long>("scalpaiboard.ai.tokens", "{token}", "Provider-reported tokens by provider and kind");

    public static readonly Counter<long> ToolCalls = Meter.CreateCounter<long>("scalpaiboard.ai.tool_calls", description: "Tool invocations by tool and outcome");
}
