namespace Scalpaiboard.Infrastructure.Net;

/// <summary>What kind of network an IP address belongs to, as far as outbound requests care.</summary>
public enum AddressRange
{
    /// <summary>A globally routable unicast address.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16.</summary>
    Private,

    /// <summary>Carrier-grade NAT, RFC 6598: 100.64.0.0/10.</summary>
    SharedAddressSpace,

    /// <summary>Unique-local IPv6, RFC 4193: fc00::/7.</summary>
    UniqueLocal,

    /// <summary>169.254.0.0/16 (cloud metadata lives at 169.254.169.254), fe80::/10.</summary>
    LinkLocal,

    /// <summary>224.0.0.0/4, ff00::/8.</summary>
    Multicast,

    /// <summary>0.0.0.0/8 ("this network"), ::.</summary>
    Unspecified,

    /// <summary>255.255.255.255.</summary>
    Broadcast,

    /// <summary>
    /// Everything else that is not a public destination: 240.0.0.0/4, IETF protocol assignments, benchmarking and
    /// documentation ranges, deprecated IPv4-compatible and site-local IPv6, Teredo, local-use NAT64, and any IPv6
    /// outside 2000::/3.
    /// </summary>
    Reserved,
}
