using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services.Local;

/// <summary>
/// The built-in offline provider. Given a conversation whose last turn is the user's, it answers with one tool
/// call decided by <see cref="LocalIntentParser"/> (or says what it cannot understand); given the results of its
/// tool calls, it writes the answer with <see cref="LocalAnswerWriter"/>. It sits behind the same Semantic Kernel
/// function invocation as any other provider, so its tool calls run the kernel's plugin functions through its filters. Usage is estimated (about 4 characters per token); it costs nothing.
/// </summary>
public sealed class LocalChatClient : IChatClient
{
    public const string ModelName = "local-parser";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(u);
        }
        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var lastUser = list.FindLastIndex(m => m.Role == ChatRole.User);
        var calls = list.Skip(lastUser + 1).SelectMany(m => m.Contents.OfType<FunctionCallContent>()).ToDictionary(c => c.CallId);
        var results = list.Skip(lastUser + 1).SelectMany(m => m.Contents.OfType<FunctionResultContent>()).ToList();
        var inputTokens = Estimate(list.Sum(m => m.Text.Length + m.Contents.OfType<FunctionResultContent>().Sum(r => Text(r.Result).Length)));

        string answer;
        if (results.Count > 0)
        {
            answer = string.Join("\n\n", results.Select(r =>
                LocalAnswerWriter.Write(calls.TryGetValue(r.CallId, out var c) ? ToolNames.Bare(c.Name) : "tool", AsNode(r.Result))));
        }
        else
        {
            var message = lastUser >= 0 ? list[lastUser].Text : "";
            var intent = LocalIntentParser.Parse(message);
            // the tools arrive with their plugin's prefix (Watchlist_add_to_watchlist)
            var tool = intent is null ? null : (options?.Tools ?? []).FirstOrDefault(t => ToolNames.Is(t.Name, intent.Tool));
            if (intent is { Problem: null } && tool is not null && options?.ToolMode is not NoneChatToolMode)
            {
                var args = new Dictionary<string, object?>(intent.Arguments);
                yield return new ChatResponseUpdate(ChatRole.Assistant,
                [
                    new FunctionCallContent("local_" + Guid.NewGuid().ToString("N")[..12], tool.Name, args),
                    new UsageContent(new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = Estimate(JsonSerializer.Serialize(args).Length) }),
                ]) { ModelId = ModelName };
                yield break;
            }
            answer = intent?.Problem ?? LocalAnswerWriter.NotUnderstood(message);
        }

        // Stream word by word, as a remote model would.
        var start = 0;
        while (start < answer.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = answer.IndexOf(' ', start + 1);
            var end = next < 0 ? answer.Length : next;
            yield return new ChatResponseUpdate(ChatRole.Assistant, answer[start..end]) { ModelId = ModelName };
            start = end;
            await Task.Yield();
        }
        yield return new ChatResponseUpdate(ChatRole.Assistant,
            [new UsageContent(new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = Estimate(answer.Length) })]) { ModelId = ModelName };
    }

    private static readonly ChatClientMetadata Metadata = new("local", null, ModelName);

    /// <summary>Itself, and its <see cref="ChatClientMetadata"/> (Semantic Kernel's function invocation asks for it).</summary>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private static long Estimate(int characters) => (characters + 3) / 4;

    private static string Text(object? result) => result switch
    {
        null => "",
        string s => s,
        JsonNode n => n.ToJsonString(),
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result),
    };

    private static JsonNode? AsNode(object? result) => result switch
    {
        JsonNode n => n,
        JsonElement e => JsonNode.Parse(e.GetRawText()),
        string s => TryParse(s),
        _ => null,
    };

    private static JsonNode? TryParse(string s)
    {
        try
        {
            return JsonNode.Parse(s);
        }
        catch (JsonException)
        {
            return JsonValue.Create(s);
        }
    }
}
