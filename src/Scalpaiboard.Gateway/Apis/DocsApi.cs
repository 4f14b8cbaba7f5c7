using Scalpaiboard.Gateway.Services;

namespace Scalpaiboard.Gateway.Apis;

/// <summary>OpenAPI: the Gateway's own document, the merged document of everything under /api, and the UI at /docs.</summary>
public static class DocsApi
{
    public const string MergedDocumentPath = "/openapi/v1.json";

    public static WebApplication MapDocsApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet(MergedDocumentPath, async (OpenApiMerger merger, HttpContext context) =>
            Results.Text(await merger.GetAsync(context.RequestAborted), "application/json; charset=utf-8"))
            .ExcludeFromDescription();
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.DocumentTitle = "Scalpaiboard API";
            o.SwaggerEndpoint(MergedDocumentPath, "Scalpaiboard API (all services)");
        });
        return app;
    }
}
