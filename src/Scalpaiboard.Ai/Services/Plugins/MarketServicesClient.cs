using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// Calls the Ingest and Alerts APIs as the requesting user: every request carries the user headers signed
/// with <see cref="UserContextSigner"/>, exactly as the Gateway would forward them.
/// </summary>
public sealed class MarketServicesClient(HttpClient http, UserContextSigner signer)
{
    public const string Ingest = "http://ingest";
    public const string Alerts = "http://alerts";

    public Task<JsonNode?> GetAsync(string userId, string url, CancellationToken cancellationToken) =>
        SendAsync(userId, HttpMethod.Get, url, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string userId, string url, object body, CancellationToken cancellationToken) =>
        SendAsync(userId, HttpMethod.Post, url, body, cancellationToken);

    public Task<JsonNode?> PutAsync(string userId, string url, object body, CancellationToken cancellationToken) =>
        SendAsync(userId, HttpMethod.Put, url, body, cancellationToken);

    public Task<JsonNode?> DeleteAsync(string userId, string url, CancellationToken cancellationToken) =>
        SendAsync(userId, HttpMethod.Delete, url, null, cancellationToken);

    private async Task<JsonNode?> SendAsync(string userId, HttpMethod method, string url, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: JsonSerializerOptions.Web);
        }
        await signer.SignAsync(request, userId, cancellationToken);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ToolException($"{ServiceName(url)} service is not reachable: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ToolException($"{ServiceName(url)} service did not answer in time");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? json = null;
            try
            {
                json = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // a non-JSON body: reported below when the status is an error, ignored otherwise
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new ToolException(Describe(response.StatusCode, url, json, text));
            }
            return json;
        }
    }

    private static string ServiceName(string url) => url.StartsWith(Alerts, StringComparison.Ordinal) ? "alerts" : "ingest";

    private static string Describe(HttpStatusCode status, string url, JsonNode? json, string text)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.AbsolutePath : url;
        string? detail = null;
        if (json is JsonObject o)
        {
            detail = o["detail"]?.ToString() ?? o["title"]?.ToString();
            if (o["errors"] is JsonObject errors && errors.Count > 0)
            {
                detail = (detail is null ? "" : detail + ": ") + string.Join("; ",
                    errors.Select(e => $"{e.Key}: {(e.Value is JsonArray a ? string.Join(", ", a) : e.Value?.ToString())}"));
            }
        }
        detail ??= text.Length > 200 ? text[..200] : text;
        return $"{(int)status} {status} from {ServiceName(url)} {path}" + (string.IsNullOrWhiteSpace(detail) ? "" : $": {detail}");
    }
}
