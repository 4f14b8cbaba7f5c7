using System.Text.Json.Nodes;

namespace Scalpaiboard.Ai.Services.Tools;

/// <summary>What the tools of one chat request know: who asks, in which conversation, and the last tool result
/// (for export_results), seeded from the stored conversation and updated by the loop after each round.</summary>
public sealed class ToolSession(string userId, Guid conversationId)
{
    private readonly Lock _gate = new();
    private (string Tool, JsonNode Result)? _last;

    public string UserId { get; } = userId;

    public Guid ConversationId { get; } = conversationId;

    public (string Tool, JsonNode Result)? LastResult
    {
        get { lock (_gate) { return _last; } }
    }

    public void RememberResult(string tool, JsonNode? result)
    {
        if (result is null || tool == AssistantTools.ExportResults || result is JsonObject o && o.ContainsKey("error"))
        {
            return;
        }
        lock (_gate)
        {
            _last = (tool, result.DeepClone());
        }
    }
}
