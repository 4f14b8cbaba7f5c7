using Microsoft.AspNetCore.Antiforgery;
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

    // A form post checked against the antiforgery token here (not by form binding, whose failure would surface as an
    // exception), so another site's form cannot log the user out.
    public static async Task<Results<RedirectHttpResult, BadRequest<SessionError>>> LogoutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!context.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.BadRequest(new SessionError("Invalid or missing antiforgery token."));
        }
        var returnUrl = (await context.Request.ReadFormAsync(context.RequestAborted))["returnUrl"].ToString();
        await UserSession.SignOutAsync(context);
        return TypedResults.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/");
    }
}
