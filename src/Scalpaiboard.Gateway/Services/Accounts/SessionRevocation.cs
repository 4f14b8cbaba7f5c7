using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Scalpaiboard.Gateway.Services.Accounts;

/// <summary>
/// Logging out changes the account's security stamp, which every access and refresh token carries from when it was
/// issued: a token whose stamp is no longer the account's is refused. The current stamp is read from the database at
/// most once per <see cref="CacheFor"/> per user and replica, so an access token stops working at once on the replica
/// that logged out and within <see cref="CacheFor"/> on the others.
/// </summary>
public sealed class SessionRevocation(IServiceScopeFactory scopes, IMemoryCache cache, IOptions<IdentityOptions> identity)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        if (userId is null || stamp is null)
        {
            return false;
        }
        var current = await cache.GetOrCreateAsync(Key(userId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var scope = scopes.CreateAsyncScope();
            var user = await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByIdAsync(userId);
            return user?.SecurityStamp;
        });
        return current is not null && string.Equals(current, stamp, StringComparison.Ordinal);
    }

    /// <summary>Revokes every token of the account (all its sessions, on every device).</summary>
    public async Task RevokeAsync(UserManager<IdentityUser> users, IdentityUser user)
    {
        await users.UpdateSecurityStampAsync(user);
        cache.Remove(Key(user.Id));
    }

    private static string Key(string userId) => "security-stamp:" + userId;
}

/// <summary>
/// After authentication: a bearer token whose security stamp is outdated (the account logged out) counts as a failed
/// authentication, so endpoints that need a user answer 401 (a challenge), not 403.
/// </summary>
internal sealed class RevokedSessionMiddleware(RequestDelegate next, SessionRevocation sessions)
{
    private static readonly AuthenticateResult Revoked = AuthenticateResult.Fail("The session was logged out.");

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true && !await sessions.IsCurrentAsync(context.User))
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity());
            context.Features.Set<IAuthenticateResultFeature>(new RevokedResult());
        }
        await next(context);
    }

    private sealed class RevokedResult : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; } = Revoked;
    }
}
