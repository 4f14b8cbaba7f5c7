using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;

namespace Scalpaiboard.Ai.Services.Providers;

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI SDK's <see cref="ChatClient"/>, for every OpenAI-compatible endpoint.
/// Text deltas are yielded as they arrive; tool calls are assembled from their streamed fragments and yielded
/// once the stream ends; the final chunk's usage becomes a <see cref="UsageContent"/>.
/// </summary>
public sealed class OpenAiCompatibleChatClient(ChatClient chat, string model) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }
        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var completionOptions = new ChatCompletionOptions();
        foreach (var tool in options?.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration fn)
            {
                completionOptions.Tools.Add(ChatTool.CreateFunctionTool(fn.Name, fn.Description,
                    BinaryData.FromString(fn.JsonSchema.GetRawText())));
            }
        }
        if (completionOptions.Tools.Count > 0 && options?.ToolMode is NoneChatToolMode)
        {
            completionOptions.ToolChoice = ChatToolChoice.CreateNoneChoice();
        }

        var calls = new SortedDictionary<int, PendingCall>();
        var modelId = model;
        await foreach (var update in chat.CompleteChatStreamingAsync(ToOpenAi(messages), completionOptions, cancellationToken))
        {
            modelId = update.Model ?? modelId;
            foreach (var part in update.ContentUpdate)
            {
                if (!string.IsNullOrEmpty(part.Text))
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, part.Text) { ModelId = modelId };
                }
            }
            foreach (var tc in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(tc.Index, out var pending))
                {
                    calls[tc.Index] = pending = new PendingCall();
                }
                pending.Id ??= tc.ToolCallId;
                pending.Name ??= tc.FunctionName;
                if (tc.FunctionArgumentsUpdate is { } args && !args.IsEmpty)
                {
                    pending.Arguments.Append(args.ToString());
                }
            }
            if (update.Usage is { } usage)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
                {
                    InputTokenCount = usage.InputTokenCount,
                    OutputTokenCount = usage.OutputTokenCount,
                    TotalTokenCount = usage.TotalTokenCount,
                })]) { ModelId = modelId };
            }
        }
        if (calls.Count > 0)
        {
            var contents = new List<AIContent>();
            foreach (var (index, call) in calls)
            {
                contents.Add(ToFunctionCall(call.Id ?? $"call_{index}", call.Name ?? "", call.Arguments.ToString()));
            }
            yield return new ChatResponseUpdate(ChatRole.Assistant, contents) { ModelId = modelId };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    internal static FunctionCallContent ToFunctionCall(string id, string name, string json)
    {
        try
        {
            var args = string.IsNullOrWhiteSpace(json)
                ? new Dictionary<string, object?>()
                : JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions) ?? [];
            return new FunctionCallContent(id, name, args);
        }
        catch (JsonException ex)
        {
            return new FunctionCallContent(id, name, new Dictionary<string, object?>())
            {
                Exception = new ArgumentException($"The arguments are not valid JSON: {ex.Message}", ex),
            };
        }
    }

    private static List<OpenAiChatMessage> ToOpenAi(IEnumerable<AiChatMessage> messages)
    {
        var list = new List<OpenAiChatMessage>();
        foreach (var m in messages)
        {
            if (m.Role == ChatRole.System)
            {
                list.Add(new SystemChatMessage(m.Text));
            }
            else if (m.Role == ChatRole.User)
            {
                list.Add(new UserChatMessage(m.Text));
            }
            else if (m.Role == ChatRole.Assistant)
            {
                var toolCalls = m.Contents.OfType<FunctionCallContent>()
                    .Select(c => ChatToolCall.CreateFunctionToolCall(c.CallId, c.Name,
                        BinaryData.FromString(JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions))))
                    .ToList();
                if (toolCalls.Count == 0)
                {
                    list.Add(new AssistantChatMessage(m.Text));
                    continue;
                }
                var assistant = new AssistantChatMessage(toolCalls);
                if (!string.IsNullOrEmpty(m.Text))
                {
                    assistant.Content.Add(ChatMessageContentPart.CreateTextPart(m.Text));
                }
                list.Add(assistant);
            }
            else if (m.Role == ChatRole.Tool)
            {
                foreach (var result in m.Contents.OfType<FunctionResultContent>())
                {
                    list.Add(new ToolChatMessage(result.CallId, ResultText(result.Result)));
                }
            }
        }
        return list;
    }

    internal static string ResultText(object? result) => result switch
    {
        null => "null",
        string s => s,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions),
    };

    private sealed class PendingCall
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public StringBuilder Arguments { get; } = new();
    }
}
