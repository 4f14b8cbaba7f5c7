using Scalpaiboard.Gateway.Services.Hub;

namespace Scalpaiboard.Gateway.Apis;

public static class LiveHubApi
{
    /// <summary>The real-time hub at /ws (CONTRACT.md "WebSocket /ws").</summary>
    public static IEndpointRouteBuilder MapLiveHub(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", context => context.RequestServices.GetRequiredService<LiveHub>().HandleAsync(context)).WithDisplayName("WebSocket hub");
        return app;
    }
}
