using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services.Filters;

/// <summary>
/// Per-user authorization, the outermost function filter of every assistant kernel: a plugin function runs only in a
/// kernel that carries a <see cref="ToolSession"/> with a user (set from the Gateway's signed identity), and only
/// functions of our own plugins run at all. The plugins read the user from that session, never from arguments.
/// </summary>
public sealed partial class UserAuthorizationFilter(ILogger<UserAuthorizationFilter> logger) : IFunctionInvocationFilter
{
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        if (ToolSession.Of(context.Kernel) is null)
        {
            LogRefused(logger, context.Function.Name, "no user");
            context.Result = new FunctionResult(context.Function, ToolErrorFilter.Error("not authorized: the assistant's functions run only for a signed-in user"));
            return;
        }
        if (!ToolNames.Plugins.Contains(context.Function.PluginName))
        {
            LogRefused(logger, context.Function.Name, "not an assistant plugin");
            context.Result = new FunctionResult(context.Function, ToolErrorFilter.Error($"there is no tool named '{context.Function.Name}'"));
            return;
        }
        await next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to run {Function}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string function, string reason);
}

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
