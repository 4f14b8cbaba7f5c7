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
