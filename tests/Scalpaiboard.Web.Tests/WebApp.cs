using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Scalpaiboard.Web.Tests;

/// <summary>The Web app under test, its Gateway address pointed at a fake (or at nothing, for gateway-down tests).</summary>
public sealed class WebApp : WebApplicationFactory<Program>
{
    public const string SigningKey = "web-tests-signing-key-0123456789";

    private readonly string _gatewayUrl;

    public WebApp(string gatewayUrl, bool kestrel = false)
    {
        _gatewayUrl = gatewayUrl.TrimEnd('/');
        _kestrel = kestrel;
        if (kestrel)
        {
            // Not UseKestrel(0): it rewrites the server's addresses after the app has started Kestrel on its own
            // thread, which races with Kestrel's bind ("Addresses cannot be modified after the server has started").
            UseKestrel();
        }
    }

    private readonly bool _kestrel;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        if (_kestrel)
        {
            builder.UseUrls("http://127.0.0.1:0");
        }
        builder.UseSetting("services:gateway:http:0", _gatewayUrl);
        builder.UseSetting("Web:GatewayPublicUrl", _gatewayUrl);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Web:ScreenerRefreshSeconds", "1");
        builder.UseSetting("Identity:SigningKey", SigningKey);
        // TestServer has no client address; give requests one so the signed client address can be checked.
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddressFilter>());
    }

    /// <summary>Starts Kestrel (when asked for in the constructor) and returns its address.</summary>
    public string StartKestrel()
    {
        StartServer();
        return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
    }

    /// <summary>A client that does not follow redirects (to see them) and keeps cookies.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}

internal sealed class ClientAddressFilter : IStartupFilter
{
    public static readonly IPAddress Address = IPAddress.Parse("203.0.113.9");

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress ??= Address;
            return nextMiddleware(context);
        });
        next(app);
    };
}
