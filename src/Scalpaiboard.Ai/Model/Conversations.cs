using System.Text.Json.Nodes;

namespace Scalpaiboard.Ai.Model;

public sealed record ConversationSummary(Guid Id, string Title, string Provider, DateTime CreatedAt, DateTime UpdatedAt, int MessageCount);

public sealed record ConversationDetail(Guid Id, string Title, string Provider, DateTime CreatedAt, DateTime UpdatedAt,
    IReadOnlyList<StoredMessage> Messages);

public sealed record StoredToolCall(string Id, string Name, JsonObject Arguments);

/// <summary>A message as stored: user text, assistant text and tool calls, or one tool result.</summary>
public sealed record StoredMessage(long Id, string Role, string? Content, IReadOnlyList<StoredToolCall>? ToolCalls,
    string? ToolCallId, string? ToolName, string Status, string? Error, DateTime CreatedAt);

public static class MessageRoles
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
}

public static class MessageStatus
{
    public const string Ok = "ok";
    public const string Failed = "failed";
}
