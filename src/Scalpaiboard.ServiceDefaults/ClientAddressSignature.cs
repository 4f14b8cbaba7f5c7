using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Scalpaiboard.ServiceDefaults;

/// <summary>
/// How the Web server tells the Gateway which browser a server-side call is for, so anonymous rate limits count per
/// end user and not per Web server: <c>X-Scalpaiboard-Client: {address};{unix seconds};{signature}</c>, the signature
/// an HMAC-SHA256 with the key every service shares (<c>Identity:SigningKey</c>). Unlike <c>X-Forwarded-For</c>,
/// which the Gateway takes only from configured proxies, a caller on the same machine cannot forge it.
/// </summary>
public static class ClientAddressSignature
{
    public const string Header = "X-Scalpaiboard-Client";
    public const string SigningKey = "Identity:SigningKey";

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    public static string Create(string key, IPAddress address, DateTimeOffset now)
    {
        var text = Normalize(address).ToString();
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{text};{seconds};{Mac(key, text, seconds)}";
    }

    /// <summary>The signed address, or null when the value is malformed, expired or not signed with <paramref name="key"/>.</summary>
    public static IPAddress? Verify(string key, string? value, DateTimeOffset now)
    {
        var parts = value?.Split(';');
        if (parts is not { Length: 3 } || !IPAddress.TryParse(parts[0], out var address)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }
        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if (age > MaxAge || age < -MaxAge)
        {
            return null;
        }
        var expected = Encoding.ASCII.GetBytes(Mac(key, parts[0], parts[1]));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])) ? Normalize(address) : null;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Mac(string key, string address, string seconds) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"client-address\n{address}\n{seconds}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
