using System.Net;
using System.Net.Sockets;

namespace Scalpaiboard.Infrastructure.Net;

/// <summary>
/// Decides which addresses a request to a user-supplied URL may reach: public unicast only, or, when the operator
/// sets <c>Security:AllowPrivateNetworks</c>, also loopback, RFC 1918, carrier-grade NAT and unique-local IPv6.
/// Link-local (cloud metadata), multicast, unspecified, broadcast and reserved addresses are never allowed.
/// IPv4 addresses carried inside IPv6 (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) count as the IPv4 address.
/// </summary>
public sealed class OutboundAddressPolicy(bool allowPrivateNetworks)
{
    public bool AllowPrivateNetworks { get; } = allowPrivateNetworks;

    public bool IsAllowed(IPAddress address) => IsAllowed(Classify(address));

    public bool IsAllowed(AddressRange range) =>
        range == AddressRange.Public || AllowPrivateNetworks && IsPrivateNetwork(range);

    /// <summary>Ranges that <c>Security:AllowPrivateNetworks</c> opens: a single-user install's own machine and LAN.</summary>
    public static bool IsPrivateNetwork(AddressRange range) =>
        range is AddressRange.Loopback or AddressRange.Private or AddressRange.SharedAddressSpace or AddressRange.UniqueLocal;

    /// <summary>
    /// The save-time check of a user-supplied URL that already parsed as absolute: http(s) only, no user-info, and a
    /// host that is neither a refused IP literal (in any spelling) nor a localhost name. Null when acceptable. Names
    /// that resolve to refused addresses are caught when connecting (<see cref="GuardedConnect"/>).
    /// </summary>
    public string? ProblemWith(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            return "Only http and https URLs are allowed.";
        }
        if (url.UserInfo.Length > 0)
        {
            return "The URL must not carry a user name or password (user:password@host).";
        }
        var host = url.IdnHost;
        if (HostLiteral.TryParse(host, out var address))
        {
            var range = Classify(address);
            return IsAllowed(range) ? null : $"{address} is {Describe(range)}; the target must be a public address.";
        }
        if (HostLiteral.IsLocalhostName(host) && !AllowPrivateNetworks)
        {
            return $"'{url.Host}' is this machine; the target must be a public address.";
        }
        return null;
    }

    /// <summary>"a loopback address", "a private (RFC 1918) address", ...: for messages.</summary>
    public static string Describe(AddressRange range) => range switch
    {
        AddressRange.Public => "a public address",
        AddressRange.Loopback => "a loopback address",
        AddressRange.Private => "a private (RFC 1918) address",
        AddressRange.SharedAddressSpace => "a carrier-grade NAT (100.64.0.0/10) address",
        AddressRange.UniqueLocal => "a unique-local IPv6 address",
        AddressRange.LinkLocal => "a link-local address",
        AddressRange.Multicast => "a multicast address",
        AddressRange.Unspecified => "an unspecified address",
        AddressRange.Broadcast => "the broadcast address",
        _ => "a reserved address",
    };

    public static AddressRange Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return ClassifyV4(v4);
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressRange.Reserved;
        }
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        return ClassifyV6(b);
    }

    private static AddressRange ClassifyV4(ReadOnlySpan<byte> a) => (a[0], a[1], a[2], a[3]) switch
    {
        (0, _, _, _) => AddressRange.Unspecified,
        (10, _, _, _) => AddressRange.Private,
        (100, >= 64 and < 128, _, _) => AddressRange.SharedAddressSpace,
        (127, _, _, _) => AddressRange.Loopback,
        (169, 254, _, _) => AddressRange.LinkLocal,
        (172, >= 16 and < 32, _, _) => AddressRange.Private,
        (192, 168, _, _) => AddressRange.Private,
        (192, 0, 0, _) => AddressRange.Reserved, // IETF protocol assignments (RFC 6890)
        (192, 0, 2, _) or (198, 51, 100, _) or (203, 0, 113, _) => AddressRange.Reserved, // documentation
        (198, 18 or 19, _, _) => AddressRange.Reserved, // benchmarking
        (255, 255, 255, 255) => AddressRange.Broadcast,
        (>= 224 and < 240, _, _, _) => AddressRange.Multicast,
        (>= 240, _, _, _) => AddressRange.Reserved,
        _ => AddressRange.Public,
    };

    private static AddressRange ClassifyV6(ReadOnlySpan<byte> b)
    {
        if (b[..10].IndexOfAnyExcept((byte)0) < 0)
        {
            if (b[10] == 0xff && b[11] == 0xff)
            {
                return ClassifyV4(b[12..]); // IPv4-mapped ::ffff:a.b.c.d
            }
            if (b[10] == 0 && b[11] == 0)
            {
                return b[12..15].IndexOfAnyExcept((byte)0) < 0 && b[15] <= 1
                    ? b[15] == 0 ? AddressRange.Unspecified : AddressRange.Loopback
                    : AddressRange.Reserved; // deprecated IPv4-compatible ::a.b.c.d
            }
            return AddressRange.Reserved;
        }
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            // 64:ff9b::/96 is NAT64 of a.b.c.d; 64:ff9b:1::/48 is for local use only (RFC 8215).
            return b[4..12].IndexOfAnyExcept((byte)0) < 0 ? ClassifyV4(b[12..]) : AddressRange.Reserved;
        }
        if (b[0] == 0xff)
        {
            return AddressRange.Multicast;
        }
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return AddressRange.LinkLocal;
        }
        if ((b[0] & 0xfe) == 0xfc)
        {
            return AddressRange.UniqueLocal;
        }
        if ((b[0] & 0xe0) != 0x20)
        {
            return AddressRange.Reserved; // not global unicast (site-local fec0::/10, discard 100::/64, unassigned)
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ClassifyV4(b[2..6]); // 6to4 2002:aabb:ccdd::/48 carries a.b.c.d
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
        {
            return AddressRange.Reserved; // Teredo 2001::/32 tunnels to an obfuscated IPv4 address
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        {
            return AddressRange.Reserved; // documentation 2001:db8::/32
        }
        return AddressRange.Public;
    }
}
