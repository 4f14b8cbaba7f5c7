extern alias alerts;

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using WebhookSender = alerts::Scalpaiboard.Alerts.Notifications.WebhookSender;

namespace Scalpaiboard.Web.Tests.RealServices;

/// <summary>
/// Where a test sends the Alerts service's requests for one public push-service host (<c>jmt17.google.com</c>, say):
/// to a fake on 127.0.0.1, over TLS with the fake's own certificate.
/// </summary>
/// <param name="Host">The host name of the subscription's endpoint, as Chromium made it.</param>
/// <param name="Port">The fake's port on 127.0.0.1.</param>
/// <param name="Certificate">The fake's certificate: the only one trusted for that host (its name still checked).</param>
public sealed record PushRoute(string Host, int Port, X509Certificate2 Certificate);

/// <summary>
/// The real Alerts service in the test's process (WebApplicationFactory on Kestrel, 127.0.0.1), configured by settings
/// as <see cref="ServicesFixture"/> configures the process. In-process for one reason: the test configures the handler
/// of its users' outbound client (<c>webhooks-user</c>, which push goes out on) the way only code can. A connection to
/// the <see cref="PushRoute"/>'s host on port 443 goes to the fake push service, and its TLS chain is checked against
/// the fake's certificate alone; every other connection still goes through the production guard (public addresses
/// only) and the machine's trust store. Nothing in the service's own code is switched off.
/// </summary>
public sealed class AlertsHost : WebApplicationFactory<alerts::Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Func<PushRoute?> _route;

    /// <param name="route">Read at each new connection: the route once the test knows the browser's endpoint, else null.</param>
    public AlertsHost(IReadOnlyDictionary<string, string> settings, Func<PushRoute?> route)
    {
        _settings = settings;
        _route = route;
        UseKestrel();
    }

    public string Url { get; private set; } = "";

    public string Start()
    {
        StartServer();
        Url = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return Url;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseUrls("http://127.0.0.1:0");
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
        builder.ConfigureTestServices(services => services.Configure<HttpClientFactoryOptions>(WebhookSender.UserClient,
            options => options.HttpMessageHandlerBuilderActions.Add(handler => RoutePush((SocketsHttpHandler)handler.PrimaryHandler))));
    }

    /// <summary>Runs after the service has built its guarded handler: wraps its connect callback, adds the fake's trust.</summary>
    private void RoutePush(SocketsHttpHandler handler)
    {
        var guarded = handler.ConnectCallback ?? throw new InvalidOperationException("webhooks-user has no guarded connect callback");
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            if (_route() is not { } route || context.DnsEndPoint.Port != 443
                || !string.Equals(context.DnsEndPoint.Host, route.Host, StringComparison.OrdinalIgnoreCase))
            {
                return await guarded(context, cancellationToken);
            }
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, route.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (errors == System.Net.Security.SslPolicyErrors.None)
            {
                return true;
            }
            // Only the fake's own certificate, and only with its name matching the host (no name mismatch, no other chain).
            return _route() is { } route && errors == System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors
                && certificate is not null && certificate.GetCertHashString() == route.Certificate.GetCertHashString();
        };
    }
}
