using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// A finished <c>/api/coins</c> response body (UTF-8 JSON of a <see cref="CoinsPage"/>), written with its
/// Content-Length in one write. Immutable, so one instance is shared by every request the cache answers with it.
/// </summary>
public sealed class CoinsJson(byte[] body) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public byte[] Body { get; } = body;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(CoinsPage), ["application/json"]));
}
