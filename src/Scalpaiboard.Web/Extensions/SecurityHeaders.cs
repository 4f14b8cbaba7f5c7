using System.Security.Cryptography;
using System.Text;

namespace Scalpaiboard.Web.Extensions;

/// <summary>The page's import map: written into every page's head and allowed by its hash in the CSP.</summary>
public static class PageImportMap
{
    public const string Json = """{ "imports": { "lightweight-charts": "/lib/lightweight-charts.mjs" } }""";

    /// <summary>The CSP source that allows exactly this inline script (<c>'sha256-...'</c>).</summary>
    public static readonly string CspHash = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Json))) + "'";
}

/// <summary>
/// Security headers on every response of the Web UI. The Content-Security-Policy allows scripts only from this
/// origin (plus the import map by its hash: no inline code, no eval), network connections only to this origin and
/// the Gateway (REST, SSE and <c>/ws</c>), no plugins, no framing, forms posting only here. Styles allow inline
/// values because the chart library and a few bars set element styles.
/// </summary>
public static class SecurityHeaders
{
    public static string ContentSecurityPolicy(string gatewayPublicUrl)
    {
        var gateway = new Uri(gatewayPublicUrl);
        var http = gateway.GetLeftPart(UriPartial.Authority);
        var ws = (gateway.Scheme == Uri.UriSchemeHttps ? "wss://" : "ws://") + gateway.Authority;
        return "default-src 'self'; " +
            $"script-src 'self' {PageImportMap.CspHash}; " +
            "style-src 'self' 'unsafe-inline'; " +
            "img-src 'self' data: blob:; " +
            "font-src 'self'; " +
            $"connect-src 'self' {http} {ws}; " +
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var policy = ContentSecurityPolicy(app.ApplicationServices.GetRequiredService<GatewayAddresses>().PublicUrl);
        return app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });
    }
}
