using System.Net;
using Microsoft.Extensions.Primitives;

namespace Scalpaiboard.Gateway.Services.Forwarding;

/// <summary>Which request and response headers cross the Gateway, and the X-Forwarded-* it adds.</summary>
internal static class ForwardedHeaders
{
    /// <summary>Hop-by-hop headers (RFC 9110 7.6.1) and others that belong to one connection only.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Alt-Svc",
    };

    /// <summary>Request headers that never travel to a service: the caller's credentials (a service trusts only the
    /// Gateway's signed identity) and any identity header the caller made up.</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
    };

    public const string UserHeaderPrefix = "X-Scalpaiboard-User";

    public static bool IsForwardableRequestHeader(string name, StringValues connection) =>
        !HopByHop.Contains(name) && !NotForwarded.Contains(name)
        && !name.StartsWith(UserHeaderPrefix, StringComparison.OrdinalIgnoreCase)
        && !ListedIn(connection, name);

    public static bool IsForwardableResponseHeader(string name, IEnumerable<string>? connection) =>
        !HopByHop.Contains(name) && (connection is null || !ListedIn(new StringValues(connection.ToArray()), name));

    /// <summary>Headers named in <c>Connection</c> are hop-by-hop too.</summary>
    private static bool ListedIn(StringValues connection, string name)
    {
        foreach (var value in connection)
        {
            if (value is null)
            {
                continue;
            }
            foreach (var token in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(token, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>X-Forwarded-For: the client's address as the Gateway established it (a known proxy's word, or the connection's).</summary>
    public static string ForwardedFor(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
