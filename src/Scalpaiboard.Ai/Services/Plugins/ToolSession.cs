using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// Who the plugin functions of one kernel act for: the user (from the Gateway's signed identity), the conversation
/// (none for an MCP client), and the last tool result (for export_results), seeded from the stored conversation
/// and updated by <see cref="Filters.ToolEventsFilter"/>. It travels in <see cref="Kernel.Data"/>; a kernel without it
/// runs no plugin function (<see cref="Filters.UserAuthorizationFilter"/>).
/// </summary>
public sealed class ToolSession(string userId, Guid? conversationId)
{
    private const string DataKey = "scalpaiboard.session";

    private readonly Lock _gate = new();
    private (string Tool, JsonNode Result)? _last;

    public string UserId { get; } = userId;

    public Guid? ConversationId { get; } = conversationId;

    public (string Tool, JsonNode Result)? LastResult
    {
        get { lock (_gate) { return _last; } }
    }

    public void RememberResult(string tool, JsonNode? result)
    {
        tool = ToolNames.Bare(tool);
        if (result is null || tool == ToolNames.ExportResults || result is JsonObject o && o.ContainsKey("error"))
        {
            return;
        }
        lock (_gate)
        {
            _last = (tool, result.DeepClone());
        }
    }

    public void AttachTo(Kernel kernel) => kernel.Data[DataKey] = this;

    /// <summary>The session of a kernel, or null when the kernel carries none.</summary>
    public static ToolSession? Of(Kernel kernel) =>
        kernel.Data.TryGetValue(DataKey, out var value) && value is ToolSession { UserId.Length: > 0 } session ? session : null;

    /// <summary>The session a plugin function runs in; <see cref="Filters.UserAuthorizationFilter"/> has checked it exists.</summary>
    public static ToolSession Require(Kernel kernel) =>
        Of(kernel) ?? throw new UnauthorizedAccessException("No user: the assistant's functions run only for an authenticated user.");
}
