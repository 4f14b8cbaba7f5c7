using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalpaiboard.Gateway.Services.Forwarding;

namespace Scalpaiboard.Gateway.Services;

/// <summary>
/// One OpenAPI document for everything reachable through the Gateway: the Gateway's own endpoints plus the
/// <c>/api</c> paths of every service's <c>/openapi/v1.json</c> that answers (a service that is down is left out
/// and named in the description). Schema names that clash between documents are prefixed with the service name.
/// Cached briefly, since services rarely change while running.
/// </summary>
public sealed class OpenApiMerger(IServiceProvider services, IHttpClientFactory clients, TimeProvider time)
{
    public const string OwnDocument = "gateway";
    private const string SchemaRef = "#/components/schemas/";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Json, DateTimeOffset Until)? _cached;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } c && c.Until > time.GetUtcNow())
        {
            return c.Json;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } again && again.Until > time.GetUtcNow())
            {
                return again.Json;
            }
            var (json, complete) = await BuildAsync(cancellationToken);
            _cached = (json, time.GetUtcNow() + (complete ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(5)));
            return json;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(string Json, bool Complete)> BuildAsync(CancellationToken cancellationToken)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(OwnDocument);
        var own = await provider.GetOpenApiDocumentAsync(cancellationToken);
        var ownJson = await own.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken);
        var merged = JsonNode.Parse(ownJson)!.AsObject();

        var fetches = ServiceRoutes.Services.Select(s => FetchAsync(s, cancellationToken)).ToArray();
        var documents = await Task.WhenAll(fetches);
        var missing = new List<string>();
        for (var i = 0; i < documents.Length; i++)
        {
            if (documents[i] is { } doc)
            {
                Merge(merged, doc, ServiceRoutes.Services[i]);
            }
            else
            {
                missing.Add(ServiceRoutes.Services[i]);
            }
        }

        merged.Remove("servers");
        merged["info"] = new JsonObject
        {
            ["title"] = "Scalpaiboard API",
            ["version"] = "v1",
            ["description"] = "Everything under /api, through the Gateway. Log in with POST /api/auth/login and use the " +
                "accessToken as a Bearer token (Authorize). Live data: WebSocket /ws (see docs/gateway.md)." +
                (missing.Count > 0 ? $" Not included right now (service unreachable): {string.Join(", ", missing)}." : ""),
        };
        var components = Object(merged, "components");
        Object(components, "securitySchemes")["Bearer"] = new JsonObject
        {
            ["type"] = "http",
            ["scheme"] = "bearer",
            ["description"] = "accessToken from POST /api/auth/login",
        };
        merged["security"] = new JsonArray(new JsonObject(), new JsonObject { ["Bearer"] = new JsonArray() });
        return (merged.ToJsonString(), missing.Count == 0);
    }

    private async Task<JsonObject?> FetchAsync(string service, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await clients.CreateClient(ServiceHealth.ClientName).GetAsync(new Uri($"http://{service}/openapi/v1.json"), timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token)) as JsonObject;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException
            && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    internal static void Merge(JsonObject target, JsonObject source, string service)
    {
        var prefix = char.ToUpperInvariant(service[0]) + service[1..];
        var targetSchemas = Object(Object(target, "components"), "schemas");
        if (source["components"]?["schemas"] is JsonObject sourceSchemas)
        {
            var renames = new Dictionary<string, string>();
            foreach (var (name, schema) in sourceSchemas)
            {
                if (targetSchemas[name] is { } existing && !JsonNode.DeepEquals(existing, schema))
                {
                    renames[name] = prefix + name;
                }
            }
            if (renames.Count > 0)
            {
                RewriteRefs(source, renames);
            }
            foreach (var (name, schema) in sourceSchemas)
            {
                targetSchemas[renames.GetValueOrDefault(name, name)] ??= schema?.DeepClone();
            }
        }
        var targetPaths = Object(target, "paths");
        if (source["paths"] is JsonObject sourcePaths)
        {
            foreach (var (path, item) in sourcePaths)
            {
                if (!path.StartsWith("/api/", StringComparison.Ordinal) || item is not JsonObject operations || targetPaths.ContainsKey(path))
                {
                    continue;
                }
                var copy = operations.DeepClone().AsObject();
                foreach (var (_, operation) in copy)
                {
                    if (operation is JsonObject op && op["tags"] is not JsonArray { Count: > 0 })
                    {
                        op["tags"] = new JsonArray(prefix);
                    }
                }
                targetPaths[path] = copy;
            }
        }
    }

    private static void RewriteRefs(JsonNode? node, Dictionary<string, string> renames)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToArray())
                {
                    if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var r) && r.StartsWith(SchemaRef, StringComparison.Ordinal)
                        && renames.TryGetValue(r[SchemaRef.Length..], out var renamed))
                    {
                        obj[key] = SchemaRef + renamed;
                    }
                    else
                    {
                        RewriteRefs(value, renames);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RewriteRefs(item, renames);
                }
                break;
        }
    }

    private static JsonObject Object(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing)
        {
            return existing;
        }
        var created = new JsonObject();
        parent[name] = created;
        return created;
    }
}
