using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Gateway.Services.Forwarding;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Gateway.Extensions;

internal static class ForwardingExtensions
{
    /// <summary>
    /// YARP with the routes and clusters of <see cref="ServiceRoutes"/>, destinations by service discovery, and the
    /// user identity transform on every route. YARP's own client: no retries (a POST must not run twice), no
    /// redirects, no decompression, no cookies; streams both ways unbuffered.
    /// </summary>
    public static IHostApplicationBuilder AddServiceForwarding(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection($"{GatewayOptions.Section}:Forwarding").Get<ForwardingOptions>() ?? new ForwardingOptions();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(ServiceRoutes.Routes(), ServiceRoutes.Clusters(options))
            .AddServiceDiscoveryDestinationResolver()
            .ConfigureHttpClient((_, handler) => handler.ConnectTimeout = options.ConnectTimeout)
            .AddTransforms(transforms =>
            {
                transforms.RequestTransforms.Add(new UserIdentityTransform(transforms.Services.GetRequiredService<UserContextSigner>()));
                // Which server software runs behind the Gateway is nobody's business (the Gateway sends none itself).
                transforms.ResponseTransforms.Add(new Yarp.ReverseProxy.Transforms.ResponseHeaderRemoveTransform("Server", Yarp.ReverseProxy.Transforms.ResponseCondition.Always));
            });
        return builder;
    }
}
