using System.Net;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Infrastructure.Tests.Net;

public sealed class OutboundAddressPolicyTests
{
    private static readonly OutboundAddressPolicy Strict = new(allowPrivateNetworks: false);
    private static readonly OutboundAddressPolicy SingleUser = new(allowPrivateNetworks: true);

    [Theory]
    [InlineData("1.1.1.1", AddressRange.Public)]
    [InlineData("8.8.8.8", AddressRange.Public)]
    [InlineData("2606:4700::1111", AddressRange.Public)]
    [InlineData("2a00:1450:4001:80b::200e", AddressRange.Public)]
    [InlineData("100.63.255.255", AddressRange.Public)]
    [InlineData("100.128.0.0", AddressRange.Public)]
    [InlineData("172.15.255.255", AddressRange.Public)]
    [InlineData("172.32.0.0", AddressRange.Public)]
    [InlineData("127.0.0.1", AddressRange.Loopback)]
    [InlineData("127.255.255.254", AddressRange.Loopback)]
    [InlineData("::1", AddressRange.Loopback)]
    [InlineData("10.0.0.1", AddressRange.Private)]
    [InlineData("172.16.0.1", AddressRange.Private)]
    [InlineData("172.31.255.255", AddressRange.Private)]
    [InlineData("192.168.1.1", AddressRange.Private)]
    [InlineData("100.64.0.1", AddressRange.SharedAddressSpace)]
    [InlineData("100.127.255.255", AddressRange.SharedAddressSpace)]
    [InlineData("169.254.169.254", AddressRange.LinkLocal)]
    [InlineData("169.254.0.1", AddressRange.LinkLocal)]
    [InlineData("fe80::1", AddressRange.LinkLocal)]
    [InlineData("febf::1", AddressRange.LinkLocal)]
    [InlineData("fc00::1", AddressRange.UniqueLocal)]
    [InlineData("fd12:3456:789a::1", AddressRange.UniqueLocal)]
    [InlineData("224.0.0.1", AddressRange.Multicast)]
    [InlineData("239.255.255.250", AddressRange.Multicast)]
    [InlineData("ff02::1", AddressRange.Multicast)]
    [InlineData("0.0.0.0", AddressRange.Unspecified)]
    [InlineData("0.1.2.3", AddressRange.Unspecified)]
    [InlineData("::", AddressRange.Unspecified)]
    [InlineData("255.255.255.255", AddressRange.Broadcast)]
    [InlineData("240.0.0.1", AddressRange.Reserved)]
    [InlineData("192.0.2.1", AddressRange.Reserved)]
    [InlineData("198.18.0.1", AddressRange.Reserved)]
    [InlineData("::ffff:127.0.0.1", AddressRange.Loopback)]
    [InlineData("::ffff:10.1.2.3", AddressRange.Private)]
    [InlineData("::ffff:169.254.169.254", AddressRange.LinkLocal)]
    [InlineData("::ffff:1.1.1.1", AddressRange.Public)]
    [InlineData("64:ff9b::127.0.0.1", AddressRange.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressRange.LinkLocal)]
    [InlineData("64:ff9b::192.168.0.1", AddressRange.Private)]
    [InlineData("64:ff9b::1.1.1.1", AddressRange.Public)]
    [InlineData("64:ff9b:1::1", AddressRange.Reserved)]
    [InlineData("2002:7f00:1::1", AddressRange.Loopback)]
    [InlineData("2002:0a00:0001::", AddressRange.Private)]
    [InlineData("2002:0101:0101::1", AddressRange.Public)]
    [InlineData("::127.0.0.1", AddressRange.Reserved)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressRange.Reserved)]
    [InlineData("2001:db8::1", AddressRange.Reserved)]
    [InlineData("fec0::1", AddressRange.Reserved)]
    [InlineData("100::1", AddressRange.Reserved)]
    public void Classify_names_the_range_and_only_public_is_allowed_by_default(string text, AddressRange expected)
    {
        var address = IPAddress.Parse(text);
        Assert.Equal(expected, OutboundAddressPolicy.Classify(address));
        Assert.Equal(expected == AddressRange.Public, Strict.IsAllowed(address));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("169.254.169.254", false)]
    [InlineData("fe80::1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("1.1.1.1", true)]
    public void AllowPrivateNetworks_opens_loopback_and_private_ranges_but_never_metadata_or_multicast(string text, bool allowed) =>
        Assert.Equal(allowed, SingleUser.IsAllowed(IPAddress.Parse(text)));

    [Theory]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("0x7f000001", "127.0.0.1")]
    [InlineData("0X7F000001", "127.0.0.1")]
    [InlineData("0177.0.0.1", "127.0.0.1")]
    [InlineData("0177.0.0.01", "127.0.0.1")]
    [InlineData("017700000001", "127.0.0.1")]
    [InlineData("0x7f.0.0.1", "127.0.0.1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("127.1", "127.0.0.1")]
    [InlineData("127.0.1", "127.0.0.1")]
    [InlineData("10.1", "10.0.0.1")]
    [InlineData("169.254.43518", "169.254.169.254")]
    [InlineData("0", "0.0.0.0")]
    [InlineData("127.0.0.1.", "127.0.0.1")]
    [InlineData("1.1.1.1", "1.1.1.1")]
    [InlineData("[::1]", "::1")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    [InlineData("[::ffff:7f00:1]", "::ffff:127.0.0.1")]
    public void HostLiteral_reads_every_spelling_inet_aton_accepts(string host, string expected)
    {
        Assert.True(HostLiteral.TryParse(host, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("1.2.3.4.5")]
    [InlineData("08.0.0.1")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.65536")]
    [InlineData("4294967296")]
    [InlineData("0x")]
    [InlineData("1..1")]
    [InlineData("")]
    [InlineData("127.0.0.1.evil.example")]
    public void HostLiteral_leaves_names_and_malformed_numbers_to_the_resolver(string host) =>
        Assert.False(HostLiteral.TryParse(host, out _));

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST.", true)]
    [InlineData("api.localhost", true)]
    [InlineData("localhost.example.com", false)]
    [InlineData("mylocalhost", false)]
    public void IsLocalhostName_matches_localhost_and_its_subdomains(string host, bool expected) =>
        Assert.Equal(expected, HostLiteral.IsLocalhostName(host));

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    [InlineData("http://10.1/")]
    [InlineData("http://127.0.0.1./")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("http://[fe80::1%25eth0]/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://localhost/")]
    [InlineData("https://Api.LocalHost:8443/")]
    [InlineData("http://user:secret@example.com/")]
    [InlineData("ftp://example.com/")]
    [InlineData("file:///etc/passwd")]
    public void ProblemWith_refuses_literal_non_public_hosts_localhost_user_info_and_other_schemes(string url) =>
        Assert.NotNull(Strict.ProblemWith(new Uri(url)));

    [Theory]
    [InlineData("https://hooks.example.com/abc")]
    [InlineData("http://1.1.1.1/")]
    [InlineData("https://[2606:4700::1111]/v1")]
    [InlineData("https://discord.com/api/webhooks/1/x")]
    public void ProblemWith_accepts_public_targets(string url) => Assert.Null(Strict.ProblemWith(new Uri(url)));

    [Theory]
    [InlineData("http://127.0.0.1:11434/v1")]
    [InlineData("http://localhost:11434/v1")]
    [InlineData("http://192.168.1.20/")]
    public void ProblemWith_accepts_private_targets_when_the_operator_allows_them(string url) =>
        Assert.Null(SingleUser.ProblemWith(new Uri(url)));

    [Fact]
    public void ProblemWith_names_the_range_in_its_message()
    {
        Assert.Contains("loopback", Strict.ProblemWith(new Uri("http://2130706433/")), StringComparison.Ordinal);
        Assert.Contains("link-local", Strict.ProblemWith(new Uri("http://169.254.169.254/")), StringComparison.Ordinal);
    }
}
