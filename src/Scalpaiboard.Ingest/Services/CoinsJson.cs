using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// A finished <c>/api/coins</c> response body (UTF-8 JSON of a <see cref="CoinsPage"/>), written with its
/// Content-Length in one write. Immutable, so one instance is shared by every request the cache answers with it.
/// When the request's Accept-Encoding allows gzip and the instance is <paramref name="compressible"/> (a cached
/// entry), the body is sent gzip-compressed: compressed once, by the first such request, and kept with the entry.
/// Every answer carries <c>Vary: Accept-Encoding</c>.
/// </summary>
public sealed class CoinsJson(byte[] body, bool compressible = true) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Chosen by measurement (docs/performance.md, /api/coins).</summary>
    public const CompressionLevel GzipLevel = CompressionLevel.Optimal;

    private readonly Lock _gate = new();
    private byte[]? _gzip;

    public byte[] Body { get; } = body;

    /// <summary>False for answers that are not kept (cache full): those are always sent plain.</summary>
    public bool Compressible { get; } = compressible;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => JsonContentType;

    /// <summary>The gzip form of <see cref="Body"/>, compressed on the first call and the same array afterwards.</summary>
    public byte[] GzipBody()
    {
        if (Volatile.Read(ref _gzip) is { } done)
        {
            return done;
        }
        lock (_gate)
        {
            if (_gzip is null)
            {
                Volatile.Write(ref _gzip, Compress(Body, GzipLevel));
            }
            return _gzip!;
        }
    }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.Headers.Vary = "Accept-Encoding";
        var bytes = Body;
        if (Compressible && AcceptsGzip(httpContext.Request.Headers.AcceptEncoding))
        {
            bytes = GzipBody();
            response.Headers.ContentEncoding = "gzip";
        }
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, httpContext.RequestAborted).AsTask();
    }

    public static byte[] Compress(byte[] body, CompressionLevel level)
    {
        using var output = new MemoryStream(body.Length / 3 + 64);
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(body);
        }
        return output.ToArray();
    }

    /// <summary>
    /// Whether an Accept-Encoding header (RFC 9110 12.5.3) lets the answer be gzip: <c>gzip</c> (or <c>x-gzip</c>,
    /// else <c>*</c>) with a q-value above 0 and not below an explicitly listed <c>identity</c>. Absent or empty,
    /// <c>identity</c> only, <c>gzip;q=0</c>, or an unreadable q-value on the gzip entry: plain.
    /// </summary>
    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        double? gzip = null, star = null, identity = null;
        foreach (var value in acceptEncoding)
        {
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var element = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? default : rest[(comma + 1)..];
                if (element.IsEmpty)
                {
                    continue;
                }
                var semicolon = element.IndexOf(';');
                var name = (semicolon < 0 ? element : element[..semicolon]).Trim();
                var q = semicolon < 0 ? 1.0 : Quality(element[(semicolon + 1)..]);
                if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
                {
                    gzip = Math.Max(gzip ?? 0, q);
                }
                else if (name.SequenceEqual("*"))
                {
                    star = q;
                }
                else if (name.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    identity = q;
                }
            }
        }
        var g = gzip ?? star ?? 0;
        return g > 0 && g >= (identity ?? 0);
    }

    /// <summary>The q parameter of an element's parameters (1 when absent, 0 when unreadable or out of range).</summary>
    private static double Quality(ReadOnlySpan<char> parameters)
    {
        while (!parameters.IsEmpty)
        {
            var semicolon = parameters.IndexOf(';');
            var p = (semicolon < 0 ? parameters : parameters[..semicolon]).Trim();
            parameters = semicolon < 0 ? default : parameters[(semicolon + 1)..];
            var eq = p.IndexOf('=');
            if (eq > 0 && p[..eq].Trim().Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                return double.TryParse(p[(eq + 1)..].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q is >= 0 and <= 1 ? q : 0;
            }
        }
        return 1;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(CoinsPage), ["application/json"]));
}
