using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Scalpaiboard.Infrastructure.Net;

/// <summary>
/// Reads the host part of a URL the way resolvers do before they ever ask DNS: an IPv6 literal (with or without
/// brackets), or an IPv4 address in any spelling that inet_aton accepts (2130706433, 0x7f000001, 0177.0.0.1,
/// 127.1, 10.1), with or without a trailing dot. Also tells the names that always mean this machine.
/// </summary>
public static class HostLiteral
{
    public static bool TryParse(string host, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var h = host.AsSpan().Trim();
        if (h.Length >= 2 && h[0] == '[' && h[^1] == ']')
        {
            h = h[1..^1];
        }
        if (h.Contains(':'))
        {
            // The zone (fe80::1%eth0, %25 in a URL) names an interface, not another range.
            var zone = h.IndexOf('%');
            return IPAddress.TryParse(zone < 0 ? h : h[..zone], out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }
        if (h.EndsWith('.'))
        {
            h = h[..^1];
        }
        if (!TryParseIPv4(h, out var value))
        {
            return false;
        }
        address = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return true;
    }

    /// <summary><c>localhost</c> and every name under <c>.localhost</c> (RFC 6761), in any case, with or without a trailing dot.</summary>
    public static bool IsLocalhostName(string host)
    {
        var h = host.AsSpan().Trim().TrimEnd('.');
        return h.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || h.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// inet_aton: one to four parts, each decimal, 0x-hex or 0-octal; the last part fills the remaining bytes
    /// (a = 32 bits, a.b = 8.24, a.b.c = 8.8.16, a.b.c.d = 8.8.8.8).
    /// </summary>
    private static bool TryParseIPv4(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        Span<uint> parts = stackalloc uint[4];
        var count = 0;
        foreach (var range in text.Split('.'))
        {
            if (count == 4 || !TryParsePart(text[range], out parts[count]))
            {
                return false;
            }
            count++;
        }
        if (count == 0)
        {
            return false;
        }
        for (var i = 0; i < count - 1; i++)
        {
            if (parts[i] > 0xff)
            {
                return false;
            }
            value |= parts[i] << (24 - 8 * i);
        }
        var last = parts[count - 1];
        var lastBits = 32 - 8 * (count - 1);
        if (lastBits < 32 && last >> lastBits != 0)
        {
            return false;
        }
        value |= last;
        return true;
    }

    private static bool TryParsePart(ReadOnlySpan<char> part, out uint value)
    {
        value = 0;
        if (part.IsEmpty)
        {
            return false;
        }
        if (part.Length > 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X'))
        {
            return uint.TryParse(part[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        if (part.Length > 1 && part[0] == '0')
        {
            ulong octal = 0;
            foreach (var c in part[1..])
            {
                if (c is < '0' or > '7')
                {
                    return false;
                }
                octal = octal * 8 + (ulong)(c - '0');
                if (octal > uint.MaxValue)
                {
                    return false;
                }
            }
            value = (uint)octal;
            return true;
        }
        return part.IndexOfAnyExceptInRange('0', '9') < 0
            && uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
