using System.Diagnostics;
using System.Net;

namespace Scalpaiboard.Web.Apis;

/// <summary>
/// The page for an unhandled exception. Written directly rather than by re-running a Razor page, so a failing form
/// post (whose handler name and antiforgery token belong to another page) cannot fail a second time.
/// </summary>
public static class ErrorPage
{
    public static async Task WriteAsync(HttpContext context)
    {
        var id = WebUtility.HtmlEncode(Activity.Current?.Id ?? context.TraceIdentifier);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Error · Scalpaiboard</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><main class="content"><div class="page-head"><h1>Something went wrong</h1></div>
            <div class="msgbox error" role="alert"><strong>The page could not be shown.</strong><span>Request id: {{id}}</span></div>
            <p><a class="btn" href="/">Back to the dashboard</a></p></main></body></html>
            """, context.RequestAborted);
    }
}
