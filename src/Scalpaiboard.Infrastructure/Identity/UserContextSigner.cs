using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Scalpaiboard.Infrastructure.Identity;

/// <summary>
/// Signs and verifies the user identity the Gateway (or a service acting for a user) hands to a service, bound to
/// one request. Headers: <c>X-Scalpaiboard-User</c> (user id), <c>X-Scalpaiboard-User-Time</c> (Unix seconds) and
/// <c>X-Scalpaiboard-User-Signature</c>: base64url HMAC-SHA256, with the shared secret <c>Identity:SigningKey</c>, of
/// <c>"v2\n{user}\n{time}\n{METHOD}\n{path}{?query}\n{base64url SHA-256 of the body}"</c> (the path decoded, as
/// ASP.NET Core's <c>Request.Path</c> gives it; the query as sent). A signature older than <see cref="MaxAge"/> is
/// refused, and a captured set of headers is worth nothing for another method, path, query or body.
/// </summary>
public sealed class UserContextSigner
{
    public const string UserHeader = "X-Scalpaiboard-User";
    public const string TimeHeader = "X-Scalpaiboard-User-Time";
    public const string SignatureHeader = "X-Scalpaiboard-User-Signature";
    public const string ConfigurationKey = "Identity:SigningKey";

    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);

    /// <summary>The digest of an empty body.</summary>
    public static readonly string EmptyBodyDigest = Digest([]);

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public UserContextSigner(string signingKey, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(signingKey) || signingKey.Length < 16)
        {
            throw new ArgumentException($"{ConfigurationKey} must be at least 16 characters.", nameof(signingKey));
        }
        _key = Encoding.UTF8.GetBytes(signingKey);
        _time = time ?? TimeProvider.System;
    }

    public (string Time, string Signature) Sign(string userId, string method, string target, string bodyDigest)
    {
        var time = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return (time, Compute(userId, time, method, target, bodyDigest));
    }

    /// <summary>Adds the signed headers for <paramref name="userId"/> to an outgoing request (its content buffered to hash it).</summary>
    public async Task SignAsync(HttpRequestMessage request, string userId, CancellationToken cancellationToken = default)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var (time, signature) = Sign(userId, request.Method.Method, Target(uri), Digest(body));
        foreach (var header in new[] { UserHeader, TimeHeader, SignatureHeader })
        {
            request.Headers.Remove(header);
        }
        request.Headers.TryAddWithoutValidation(UserHeader, userId);
        request.Headers.TryAddWithoutValidation(TimeHeader, time);
        request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
    }

    public bool Verify(string? userId, string? time, string? signature, string method, string target, string bodyDigest)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(time) || string.IsNullOrEmpty(signature)
            || !long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            return false;
        }
        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age > MaxAge || age < -MaxAge)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Compute(userId, time, method, target, bodyDigest));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>What a request is signed for: its decoded path and its query as sent (<c>/api/alerts/1?x=%20</c>).</summary>
    public static string Target(HttpRequest request) => request.PathBase.Add(request.Path).Value + request.QueryString.Value;

    /// <inheritdoc cref="Target(HttpRequest)"/>
    public static string Target(Uri uri) => Uri.UnescapeDataString(uri.AbsolutePath) + uri.Query;

    public static string Digest(ReadOnlySpan<byte> body) => Base64Url(SHA256.HashData(body));

    /// <summary>The digest of a request body, read to the end and rewound for whoever reads it next.</summary>
    public static async Task<string> DigestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }
        request.Body.Position = 0;
        return Base64Url(sha.GetHashAndReset());
    }

    private string Compute(string userId, string time, string method, string target, string bodyDigest)
    {
        var text = $"v2\n{userId}\n{time}\n{method.ToUpperInvariant()}\n{target}\n{bodyDigest}";
        return Base64Url(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
