using Microsoft.AspNetCore.Http.HttpResults;
using Scalpaiboard.Web.Services;

namespace Scalpaiboard.Web.Apis;

/// <summary>
/// What the browser's live modules need from the Web server: the signed-in user's Gateway access token (the
/// auth cookie is HttpOnly, so scripts cannot read it) for /ws and SSE calls, and logout.
/// </summary>
public static class SessionApi
{
    public sealed record SessionToken(string AccessToken, DateTimeOffset ExpiresAt);

    public sealed record SessionError(string Error);

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/session/token", GetTokenAsync);
        app.MapPost("/logout", LogoutAsync);
        return app;
    }

    public static async Task<Results<Ok<SessionToken>, JsonHttpResult<SessionError>>> GetTokenAsync(HttpContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        context.Response.Headers.CacheControl = "no-store";
        return await UserSession.AccessTokenWithExpiryAsync(context) is { } t
            ? TypedResults.Ok(new SessionToken(t.Token, t.ExpiresAt))
            : TypedResults.Json(new SessionError("Not signed in."), statusCode: StatusCodes.Status401Unauthorized);
    }

    // A form post (antiforgery-checked because it binds a form), so another site cannot log the user out.
    public static async Task<RedirectHttpResult> LogoutAsync(HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl)
    {
        await UserSession.SignOutAsync(context);
        return TypedResults.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/");
    }
}
