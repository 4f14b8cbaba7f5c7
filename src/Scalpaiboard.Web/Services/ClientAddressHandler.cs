using Scalpaiboard.ServiceDefaults;

namespace Scalpaiboard.Web.Services;

/// <summary>
/// Names the browser's address on anonymous Gateway calls in a signed <see cref="ClientAddressSignature.Header"/>,
/// so the Gateway rate-limits each end user rather than the Web server as one client.
/// </summary>
public sealed class ClientAddressHandler(IHttpContextAccessor accessor, IConfiguration configuration, TimeProvider time) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(ClientAddressSignature.Header);
        if (request.Headers.Authorization is null && accessor.HttpContext?.Connection.RemoteIpAddress is { } address
            && configuration[ClientAddressSignature.SigningKey] is { Length: > 0 } key)
        {
            request.Headers.TryAddWithoutValidation(ClientAddressSignature.Header, ClientAddressSignature.Create(key, address, time.GetUtcNow()));
        }
        return base.SendAsync(request, cancellationToken);
    }
}
