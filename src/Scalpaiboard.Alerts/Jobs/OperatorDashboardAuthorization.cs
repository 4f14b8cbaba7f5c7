using System.Net;
using Hangfire.Dashboard;

namespace Scalpaiboard.Alerts.Jobs;

/// <summary>
/// Who may open the Hangfire dashboard: the operator, either on this machine (a loopback connection that came through
/// no proxy: any <c>X-Forwarded-*</c> or <c>Forwarded</c> header means a proxy such as the Gateway relayed it) or
/// holding the <see cref="OperatorRole"/> role in the Gateway's signed identity. Anyone else gets 401 (403 when signed
/// in without the role).
/// </summary>
public sealed class OperatorDashboardAuthorization : IDashboardAuthorizationFilter
{
    public const string OperatorRole = "operator";

    private static readonly string[] ProxyHeaders = ["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "Forwarded"];

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (http.User.IsInRole(OperatorRole))
        {
            return true;
        }
        var remote = http.Connection.RemoteIpAddress;
        if (remote is null || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return false;
        }
        foreach (var header in ProxyHeaders)
        {
            if (http.Request.Headers.ContainsKey(header))
            {
                return false;
            }
        }
        return true;
    }
}
