using System.Net;
using System.Net.Sockets;

namespace Scalpaiboard.Infrastructure.Net;

/// <summary>Resolves a host name to its addresses; <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> outside tests.</summary>
public delegate Task<IPAddress[]> HostAddressResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of clients that reach user-supplied targets. It resolves the
/// host itself, checks every address against <see cref="OutboundAddressPolicy"/> and connects only to an allowed
/// one, so the check holds for the address actually connected to: a name that resolves to 127.0.0.1, a name whose
/// DNS answer changes between the save-time check and the send (rebinding), and every new connection of a pool.
/// </summary>
public sealed class GuardedConnect(OutboundAddressPolicy policy, HostAddressResolver resolve)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = HostLiteral.TryParse(host, out var literal) ? [literal] : await resolve(host, cancellationToken);
        var allowed = new List<IPAddress>(addresses.Length);
        AddressRange? refused = null;
        foreach (var address in addresses)
        {
            var range = OutboundAddressPolicy.Classify(address);
            if (policy.IsAllowed(range))
            {
                allowed.Add(address);
            }
            else
            {
                refused ??= range;
            }
        }
        if (allowed.Count == 0)
        {
            throw new OutboundRequestRefusedException(refused is { } r
                ? $"Refused to connect to '{host}': it resolves to {OutboundAddressPolicy.Describe(r)}, and user-supplied targets must be public addresses."
                : $"Refused to connect to '{host}': it resolves to no address.");
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}
