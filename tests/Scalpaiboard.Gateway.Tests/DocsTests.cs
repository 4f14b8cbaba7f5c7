using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Scalpaiboard.Gateway.Tests.Support;

namespace Scalpaiboard.Gateway.Tests;

public sealed class DocsTests
{
    private static string ServiceDocument(string path, string schemaName, string property) => new JsonObject
    {
        ["openapi"] = "3.1.1",
        ["info"] = new JsonObject { ["title"] = "svc", ["version"] = "1" },
        ["paths"] = new JsonObject
        {
            [path] = new JsonObject
            {
                ["get"] = new JsonObject
                {
                    ["responses"] = new JsonObject
                    {
                        ["200"] = new JsonObject
                        {
                            ["description"] = "OK",
                            ["content"] = new JsonObject
                            {
                                ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + schemaName } },
                            },
                        },
                    },
                },
            },
            ["/health"] = new JsonObject { ["get"] = new JsonObject() },
        },
        ["components"] = new JsonObject
        {
            ["schemas"] = new JsonObject
            {
                [schemaName] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { [property] = new JsonObject { ["type"] = "string" } } },
            },
        },
    }.ToJsonString();

    [Fact]
    public async Task The_merged_document_covers_the_gateway_and_every_reachable_service()
    {
        await using var ingest = await Downstream.StartAsync(app =>
            app.MapGet("/openapi/v1.json", () => Results.Text(ServiceDocument("/api/coins", "Page", "coins"), "application/json")));
        await using var alerts = await Downstream.StartAsync(app =>
            app.MapGet("/openapi/v1.json", () => Results.Text(ServiceDocument("/api/alerts", "Page", "alerts"), "application/json")));
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["services:ingest:http:0"] = ingest.Address.ToString(),
            ["services:alerts:http:0"] = alerts.Address.ToString(),
            ["services:ai:http:0"] = $"http://127.0.0.1:{Scalpaiboard.Testing.ServerProcess.FreePort()}",
        });
        using var http = gateway.CreateHttpClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;

        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/auth/login", paths);
        Assert.Contains("/api/auth/register", paths);
        Assert.Contains("/api/health", paths);
        Assert.Contains("/api/coins", paths);
        Assert.Contains("/api/alerts", paths);
        Assert.DoesNotContain("/health", paths);

        // Both services call a different schema "Page": one keeps the name, the other is renamed and its $ref follows.
        var schemas = doc["components"]!["schemas"]!.AsObject();
        Assert.NotNull(schemas["Page"]);
        Assert.NotNull(schemas["AlertsPage"]);
        Assert.Equal("#/components/schemas/AlertsPage",
            doc["paths"]!["/api/alerts"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("Alerts", doc["paths"]!["/api/alerts"]!["get"]!["tags"]![0]!.GetValue<string>());
        Assert.Contains("ai", doc["info"]!["description"]!.GetValue<string>());
        Assert.Equal("bearer", doc["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task Docs_ui_is_served_with_a_content_security_policy_that_allows_it()
    {
        await using var gateway = await GatewayFactory.StartAsync();
        using var http = gateway.CreateHttpClient();
        var page = await http.GetAsync("/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        // The merged document is reachable even with no service up.
        var doc = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        Assert.True(doc.RootElement.GetProperty("paths").TryGetProperty("/api/auth/login", out _));
    }
}
