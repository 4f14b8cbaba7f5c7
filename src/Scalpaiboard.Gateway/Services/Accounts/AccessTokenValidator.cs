using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Scalpaiboard.Gateway.Services.Accounts;

/// <summary>Checks a bearer access token outside an HTTP request (the WebSocket auth message), the way the bearer
/// token handler does: it must decrypt with the shared key ring, not be expired, and not be revoked by a logout.</summary>
public sealed class AccessTokenValidator(IOptionsMonitor<BearerTokenOptions> options, SessionRevocation sessions, TimeProvider time)
{
    public async Task<string?> ValidateUserIdAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }
        var ticket = options.Get(IdentityConstants.BearerScheme).BearerTokenProtector.Unprotect(token);
        if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires || !await sessions.IsCurrentAsync(ticket.Principal))
        {
            return null;
        }
        return ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier);
    }
}
