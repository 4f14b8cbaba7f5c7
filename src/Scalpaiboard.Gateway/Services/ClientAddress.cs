using System.Net;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.ServiceDefaults;

namespace Scalpaiboard.Gateway.Services;

/// <summary>
/// The address a request counts against (anonymous rate limits, WebSocket connection limits): the Web server's signed
/// <see cref="ClientAddressSignature.Header"/> when valid (its server-side calls on behalf of a browser), otherwise the
/// connection's address, which <c>UseForwardedHeaders</c> has replaced with <c>X-Forwarded-For</c>'s only when the
/// connection came from a configured proxy (<c>Gateway:KnownProxies</c> / <c>Gateway:KnownNetworks</c>). A caller
/// rotating <c>X-Forwarded-For</c> or a forged client header is counted by its own address.
/// </summary>
public sealed class ClientAddress(IConfiguration configuration, TimeProvider time)
{
    private readonly string _key = configuration[UserContextSigner.ConfigurationKey] ?? "";

    public string Of(HttpContext context)
    {
        if (_key.Length > 0 && context.Request.Headers[ClientAddressSignature.Header].ToString() is { Length: > 0 } signed
            && ClientAddressSignature.Verify(_key, signed, time.GetUtcNow()) is { } browser)
        {
            return browser.ToString();
        }
        var remote = context.Connection.RemoteIpAddress;
        return remote is null ? "unknown" : remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4().ToString() : remote.ToString();
    }
}
