using System.Net;

namespace Scalpaiboard.Gateway.Services;

/// <summary>
/// The address a request counts against (anonymous rate limits, WebSocket connection limits). A caller on
/// loopback (the Web server, running next to the Gateway) may name the end user's address in
/// <c>X-Forwarded-For</c>; from anywhere else that header is ignored, so it cannot be used to dodge limits.
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return "unknown";
        }
        if (IPAddress.IsLoopback(remote))
        {
            var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
            if (forwarded.Length > 0)
            {
                // The last entry is the one our trusted neighbour saw itself.
                var last = forwarded[(forwarded.LastIndexOf(',') + 1)..].Trim();
                if (IPAddress.TryParse(last, out var address))
                {
                    return address.ToString();
                }
            }
        }
        return remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4().ToString() : remote.ToString();
    }
}
