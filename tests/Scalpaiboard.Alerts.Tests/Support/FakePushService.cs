using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>
/// A browser's side of a push subscription, made as a browser makes it: a P-256 key pair (the public half is
/// <c>p256dh</c>) and a 16-byte auth secret. Only it can decrypt what is pushed to it.
/// </summary>
public sealed class TestBrowser : IDisposable
{
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public byte[] AuthSecret { get; } = RandomNumberGenerator.GetBytes(16);

    public byte[] PublicKey
    {
        get
        {
            var q = _key.ExportParameters(false).Q;
            return [0x04, .. q.X!, .. q.Y!];
        }
    }

    public string P256dh => Base64Url.EncodeToString(PublicKey);

    public string Auth => Base64Url.EncodeToString(AuthSecret);

    /// <summary>
    /// Decrypts an <c>aes128gcm</c> push message body (RFC 8188 framing, RFC 8291 keys): header salt(16) | rs(4) |
    /// idlen(1) | the sender's ephemeral public key; then one record whose plaintext ends with the delimiter 0x02.
    /// </summary>
    public string Decrypt(byte[] body)
    {
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        int idLength = body[20];
        var senderKey = body[21..(21 + idLength)];
        var record = body[(21 + idLength)..];
        if (idLength != 65 || record.Length > recordSize)
        {
            throw new CryptographicException($"unexpected framing: idlen {idLength}, record {record.Length} of {recordSize}");
        }
        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = senderKey[1..33], Y = senderKey[33..] },
        });
        var ecdhSecret = _key.DeriveRawSecretAgreement(sender.PublicKey);
        // RFC 8291 section 3.4: IKM from the ECDH secret and the auth secret, bound to both public keys.
        var keyInfo = (byte[])[.. "WebPush: info\0"u8, .. PublicKey, .. senderKey];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ecdhSecret, 32, AuthSecret, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, "Content-Encoding: aes128gcm\0"u8.ToArray());
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, "Content-Encoding: nonce\0"u8.ToArray());
        var plain = new byte[record.Length - 16];
        using (var aes = new AesGcm(cek, 16))
        {
            aes.Decrypt(nonce, record[..^16], record[^16..], plain);
        }
        var end = plain.AsSpan().TrimEnd((byte)0);
        if (end.Length == 0 || end[^1] != 0x02)
        {
            throw new CryptographicException("the last record does not end with the 0x02 delimiter");
        }
        return Encoding.UTF8.GetString(end[..^1]);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>One push request as the fake push service checked it.</summary>
public sealed record ReceivedPush(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At,
    string? VapidProblem, JsonElement? Claims)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A push service on 127.0.0.1 over a real socket (Kestrel, port 0), speaking RFC 8030 as the browsers' push services
/// do: a POST to a subscription's endpoint (<c>/push/{id}</c>, or FCM's <c>/fcm/send/{token}</c>) with a VAPID
/// <c>Authorization: vapid t=JWT, k=key</c> (RFC 8292). It checks the token as a push service would: ES256 over the
/// header and claims, verified with the key in <c>k</c>, which must be the server's public key; <c>aud</c> the origin
/// the request was sent to (its scheme and <c>Host</c>), <c>exp</c> in the future and at most 24 hours ahead, <c>sub</c>
/// a contact; and answers 201, or what <see cref="Respond"/> says (401 for a bad token). Plain HTTP, or TLS with a
/// certificate of the test's (standing in for a push service's public host, as the browser tests do).
/// </summary>
public sealed class FakePushService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _serverPublicKey;
    private int _count;

    private FakePushService(WebApplication app, string serverPublicKey)
    {
        _app = app;
        _serverPublicKey = serverPublicKey;
    }

    public ConcurrentQueue<ReceivedPush> Requests { get; } = new();

    /// <summary>(request number from 1, request) -> (status, extra headers); the default accepts every message.</summary>
    public Func<int, ReceivedPush, (int Status, IDictionary<string, string>? Headers)> Respond { get; set; } = (_, _) => (201, null);

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The origin that VAPID tokens for this service's endpoints must name as <c>aud</c>.</summary>
    public string Origin => BaseUri.GetLeftPart(UriPartial.Authority);

    /// <param name="certificate">Serve TLS with this certificate instead of plain HTTP.</param>
    public static async Task<FakePushService> StartAsync(string serverPublicKey, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (certificate is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        }
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var service = new FakePushService(app, serverPublicKey);
        app.MapPost("/push/{id}", service.HandleAsync);
        app.MapPost("/fcm/send/{token}", service.HandleAsync);
        await app.StartAsync();
        service.BaseUri = new Uri(app.Urls.First());
        return service;
    }

    /// <summary>A new subscription endpoint on this service.</summary>
    public string NewEndpoint() => new Uri(BaseUri, "/push/" + Guid.NewGuid().ToString("N")).ToString();

    private async Task HandleAsync(HttpContext context)
    {
        using var ms = new MemoryStream();
        await context.Request.Body.CopyToAsync(ms);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var (problem, claims) = CheckVapid(context.Request.Headers.Authorization.ToString(), $"{context.Request.Scheme}://{context.Request.Host}");
        var push = new ReceivedPush(context.Request.Path.Value ?? "", headers, ms.ToArray(), DateTimeOffset.UtcNow, problem, claims);
        Requests.Enqueue(push);
        var n = Interlocked.Increment(ref _count);
        var (status, extra) = problem is null ? Respond(n, push) : (401, null);
        context.Response.StatusCode = status;
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            context.Response.Headers[k] = v;
        }
        if (status == 201)
        {
            context.Response.Headers.Location = $"{Origin}/message/{n}";
        }
    }

    private (string? Problem, JsonElement? Claims) CheckVapid(string authorization, string origin)
    {
        if (!authorization.StartsWith("vapid ", StringComparison.Ordinal))
        {
            return ($"not the vapid scheme: '{authorization.Split(' ')[0]}'", null);
        }
        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parameters.TryGetValue("t", out var token) || !parameters.TryGetValue("k", out var key))
        {
            return ("t= or k= missing", null);
        }
        if (key != _serverPublicKey)
        {
            return ("k is not the application server's public key", null);
        }
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return ("the token is not a JWS", null);
        }
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        if (header.RootElement.GetProperty("alg").GetString() != "ES256")
        {
            return ("alg is not ES256", null);
        }
        var point = Base64Url.DecodeFromChars(key);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..] },
        });
        // JWS ES256: the signature is r || s (IEEE P1363), 64 bytes.
        if (!ecdsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256))
        {
            return ("the ES256 signature does not verify with k", null);
        }
        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var exp = claims.TryGetProperty("exp", out var e) && e.TryGetInt64(out var x) ? x : 0;
        if (claims.TryGetProperty("aud", out var aud) && aud.GetString() != origin)
        {
            return ($"aud '{aud.GetString()}' is not the endpoint's origin {origin}", claims);
        }
        if (!claims.TryGetProperty("aud", out _))
        {
            return ("aud missing", claims);
        }
        if (exp <= now || exp > now + 24 * 3600)
        {
            return ($"exp {exp} is not within the next 24 hours", claims);
        }
        if (!claims.TryGetProperty("sub", out var sub) || sub.GetString() is not { } contact
            || !(contact.StartsWith("mailto:", StringComparison.Ordinal) || contact.StartsWith("https://", StringComparison.Ordinal)))
        {
            return ("sub is not a mailto: or https: contact", claims);
        }
        return (null, claims);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
