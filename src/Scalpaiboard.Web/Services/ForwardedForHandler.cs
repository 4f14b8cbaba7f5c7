namespace Scalpaiboard.Web.Services;

/// <summary>
/// Names the browser's address in <c>X-Forwarded-For</c> on anonymous Gateway calls, so the Gateway rate-limits
/// each end user rather than the Web server as one client (it trusts the header from its loopback neighbour).
/// </summary>
public sealed class ForwardedForHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && accessor.HttpContext?.Connection.RemoteIpAddress is { } address)
        {
            var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", ip.ToString());
        }
        return base.SendAsync(request, cancellationToken);
    }
}
