using System.ClientModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using FunctionCallContent = Microsoft.Extensions.AI.FunctionCallContent;
using FunctionResultContent = Microsoft.Extensions.AI.FunctionResultContent;
using TextContent = Microsoft.Extensions.AI.TextContent;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services.Providers;
using Scalpaiboard.Ai.Services.Filters;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services;

/// <summary>A provider call that failed (error status, timeout, broken stream); the chat ends with an error event.</summary>
public sealed class ProviderException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One chat request end to end: provider and budget, the conversation (created with a title from the first
/// message, or continued), a kernel for the user with the turn's filters (tool round cap, budget, tool events), the
/// provider's streaming answer with Semantic Kernel invoking the plugin functions the model calls, storage of every
/// message, usage, and the closing done/error event. A failure becomes an <c>error</c> event and a stored failed
/// assistant message; it never escapes as a crash.
/// </summary>
public sealed partial class ChatService(ChatProviderFactory providers, ConversationStore conversations, UsageStore usage,
    AssistantKernelFactory kernels, IOptions<AiOptions> options, TimeProvider time, ILogger<ChatService> logger)
{
    public const int MaxMessageLength = 8000;

    /// <summary>Conversations one account may keep.</summary>
    public const int MaxConversations = 1000;
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
        using var _ = provider;

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
        else if (await conversations.CreateAsync(userId, Title(message), provider.Key, MaxConversations, cancellationToken) is { } created)
        {
            conversationId = created;
        }
        else
        {
            await sink.WriteAsync(new ErrorEvent(
                $"You keep {MaxConversations} conversations, the most an account may; delete some (DELETE /api/ai/conversations/{{id}}) or continue one."),
                cancellationToken);
            return;
        }
        var history = await conversations.MessagesAsync(conversationId, cancellationToken);
        await conversations.AddMessageAsync(conversationId, MessageRoles.User, message, null, null, null, MessageStatus.Ok, null, cancellationToken);

        decimal spent = 0;
        if (provider.MonthlyBudget is { } budget)
        {
            spent = await usage.CostSinceAsync(userId, provider.Key, MonthStart(), cancellationToken);
            if (spent >= budget)
            {
                var refusal = BudgetUsedUp(provider, budget, spent);
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
        var turn = new Turn(conversationId, messages, sink, TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds));
        var kernel = kernels.Create(session);
        var rounds = new ToolRoundLimitFilter(options.Value.MaxToolRounds);
        var budgetFilter = provider.MonthlyBudget is { } b ? new BudgetFilter(b, spent, () => Totals(provider, turn.Usage).Cost) : null;
        kernel.AutoFunctionInvocationFilters.Add(rounds);
        if (budgetFilter is not null)
        {
            kernel.AutoFunctionInvocationFilters.Add(budgetFilter);
        }
        kernel.AutoFunctionInvocationFilters.Add(new ToolEventsFilter(sink, session, turn.Touch));
        try
        {
            await StreamAsync(provider, kernel, FunctionChoiceBehavior.Auto(), turn, cancellationToken);
            if (budgetFilter is { Stopped: true })
            {
                throw new BudgetExhaustedException(BudgetUsedUp(provider, budgetFilter.Budget, budgetFilter.Spent) +
                    " The answer was stopped before the next call to the provider.");
            }
            if (rounds.Reached)
            {
                LogRoundLimit(logger, options.Value.MaxToolRounds);
                // one last call with tools switched off, so the model answers with what the tools gave it
                await StreamAsync(provider, kernel, FunctionChoiceBehavior.None(), turn, cancellationToken);
            }
            if (!turn.Answered)
            {
                await StoreAsync(turn, new ChatMessage(ChatRole.Assistant, ""), cancellationToken);
            }
            var totals = Totals(provider, turn.Usage);
            AiTelemetry.Chats.Add(1, new("provider", provider.Key), new("outcome", "ok"));
            AiTelemetry.Tokens.Add(totals.PromptTokens, new("provider", provider.Key), new("kind", "prompt"));
            AiTelemetry.Tokens.Add(totals.CompletionTokens, new("provider", provider.Key), new("kind", "completion"));
            await usage.RecordAsync(userId, provider.Key, Today(), totals.PromptTokens, totals.CompletionTokens, totals.Cost, false, cancellationToken);
            await sink.WriteAsync(new DoneEvent(conversationId, totals, provider.Key, provider.Model), cancellationToken);
        }
        catch (Exception ex) when (ex is ProviderException or BudgetExhaustedException)
        {
            LogProviderFailed(logger, provider.Key, ex.Message);
            AiTelemetry.Chats.Add(1, new("provider", provider.Key), new("outcome", ex is ProviderException ? "provider_error" : "budget"));
            await FailAsync(conversationId, turn.Partial, ex.Message, CancellationToken.None);
            // Calls that completed before the failure were still billed by the provider.
            var partialTotals = Totals(provider, turn.Usage);
            await usage.RecordAsync(userId, provider.Key, Today(), partialTotals.PromptTokens, partialTotals.CompletionTokens,
                partialTotals.Cost, true, CancellationToken.None);
            await sink.WriteAsync(new ErrorEvent(ex.Message, conversationId), cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: the provider call is cancelled with it; keep a record of the broken turn.
            await FailAsync(conversationId, turn.Partial, "The client disconnected before the answer was complete.", CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogChatFailed(logger, conversationId, ex);
            const string failure = "The assistant failed unexpectedly; the error is logged. Please try again.";
            try
            {
                await FailAsync(conversationId, turn.Partial, failure, CancellationToken.None);
            }
            catch (Exception storeError) when (storeError is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogChatFailed(logger, conversationId, storeError);
            }
            await sink.WriteAsync(new ErrorEvent(failure, conversationId), cancellationToken);
        }
    }

    /// <summary>
    /// One streaming call through the provider's pipeline with the kernel's functions as tools. Text goes to the client
    /// as it arrives; the model's tool calls are run by Semantic Kernel (the kernel's filters send their events) and
    /// come back as tool messages; each assistant and tool message is stored when it is complete. A provider silent
    /// for <see cref="AiOptions.RequestTimeoutSeconds"/> (tools running count as activity) fails the call.
    /// </summary>
    private async Task StreamAsync(ResolvedProvider provider, Kernel kernel, FunctionChoiceBehavior choice, Turn turn,
        CancellationToken cancellationToken)
    {
        var settings = new PromptExecutionSettings { ModelId = provider.Model, FunctionChoiceBehavior = choice };
        var chatOptions = settings.ToChatOptions(kernel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        turn.Watch(timeout);
        try
        {
            await foreach (var update in provider.Client.GetStreamingResponseAsync(turn.Messages, chatOptions, timeout.Token).WithCancellation(timeout.Token))
            {
                turn.Touch();
                if (update.Role == ChatRole.Tool)
                {
                    await FlushAssistantAsync(turn, cancellationToken);
                    turn.Results.AddRange(update.Contents.OfType<FunctionResultContent>());
                    continue;
                }
                await FlushToolResultsAsync(turn, cancellationToken);
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent { Text.Length: > 0 } t:
                            turn.Text.Append(t.Text);
                            turn.Partial.Append(t.Text);
                            await turn.Sink.WriteAsync(new ContentEvent(t.Text), cancellationToken);
                            break;
                        case FunctionCallContent call:
                            turn.Calls.Add(new FunctionCallContent(call.CallId, call.Name, call.Arguments));
                            break;
                        case UsageContent u:
                            turn.Usage.Add(u.Details);
                            break;
                    }
                }
            }
            await FlushToolResultsAsync(turn, cancellationToken);
            await FlushAssistantAsync(turn, cancellationToken);
        }
        catch (Exception ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException($"The provider did not answer within {options.Value.RequestTimeoutSeconds} s.", ex);
        }
        catch (ClientResultException ex) when (ex.Status == 0)
        {
            throw new ProviderException($"The provider could not be reached: {FirstLine(ex.Message)}", ex);
        }
        catch (ClientResultException ex)
        {
            throw new ProviderException($"The provider answered {ex.Status}: {FirstLine(ex.Message)}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ProviderException($"The provider could not be reached: {ex.Message}", ex);
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException($"The provider's stream broke off: {FirstLine(ex.Message)}", ex);
        }
        finally
        {
            turn.Watch(null);
        }
    }

    private async Task FlushAssistantAsync(Turn turn, CancellationToken cancellationToken)
    {
        if (turn.Text.Length == 0 && turn.Calls.Count == 0)
        {
            return;
        }
        var contents = new List<AIContent>();
        if (turn.Text.Length > 0)
        {
            contents.Add(new TextContent(turn.Text.ToString()));
        }
        contents.AddRange(turn.Calls);
        var answered = turn.Calls.Count == 0;
        turn.Text.Clear();
        turn.Calls.Clear();
        await StoreAsync(turn, new ChatMessage(ChatRole.Assistant, contents), cancellationToken);
        turn.Answered = answered;
    }

    private async Task FlushToolResultsAsync(Turn turn, CancellationToken cancellationToken)
    {
        if (turn.Results.Count == 0)
        {
            return;
        }
        var message = new ChatMessage(ChatRole.Tool, [.. turn.Results]);
        turn.Results.Clear();
        await StoreAsync(turn, message, cancellationToken);
    }

    /// <summary>Adds a complete message to the turn's history and stores it (tool calls under their function names, as the
    /// events and the conversations API show them).</summary>
    private async Task StoreAsync(Turn turn, ChatMessage message, CancellationToken cancellationToken)
    {
        turn.Messages.Add(message);
        if (message.Role == ChatRole.Tool)
        {
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                var json = ToolEventsFilter.ResultNode(result.Result)?.ToJsonString() ?? "null";
                await conversations.AddMessageAsync(turn.ConversationId, MessageRoles.Tool, json, null, result.CallId,
                    turn.CallNames.GetValueOrDefault(result.CallId), MessageStatus.Ok, null, cancellationToken);
            }
            return;
        }
        var calls = message.Contents.OfType<FunctionCallContent>()
            .Select(c => new StoredToolCall(c.CallId, ToolNames.Bare(c.Name), ToolEventsFilter.ArgumentsOf(c.Arguments))).ToList();
        foreach (var c in calls)
        {
            turn.CallNames[c.Id] = c.Name;
        }
        await conversations.AddMessageAsync(turn.ConversationId, MessageRoles.Assistant, message.Text, calls.Count > 0 ? calls : null,
            null, null, MessageStatus.Ok, null, cancellationToken);
    }

    private static string BudgetUsedUp(ResolvedProvider provider, decimal budget, decimal spent) =>
        $"The monthly budget of {budget:0.######} USD for provider '{provider.DisplayName}' is used up " +
        $"({spent:0.######} USD spent this month); requests are refused until next month or until the budget is raised.";

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    private async Task FailAsync(Guid conversationId, StringBuilder partial, string error, CancellationToken cancellationToken) =>
        await conversations.AddMessageAsync(conversationId, MessageRoles.Assistant, partial.Length > 0 ? partial.ToString() : null,
            null, null, null, MessageStatus.Failed, error, cancellationToken);

    /// <summary>The stored turns as model messages, tool calls under the names the tools are offered with. Failed answers
    /// are left out, and tool calls whose results were never stored (a turn broken mid-tool) are dropped so the history
    /// stays valid for every provider.</summary>
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
                            contents.Add(new FunctionCallContent(call.Id, ToolNames.Wire(call.Name),
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model still asked for tools after {Rounds} rounds; it was asked once more without tools")]
    private static partial void LogRoundLimit(ILogger logger, int rounds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Chat in conversation {ConversationId} failed")]
    private static partial void LogChatFailed(ILogger logger, Guid conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} failed: {Reason}")]
    private static partial void LogProviderFailed(ILogger logger, string provider, string reason);
}

/// <summary>The monthly budget ran out during a turn; the turn ends like a provider failure.</summary>
public sealed class BudgetExhaustedException(string message) : Exception(message);

/// <summary>The state of one chat turn while it streams: history, the message being assembled, usage, the idle timer.</summary>
internal sealed class Turn(Guid conversationId, List<ChatMessage> messages, IChatEventSink sink, TimeSpan idle)
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _timeout;

    public Guid ConversationId { get; } = conversationId;

    public List<ChatMessage> Messages { get; } = messages;

    public IChatEventSink Sink { get; } = sink;

    public StringBuilder Text { get; } = new();

    public StringBuilder Partial { get; } = new();

    public List<FunctionCallContent> Calls { get; } = [];

    public List<FunctionResultContent> Results { get; } = [];

    public Dictionary<string, string> CallNames { get; } = [];

    public UsageDetails Usage { get; } = new() { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 };

    /// <summary>Whether an assistant message without tool calls (an answer) has been stored.</summary>
    public bool Answered { get; set; }

    public void Watch(CancellationTokenSource? timeout)
    {
        lock (_gate)
        {
            _timeout = timeout;
            _timeout?.CancelAfter(idle);
        }
    }

    /// <summary>Something happened (data from the provider, a tool starting or ending): the idle timer starts over.</summary>
    public void Touch()
    {
        lock (_gate)
        {
            _timeout?.CancelAfter(idle);
        }
    }
}
