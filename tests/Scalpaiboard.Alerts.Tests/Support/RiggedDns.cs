using System.Net;
using System.Net.Sockets;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>A resolver for user-target connections in which the public-looking name <c>evil.example</c> is 127.0.0.1.</summary>
public static class RiggedDns
{
    public const string Evil = "evil.example";

    public static HostAddressResolver Resolver => (host, _) => string.Equals(host, Evil, StringComparison.OrdinalIgnoreCase)
        ? Task.FromResult(new[] { IPAddress.Loopback })
        : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));

    /// <summary>A URL on <paramref name="receiver"/>'s port that names <c>evil.example</c> instead of 127.0.0.1.</summary>
    public static string EvilUrl(FakeReceiver receiver, string path) => $"http://{Evil}:{receiver.BaseUri.Port}{path}";
}
