using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Scalpaiboard.Web.Model;

namespace Scalpaiboard.Web.Services;

/// <summary>
/// The signed-in user as the Web server knows them: an HttpOnly, SameSite=Strict cookie holding the Gateway's
/// access and refresh tokens. The cookie handler refreshes the access token shortly before it expires
/// (<see cref="ValidateAsync"/>).
/// </summary>
public static class UserSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "scalpaiboard.auth";
    private const string AccessToken = "access_token";
    private const string RefreshToken = "refresh_token";
    private const string ExpiresAt = "expires_at";
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    public static async Task SignInAsync(HttpContext context, string email, TokenResponse tokens, TimeProvider time)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.Email, email)], Scheme);
        var properties = new AuthenticationProperties { IsPersistent = true };
        Store(properties, tokens, time);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity), properties);
    }

    /// <summary>Ends the session here and revokes its tokens at the Gateway (best effort: the cookie goes either way).</summary>
    public static async Task SignOutAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Scheme);
        if (result.Succeeded && result.Properties.GetTokenValue(RefreshToken) is { } refresh)
        {
            await context.RequestServices.GetRequiredService<GatewayClient>().LogoutAsync(refresh, context.RequestAborted);
        }
        await context.SignOutAsync(Scheme);
    }

    /// <summary>The access token of the signed-in user, or null when anonymous.</summary>
    public static async Task<string?> AccessTokenAsync(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? await context.GetTokenAsync(Scheme, AccessToken) : null;

    public static async Task<(string Token, DateTimeOffset ExpiresAt)?> AccessTokenWithExpiryAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Scheme);
        if (!result.Succeeded || result.Properties.GetTokenValue(AccessToken) is not { } token)
        {
            return null;
        }
        return (token, ReadExpiry(result.Properties) ?? DateTimeOffset.MinValue);
    }

    /// <summary>Cookie validation: refresh the Gateway tokens when the access token is about to expire.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var expires = ReadExpiry(context.Properties);
        if (expires is { } e && e - RefreshMargin > time.GetUtcNow())
        {
            return;
        }
        var refresh = context.Properties.GetTokenValue(RefreshToken);
        var gateway = context.HttpContext.RequestServices.GetRequiredService<GatewayClient>();
        var result = refresh is null ? null : await gateway.RefreshAsync(refresh, context.HttpContext.RequestAborted);
        if (result is { IsOk: true, Value: { } tokens })
        {
            Store(context.Properties, tokens, time);
            context.ShouldRenew = true;
        }
        else if (result is null || !result.IsUnavailable)
        {
            // The refresh token is gone or refused: the session is over.
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static void Store(AuthenticationProperties properties, TokenResponse tokens, TimeProvider time)
    {
        var expires = time.GetUtcNow().AddSeconds(Math.Max(30, tokens.ExpiresIn));
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = AccessToken, Value = tokens.AccessToken },
            new AuthenticationToken { Name = RefreshToken, Value = tokens.RefreshToken },
            new AuthenticationToken { Name = ExpiresAt, Value = expires.ToString("o", CultureInfo.InvariantCulture) },
        ]);
    }

    private static DateTimeOffset? ReadExpiry(AuthenticationProperties properties) =>
        DateTimeOffset.TryParse(properties.GetTokenValue(ExpiresAt), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var e) ? e : null;
}
