using System.ClientModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services.Tools;

namespace Scalpaiboard.Ai.Services;

/// <summary>A provider call that failed (error status, timeout, broken stream); the chat ends with an error event.</summary>
public sealed class ProviderException(string message, Exception? inner = null) : Exception(message, inner);

public sealed record LoopOutcome(UsageDetails Usage, int Rounds);

/// <summary>
/// Our own tool-invocation loop (FunctionInvokingChatClient lives in the unavailable Microsoft.Extensions.AI):
/// each round streams the model's text to the client as it arrives, then runs the round's tool calls
/// concurrently, streams each result as it completes, and sends the results back in the next round. After
/// <see cref="AiOptions.MaxToolRounds"/> rounds with tool calls, one last round is made with tools switched off
/// so the model answers. A provider silent for <see cref="AiOptions.RequestTimeoutSeconds"/> fails the round.
/// </summary>
public sealed partial class ToolCallingLoop(IOptions<AiOptions> options, ILogger<ToolCallingLoop> logger)
{
    /// <param name="onMessage">Called with every assistant and tool message as it is added, to store it.</param>
    /// <param name="partialText">Receives the text streamed so far, for a failed message.</param>
    /// <param name="usage">Receives the provider's usage of every round, also of rounds before a failure.</param>
    public async Task<LoopOutcome> RunAsync(IChatClient client, List<ChatMessage> messages, IReadOnlyList<AIFunction> tools,
        string model, ToolSession session, IChatEventSink sink, Func<ChatMessage, CancellationToken, Task> onMessage,
        StringBuilder partialText, UsageDetails usage, CancellationToken cancellationToken)
    {
        var maxRounds = options.Value.MaxToolRounds;
        var idle = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds);
        for (var round = 1; ; round++)
        {
            var lastRound = round > maxRounds;
            var chatOptions = new ChatOptions
            {
                ModelId = model,
                Tools = [.. tools],
                ToolMode = lastRound ? ChatToolMode.None : ChatToolMode.Auto,
            };
            using var activity = AiTelemetry.Source.StartActivity("chat round");
            activity?.SetTag("ai.round", round);
            var text = new StringBuilder();
            var calls = new List<FunctionCallContent>();
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(idle);
                try
                {
                    await foreach (var update in client.GetStreamingResponseAsync(messages, chatOptions, timeout.Token).WithCancellation(timeout.Token))
                    {
                        timeout.CancelAfter(idle);
                        foreach (var content in update.Contents)
                        {
                            switch (content)
                            {
                                case TextContent { Text.Length: > 0 } t:
                                    text.Append(t.Text);
                                    partialText.Append(t.Text);
                                    await sink.WriteAsync(new ContentEvent(t.Text), cancellationToken);
                                    break;
                                case FunctionCallContent call:
                                    calls.Add(call);
                                    break;
                                case UsageContent u:
                                    usage.Add(u.Details);
                                    break;
                            }
                        }
                    }
                }
                catch (Exception ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new ProviderException($"The provider did not answer within {options.Value.RequestTimeoutSeconds} s (round {round}).", ex);
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
            }

            if (calls.Count == 0 || lastRound)
            {
                if (calls.Count > 0)
                {
                    LogRoundLimit(logger, maxRounds);
                }
                var final = new ChatMessage(ChatRole.Assistant, text.ToString());
                messages.Add(final);
                await onMessage(final, cancellationToken);
                return new LoopOutcome(usage, round);
            }

            var contents = new List<AIContent>();
            if (text.Length > 0)
            {
                contents.Add(new TextContent(text.ToString()));
            }
            contents.AddRange(calls);
            var assistant = new ChatMessage(ChatRole.Assistant, contents);
            messages.Add(assistant);
            await onMessage(assistant, cancellationToken);
            foreach (var call in calls)
            {
                await sink.WriteAsync(new ToolCallEvent(call.Name, ArgumentsOf(call), call.CallId), cancellationToken);
            }

            var results = await Task.WhenAll(calls.Select(async call =>
            {
                var result = await InvokeAsync(call, tools, cancellationToken);
                await sink.WriteAsync(new ToolResultEvent(call.Name, result, call.CallId), cancellationToken);
                return (call, result);
            }));
            var toolMessage = new ChatMessage(ChatRole.Tool, results.Select(r => (AIContent)new FunctionResultContent(r.call.CallId, r.result)).ToList());
            messages.Add(toolMessage);
            await onMessage(toolMessage, cancellationToken);
            foreach (var (call, result) in results)
            {
                session.RememberResult(call.Name, result);
            }
        }
    }

    public static JsonObject ArgumentsOf(FunctionCallContent call) =>
        JsonSerializer.SerializeToNode(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions) as JsonObject ?? [];

    private async Task<JsonNode?> InvokeAsync(FunctionCallContent call, IReadOnlyList<AIFunction> tools, CancellationToken cancellationToken)
    {
        using var activity = AiTelemetry.Source.StartActivity("tool " + call.Name);
        var result = await InvokeCoreAsync(call, tools, cancellationToken);
        var outcome = result is JsonObject o && o.ContainsKey("error") ? "error" : "ok";
        activity?.SetTag("ai.tool.outcome", outcome);
        AiTelemetry.ToolCalls.Add(1, new KeyValuePair<string, object?>("tool", call.Name), new KeyValuePair<string, object?>("outcome", outcome));
        return result;
    }

    private async Task<JsonNode?> InvokeCoreAsync(FunctionCallContent call, IReadOnlyList<AIFunction> tools, CancellationToken cancellationToken)
    {
        var function = tools.FirstOrDefault(t => t.Name == call.Name);
        if (function is null)
        {
            return Error($"there is no tool named '{call.Name}'; the tools are {string.Join(", ", tools.Select(t => t.Name))}");
        }
        if (call.Exception is not null)
        {
            return Error(call.Exception.Message);
        }
        try
        {
            var result = await function.InvokeAsync(new AIFunctionArguments(call.Arguments ?? new Dictionary<string, object?>()), cancellationToken);
            return result switch
            {
                null => null,
                JsonNode node => node,
                JsonElement element => JsonNode.Parse(element.GetRawText()),
                _ => JsonSerializer.SerializeToNode(result, AIJsonUtilities.DefaultOptions),
            };
        }
        catch (ToolException ex)
        {
            return Error(ex.Message);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidCastException or NotSupportedException)
        {
            return Error($"invalid arguments for {call.Name}: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogToolFailed(logger, call.Name, ex);
            return Error($"{call.Name} failed: {ex.Message}");
        }
    }

    private static JsonObject Error(string message) => new() { ["error"] = message };

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model still asked for tools after {Rounds} rounds; its calls were ignored")]
    private static partial void LogRoundLimit(ILogger logger, int rounds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tool {Tool} failed")]
    private static partial void LogToolFailed(ILogger logger, string tool, Exception exception);
}
