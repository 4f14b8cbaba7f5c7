using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services.Filters;

/// <summary>
/// A cap on tool rounds: after the last function of the model's <c>maxRounds</c>-th round of tool calls, function
/// calling stops (<see cref="AutoFunctionInvocationContext.Terminate"/>) instead of sending the results back with the
/// tools; the chat then asks the model once more with tools switched off, so it answers with what it has.
/// </summary>
public sealed class ToolRoundLimitFilter(int maxRounds) : IAutoFunctionInvocationFilter
{
    public bool Reached { get; private set; }

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        await next(context);
        if (context.RequestSequenceIndex + 1 >= maxRounds && context.FunctionSequenceIndex == context.FunctionCount - 1)
        {
            Reached = true;
            context.Terminate = true;
        }
    }
}

/// <summary>
/// The monthly budget of the provider: before a tool round that would lead to another (billed) model call, the month's
/// spend plus this turn's cost so far is compared with the budget; when it is used up, the tools are not run and no
/// further model call is made.
/// </summary>
public sealed class BudgetFilter(decimal budget, decimal spentBefore, Func<decimal> turnCost) : IAutoFunctionInvocationFilter
{
    private readonly Lock _gate = new();
    private int _checkedRound = -1;

    public bool Stopped { get; private set; }

    public decimal Spent => spentBefore + turnCost();

    public decimal Budget => budget;

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        lock (_gate)
        {
            // one decision per round: all of its calls run, or none
            if (_checkedRound != context.RequestSequenceIndex)
            {
                _checkedRound = context.RequestSequenceIndex;
                Stopped = Spent >= budget;
            }
        }
        if (Stopped)
        {
            Stopped = true;
            context.Terminate = true;
            context.Result = new FunctionResult(context.Function, ToolErrorFilter.Error("not run: the monthly budget is used up"));
            return;
        }
        await next(context);
    }
}

/// <summary>
/// The chat stream's <c>tool_call</c> event before a function runs and its <c>tool_result</c> event after, with the
/// function's own name (no plugin prefix) and the model's call id; the result is remembered for export_results.
/// </summary>
public sealed class ToolEventsFilter(IChatEventSink sink, ToolSession session, Action? onActivity = null) : IAutoFunctionInvocationFilter
{
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        var name = context.Function.Name;
        var callId = context.ToolCallId ?? "";
        onActivity?.Invoke();
        await sink.WriteAsync(new ToolCallEvent(name, ArgumentsOf(context.Arguments), callId), context.CancellationToken);
        await next(context);
        onActivity?.Invoke();
        var result = ResultNode(context.Result?.GetValue<object>());
        session.RememberResult(name, result);
        await sink.WriteAsync(new ToolResultEvent(name, result, callId), context.CancellationToken);
    }

    public static JsonObject ArgumentsOf(IEnumerable<KeyValuePair<string, object?>>? arguments)
    {
        var json = new JsonObject();
        foreach (var (key, value) in arguments ?? [])
        {
            json[key] = ResultNode(value);
        }
        return json;
    }

    public static JsonNode? ResultNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        string s => JsonValue.Create(s),
        _ => JsonSerializer.SerializeToNode(value, AIJsonUtilities.DefaultOptions),
    };
}
