using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Scalpaiboard.Infrastructure.Identity;

/// <summary>
/// Signs and verifies the user identity the Gateway hands to services. Headers:
/// <c>X-Scalpaiboard-User</c> (user id), <c>X-Scalpaiboard-User-Time</c> (Unix seconds) and
/// <c>X-Scalpaiboard-User-Signature</c> (base64url HMAC-SHA256 of <c>"{user}\n{time}"</c> with the shared
/// secret <c>Identity:SigningKey</c>). A signature older than <see cref="MaxAge"/> is refused, so a captured
/// header cannot be replayed for long; a service port reached directly cannot impersonate anyone without the key.
/// </summary>
public sealed class UserContextSigner
{
    public const string UserHeader = "X-Scalpaiboard-User";
    public const string TimeHeader = "X-Scalpaiboard-User-Time";
    public const string SignatureHeader = "X-Scalpaiboard-User-Signature";
    public const string ConfigurationKey = "Identity:SigningKey";

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

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

    public (string Time, string Signature) Sign(string userId)
    {
        var time = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return (time, Compute(userId, time));
    }

    public bool Verify(string? userId, string? time, string? signature)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(time) || string.IsNullOrEmpty(signature)
            || !long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }
        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age > MaxAge || age < -MaxAge)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Compute(userId, time));
        var actual = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private string Compute(string userId, string time)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(userId + "\n" + time));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
