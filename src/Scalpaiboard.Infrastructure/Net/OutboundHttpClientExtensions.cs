using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Scalpaiboard.Infrastructure.Net;

/// <summary>
/// Named HttpClients for requests to addresses that come from outside the code: user-supplied targets (guarded) and
/// operator-configured ones (trusted). Both get a plain <see cref="SocketsHttpHandler"/> and none of the delegating
/// handlers that the service defaults give every client: no logical service names (they would turn
/// <c>http://ingest</c> into an internal address) and no shared retries (each attempt is the caller's to count).
/// Neither logs its request URLs: a Telegram bot token travels in the path (the senders log redacted targets).
/// </summary>
public static class OutboundHttpClientExtensions
{
    /// <summary>
    /// Binds <c>Security</c> (checked at start-up) and registers the <see cref="OutboundAddressPolicy"/> it implies
    /// and the DNS resolver that <see cref="GuardedConnect"/> uses (a test may register its own first or after).
    /// </summary>
    public static IServiceCollection AddOutboundAddressPolicy(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateOnStart();
        services.TryAddSingleton(sp => new OutboundAddressPolicy(sp.GetRequiredService<IOptions<SecurityOptions>>().Value.AllowPrivateNetworks));
        services.TryAddSingleton<HostAddressResolver>(Dns.GetHostAddressesAsync);
        return services;
    }

    /// <summary>
    /// A client for user-supplied URLs: every connection goes through <see cref="GuardedConnect"/>, redirects are
    /// not followed (a redirect could point anywhere) and no proxy is used (the proxy's address, not the target's,
    /// would be the one checked).
    /// </summary>
    public static IHttpClientBuilder AddUserTargetHttpClient(this IServiceCollection services, string name,
        Action<SocketsHttpHandler>? configure = null)
    {
        services.AddOutboundAddressPolicy();
        return services.AddHttpClient(name)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var handler = new SocketsHttpHandler();
                configure?.Invoke(handler);
                handler.AllowAutoRedirect = false;
                handler.UseProxy = false;
                handler.ConnectCallback = new GuardedConnect(sp.GetRequiredService<OutboundAddressPolicy>(),
                    sp.GetRequiredService<HostAddressResolver>()).ConnectAsync;
                return handler;
            })
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear())
            .RemoveAllLoggers();
    }

    /// <summary>A client for targets the operator configured (environment, configuration): trusted, loopback included.</summary>
    public static IHttpClientBuilder AddOperatorTargetHttpClient(this IServiceCollection services, string name,
        Action<SocketsHttpHandler>? configure = null) =>
        services.AddHttpClient(name)
            .ConfigurePrimaryHttpMessageHandler(() =>
            {
                var handler = new SocketsHttpHandler();
                configure?.Invoke(handler);
                return handler;
            })
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear())
            .RemoveAllLoggers();
}
