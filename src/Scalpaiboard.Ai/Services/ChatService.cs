using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services.Providers;
using Scalpaiboard.Ai.Services.Tools;

namespace Scalpaiboard.Ai.Services;

/// <summary>
/// One chat request end to end: provider and budget, the conversation (created with a title from the first
/// message, or continued), the tool loop, storage of every message, usage, and the closing done/error event.
/// A failure becomes an <c>error</c> event and a stored failed assistant message; it never escapes as a crash.
/// </summary>
public sealed partial class ChatService(ChatProviderFactory providers, ConversationStore conversations, UsageStore usage,
    AssistantToolFactory toolFactory, ToolCallingLoop loop, TimeProvider time, ILogger<ChatService> logger)
{
    public const int MaxMessageLength = 8000;
    public const double WarningRatio = 0.8;

    public async Task RunAsync(string userId, ChatRequest request, IChatEventSink sink, CancellationToken cancellationToken)
    {
        var message = request.Message!.Trim();
        ResolvedProvider provider;
        try
        {
            provider = await providers.ResolveAsync(userId, request.Provider, cancellationToken);
        }
        catch (ProviderSelectionException ex)
        {
            await sink.WriteAsync(new ErrorEvent(ex.Message, request.ConversationId), cancellationToken);
            return;
        }

        Guid conversationId;
        if (request.ConversationId is { } existing)
        {
            if (!await conversations.ExistsAsync(userId, existing, cancellationToken))
            {
                await sink.WriteAsync(new ErrorEvent($"Conversation {existing} was not found."), cancellationToken);
                return;
            }
            conversationId = existing;
        }
        else
        {
            conversationId = await conversations.CreateAsync(userId, Title(message), provider.Key, cancellationToken);
        }
        var history = await conversations.MessagesAsync(conversationId, cancellationToken);
        await conversations.AddMessageAsync(conversationId, MessageRoles.User, message, null, null, null, MessageStatus.Ok, null, cancellationToken);

        if (provider.MonthlyBudget is { } budget)
        {
            var spent = await usage.CostSinceAsync(userId, provider.Key, MonthStart(), cancellationToken);
            if (spent >= budget)
            {
                var refusal = $"The monthly budget of {budget:0.######} USD for provider '{provider.DisplayName}' is used up " +
                    $"({spent:0.######} USD spent this month); requests are refused until next month or until the budget is raised.";
                await conversations.AddMessageAsync(conversationId, MessageRoles.Assistant, null, null, null, null, MessageStatus.Failed, refusal, cancellationToken);
                await sink.WriteAsync(new ErrorEvent(refusal, conversationId), cancellationToken);
                return;
            }
            if (budget > 0 && spent >= budget * (decimal)WarningRatio)
            {
                await sink.WriteAsync(new WarningEvent(
                    $"{Math.Floor(spent / budget * 100):0}% of this month's {budget:0.######} USD budget for '{provider.DisplayName}' is used.",
                    spent, budget), cancellationToken);
            }
        }

        var session = new ToolSession(userId, conversationId);
        var messages = BuildMessages(history, session);
        messages.Add(new ChatMessage(ChatRole.User, message));
        var tools = toolFactory.Create(session);
        var partial = new StringBuilder();
        var callNames = new Dictionary<string, string>();
        var used = new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 };
        try
        {
            await loop.RunAsync(provider.Client, messages, tools, provider.Model, session, sink,
                (m, ct) => StoreAsync(conversationId, m, callNames, ct), partial, used, cancellationToken);
            var totals = Totals(provider, used);
            AiTelemetry.Chats.Add(1, new("provider", provider.Key), new("outcome", "ok"));
            AiTelemetry.Tokens.Add(totals.PromptTokens, new("provider", provider.Key), new("kind", "prompt"));
            AiTelemetry.Tokens.Add(totals.CompletionTokens, new("provider", provider.Key), new("kind", "completion"));
            await usage.RecordAsync(userId, provider.Key, Today(), totals.PromptTokens, totals.CompletionTokens, totals.Cost, false, cancellationToken);
            await sink.WriteAsync(new DoneEvent(conversationId, totals, provider.Key, provider.Model), cancellationToken);
        }
        catch (ProviderException ex)
        {
            LogProviderFailed(logger, provider.Key, ex.Message);
            AiTelemetry.Chats.Add(1, new("provider", provider.Key), new("outcome", "provider_error"));
            await FailAsync(conversationId, partial, ex.Message, CancellationToken.None);
            // Rounds that completed before the failure were still billed by the provider.
            var partialTotals = Totals(provider, used);
            await usage.RecordAsync(userId, provider.Key, Today(), partialTotals.PromptTokens, partialTotals.CompletionTokens,
                partialTotals.Cost, true, CancellationToken.None);
            await sink.WriteAsync(new ErrorEvent(ex.Message, conversationId), cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: the provider call is cancelled with it; keep a record of the broken turn.
            await FailAsync(conversationId, partial, "The client disconnected before the answer was complete.", CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogChatFailed(logger, conversationId, ex);
            const string failure = "The assistant failed unexpectedly; the error is logged. Please try again.";
            try
            {
                await FailAsync(conversationId, partial, failure, CancellationToken.None);
            }
            catch (Exception storeError) when (storeError is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogChatFailed(logger, conversationId, storeError);
            }
            await sink.WriteAsync(new ErrorEvent(failure, conversationId), cancellationToken);
        }
    }

    private async Task FailAsync(Guid conversationId, StringBuilder partial, string error, CancellationToken cancellationToken) =>
        await conversations.AddMessageAsync(conversationId, MessageRoles.Assistant, partial.Length > 0 ? partial.ToString() : null,
            null, null, null, MessageStatus.Failed, error, cancellationToken);

    private async Task StoreAsync(Guid conversationId, ChatMessage message, Dictionary<string, string> callNames, CancellationToken cancellationToken)
    {
        if (message.Role == ChatRole.Tool)
        {
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                var json = OpenAiCompatibleChatClient.ResultText(result.Result is JsonNode n ? n.ToJsonString() : result.Result);
                await conversations.AddMessageAsync(conversationId, MessageRoles.Tool, json, null, result.CallId,
                    callNames.GetValueOrDefault(result.CallId), MessageStatus.Ok, null, cancellationToken);
            }
            return;
        }
        var calls = message.Contents.OfType<FunctionCallContent>()
            .Select(c => new StoredToolCall(c.CallId, c.Name, ToolCallingLoop.ArgumentsOf(c))).ToList();
        foreach (var c in calls)
        {
            callNames[c.Id] = c.Name;
        }
        await conversations.AddMessageAsync(conversationId, MessageRoles.Assistant, message.Text, calls.Count > 0 ? calls : null,
            null, null, MessageStatus.Ok, null, cancellationToken);
    }

    /// <summary>The stored turns as model messages. Failed answers are left out, and tool calls whose results were
    /// never stored (a turn broken mid-tool) are dropped so the history stays valid for every provider.</summary>
    public static List<ChatMessage> BuildMessages(IReadOnlyList<StoredMessage> history, ToolSession session)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, SystemPrompt()) };
        var answered = history.Where(m => m.Role == MessageRoles.Tool && m.ToolCallId is not null).Select(m => m.ToolCallId!).ToHashSet();
        foreach (var m in history)
        {
            if (m.Status != MessageStatus.Ok)
            {
                continue;
            }
            switch (m.Role)
            {
                case MessageRoles.User:
                    messages.Add(new ChatMessage(ChatRole.User, m.Content ?? ""));
                    break;
                case MessageRoles.Assistant:
                    var contents = new List<AIContent>();
                    if (!string.IsNullOrEmpty(m.Content))
                    {
                        contents.Add(new TextContent(m.Content));
                    }
                    foreach (var call in m.ToolCalls ?? [])
                    {
                        if (answered.Contains(call.Id))
                        {
                            contents.Add(new FunctionCallContent(call.Id, call.Name,
                                JsonSerializer.Deserialize<Dictionary<string, object?>>(call.Arguments.ToJsonString(), AIJsonUtilities.DefaultOptions)));
                        }
                    }
                    if (contents.Count > 0)
                    {
                        messages.Add(new ChatMessage(ChatRole.Assistant, contents));
                    }
                    break;
                case MessageRoles.Tool when m.ToolCallId is not null:
                    var result = Parse(m.Content);
                    messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(m.ToolCallId, result)]));
                    if (m.ToolName is not null)
                    {
                        session.RememberResult(m.ToolName, result);
                    }
                    break;
            }
        }
        return messages;
    }

    /// <summary>The first message, whitespace collapsed, cut at a word boundary near 60 characters.</summary>
    public static string Title(string message)
    {
        var text = string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= 60)
        {
            return text.Length == 0 ? "New conversation" : text;
        }
        var cut = text.LastIndexOf(' ', 60);
        return (cut >= 30 ? text[..cut] : text[..60]).TrimEnd(',', '.', ';', ':') + "...";
    }

    private static UsageTotals Totals(ResolvedProvider provider, UsageDetails usage)
    {
        var prompt = usage.InputTokenCount ?? 0;
        var completion = usage.OutputTokenCount ?? 0;
        return new UsageTotals(prompt, completion, provider.CostOf(prompt, completion));
    }

    private static string SystemPrompt() =>
        "You are the assistant of Scalpaiboard, a real-time screener for Binance USDT-M perpetual futures. " +
        "Use the tools to look at live market data, analyse coins and chart patterns, create alerts, manage the user's " +
        "watchlist and export results; never invent prices or numbers. Metric windows are 5m, 15m, 1h, 4h, 8h and 1d; " +
        "change_<window> is in percent and quoteVolume_<window> in USDT. Symbols look like BTCUSDT. " +
        "Answer briefly and concretely; when a tool returns an error, explain it and suggest a fix.";

    private static JsonNode? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private DateOnly MonthStart()
    {
        var today = Today();
        return new DateOnly(today.Year, today.Month, 1);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Chat in conversation {ConversationId} failed")]
    private static partial void LogChatFailed(ILogger logger, Guid conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} failed: {Reason}")]
    private static partial void LogProviderFailed(ILogger logger, string provider, string reason);
}
