namespace Scalpaiboard.Gateway.Extensions;

/// <summary>Security headers on every response (a forwarded service's own values win).</summary>
public static class SecurityHeaders
{
    /// <summary>For the API: nothing to render, nothing to frame.</summary>
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>For the Swagger UI at /docs: its own scripts and styles (it sets some styles inline) and data: images.</summary>
    private const string DocsPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs") ? DocsPolicy : ApiPolicy;
        return next(context);
    });
}
