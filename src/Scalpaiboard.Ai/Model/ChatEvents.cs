using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Scalpaiboard.Ai.Model;

/// <summary>Body of <c>POST /api/ai/chat</c>.</summary>
public sealed record ChatRequest(string? Message, Guid? ConversationId, string? Provider);

public sealed record UsageTotals(long PromptTokens, long CompletionTokens, decimal Cost);

/// <summary>One server-sent event of the chat stream (<c>data: {json}</c>), shaped as CONTRACT.md says.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ContentEvent), "content")]
[JsonDerivedType(typeof(ToolCallEvent), "tool_call")]
[JsonDerivedType(typeof(ToolResultEvent), "tool_result")]
[JsonDerivedType(typeof(WarningEvent), "warning")]
[JsonDerivedType(typeof(DoneEvent), "done")]
[JsonDerivedType(typeof(ErrorEvent), "error")]
public abstract record ChatEvent;

public sealed record ContentEvent(string Content) : ChatEvent;

public sealed record ToolCallEvent(string Name, JsonObject Arguments, string CallId) : ChatEvent;

public sealed record ToolResultEvent(string Name, JsonNode? Result, string CallId) : ChatEvent;

/// <summary>Sent before the provider call when the month's spend has reached 80% of the budget.</summary>
public sealed record WarningEvent(string Message, decimal Spent, decimal Budget) : ChatEvent;

public sealed record DoneEvent(Guid ConversationId, UsageTotals Usage, string Provider, string Model) : ChatEvent;

public sealed record ErrorEvent(string Message, Guid? ConversationId = null) : ChatEvent;
