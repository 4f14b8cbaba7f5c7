using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services.Filters;

/// <summary>
/// Turns a failing plugin function into a result the model can read, <c>{"error": "..."}</c>, as the tools always
/// answered: bad arguments and service errors (<see cref="ToolException"/>) word for word, anything else logged.
/// Counts every call by tool and outcome.
/// </summary>
public sealed partial class ToolErrorFilter(ILogger<ToolErrorFilter> logger) : IFunctionInvocationFilter
{
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        var name = context.Function.Name;
        try
        {
            await next(context);
        }
        catch (ToolException ex)
        {
            context.Result = new FunctionResult(context.Function, Error(ex.Message));
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or FormatException or InvalidCastException
            or NotSupportedException or KernelException)
        {
            context.Result = new FunctionResult(context.Function, Error($"invalid arguments for {name}: {ex.Message}"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            LogToolFailed(logger, name, ex);
            context.Result = new FunctionResult(context.Function, Error($"{name} failed: {ex.Message}"));
        }
        var outcome = IsError(context.Result.GetValue<object>()) ? "error" : "ok";
        AiTelemetry.ToolCalls.Add(1, new KeyValuePair<string, object?>("tool", name), new KeyValuePair<string, object?>("outcome", outcome));
    }

    public static JsonObject Error(string message) => new() { ["error"] = message };

    public static bool IsError(object? result) => result is JsonObject o && o.ContainsKey("error");

    [LoggerMessage(Level = LogLevel.Error, Message = "Tool {Tool} failed")]
    private static partial void LogToolFailed(ILogger logger, string tool, Exception exception);
}
