using Microsoft.SemanticKernel;
using Microsoft.Extensions.AI;
using ErrorContent = Microsoft.Extensions.AI.ErrorContent;
using FunctionInvocationContext = Microsoft.SemanticKernel.FunctionInvocationContext;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;
using Scalpaiboard.Ai.Services;
using Scalpaiboard.Ai.Services.Filters;
using Scalpaiboard.Ai.Services.Plugins;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Ai.Apis;

/// <summary>
/// The assistant's plugin functions for any MCP client: Streamable HTTP at <c>/mcp</c>, stateless (every request is
/// served on its own, so any replica can answer), and only for an authenticated user (the Gateway's signed identity;
/// 401 without). Each request gets a kernel for its user, and the kernel's functions are the MCP tools, under their
/// own names (<c>add_to_watchlist</c>); they run through the same filters as in the chat.
/// </summary>
public static class McpApi
{
    public const string Path = "/mcp";

    public static IServiceCollection AddMcpTools(this IServiceCollection services)
    {
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "Scalpaiboard", Version = "1.0" })
            .WithHttpTransport(o =>
            {
                o.Stateless = true;
                o.ConfigureSessionOptions = (context, options, _) =>
                {
                    options.ToolCollection = ToolsFor(context);
                    return Task.CompletedTask;
                };
            });
        return services;
    }

    public static IEndpointRouteBuilder MapMcpApi(this IEndpointRouteBuilder app)
    {
        app.MapMcp(Path).RequireAuthorization().WithTags("MCP");
        return app;
    }

    private static McpServerPrimitiveCollection<McpServerTool> ToolsFor(HttpContext context)
    {
        var tools = new McpServerPrimitiveCollection<McpServerTool>();
        if (context.User.Identity?.IsAuthenticated != true)
        {
            // unreachable behind RequireAuthorization; an anonymous caller gets no tools at all
            return tools;
        }
        var kernel = context.RequestServices.GetRequiredService<AssistantKernelFactory>()
            .Create(new ToolSession(context.User.UserId(), conversationId: null));
        kernel.FunctionInvocationFilters.Insert(0, new McpErrorFilter());
        foreach (var function in kernel.Plugins.SelectMany(p => p))
        {
            tools.Add(McpServerTool.Create(new KernelInvocation(function, kernel), new McpServerToolCreateOptions
            {
                Name = function.Name,
                Services = context.RequestServices,
            }));
        }
        return tools;
    }

    /// <summary>
    /// The MCP tool's call as a call of the kernel (<see cref="Kernel.InvokeAsync(KernelFunction, KernelArguments?, CancellationToken)"/>),
    /// so it runs through the kernel's function filters like a call the model makes in the chat.
    /// </summary>
    private sealed class KernelInvocation(KernelFunction function, Kernel kernel) : DelegatingAIFunction(function)
    {
        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var result = await kernel.InvokeAsync(function, new KernelArguments(arguments), cancellationToken);
            return result.GetValue<object>();
        }
    }

    /// <summary>A function's <c>{"error": ...}</c> result becomes an MCP tool error (<c>isError: true</c>) with that text.</summary>
    private sealed class McpErrorFilter : IFunctionInvocationFilter
    {
        public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
        {
            await next(context);
            if (context.Result.GetValue<object>() is System.Text.Json.Nodes.JsonObject o && ToolErrorFilter.IsError(o))
            {
                context.Result = new FunctionResult(context.Function, new ErrorContent(o["error"]?.ToString() ?? "the tool failed"));
            }
        }
    }
}
