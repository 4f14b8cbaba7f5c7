using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Services.Filters;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services;

/// <summary>
/// A Semantic Kernel per request: the plugins (their functions are the assistant's tools), the session of the
/// user it acts for, and the function filters every caller gets (authorization, then errors as results). The chat adds
/// its turn's auto-invocation filters; the MCP endpoint uses the kernel's functions as MCP tools.
/// </summary>
public sealed class AssistantKernelFactory(IServiceProvider services, UserAuthorizationFilter authorization, ToolErrorFilter errors)
{
    public Kernel Create(ToolSession session)
    {
        var plugins = new KernelPluginCollection
        {
            PortablePlugin.Create(services.GetRequiredService<ScreenerPlugin>(), ToolNames.Screener),
            PortablePlugin.Create(services.GetRequiredService<AlertsPlugin>(), ToolNames.Alerts),
            PortablePlugin.Create(services.GetRequiredService<WatchlistPlugin>(), ToolNames.Watchlist),
            PortablePlugin.Create(services.GetRequiredService<BacktestPlugin>(), ToolNames.Backtests),
        };
        var kernel = new Kernel(services, plugins);
        kernel.FunctionInvocationFilters.Add(authorization);
        kernel.FunctionInvocationFilters.Add(errors);
        session.AttachTo(kernel);
        return kernel;
    }
}
