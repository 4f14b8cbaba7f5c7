using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// The keys of Web Push, all base64url without padding: a browser's subscription key (<c>p256dh</c>, an uncompressed
/// P-256 point) and auth secret (16 bytes), and the server's VAPID pair (the same kind of point, and a 32-byte scalar).
/// </summary>
public static class PushKeys
{
    public const int PublicKeyLength = 65;
    public const int AuthSecretLength = 16;
    public const int PrivateKeyLength = 32;

    /// <summary>The bytes of a base64url text (padding tolerated), or null when it is not one.</summary>
    public static byte[]? Decode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 200)
        {
            return null;
        }
        var trimmed = text.Trim().TrimEnd('=');
        return Base64Url.IsValid(trimmed) ? Base64Url.DecodeFromChars(trimmed) : null;
    }

    /// <summary>True for an uncompressed point (0x04, x, y) that lies on P-256: one a key agreement can use.</summary>
    public static bool IsPublicKey([NotNullWhen(true)] byte[]? point)
    {
        if (point is not { Length: PublicKeyLength } || point[0] != 0x04)
        {
            return false;
        }
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false; // not on the curve
        }
    }

    /// <summary>The setting at fault and why, when the VAPID pair is not a P-256 key pair whose halves belong together.</summary>
    public static (string Key, string Message)? VapidProblem(string? publicKey, string? privateKey)
    {
        var q = Decode(publicKey);
        if (!IsPublicKey(q))
        {
            return ("PublicKey", "must be the base64url uncompressed P-256 public key (65 bytes, starting with 0x04)");
        }
        if (Decode(privateKey) is not { Length: PrivateKeyLength } d)
        {
            return ("PrivateKey", "must be the base64url P-256 private key (32 bytes)");
        }
        try
        {
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
            var derived = key.ExportParameters(false).Q;
            return CryptographicOperations.FixedTimeEquals([0x04, .. derived.X!, .. derived.Y!], q)
                ? null
                : ("PrivateKey", "does not belong to Notifications:WebPush:PublicKey (generate the pair together)");
        }
        catch (CryptographicException)
        {
            return ("PrivateKey", "is not a valid P-256 private key");
        }
    }
}
