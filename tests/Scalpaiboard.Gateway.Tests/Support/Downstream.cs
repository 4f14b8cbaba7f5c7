using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Gateway.Tests.Support;

/// <summary>
/// A stand-in for one of our services: a tiny Kestrel app on 127.0.0.1 (free port) with the real
/// <c>AddGatewayUserAuthentication()</c>, so it accepts a user only with a valid Gateway signature.
/// </summary>
public sealed class Downstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Downstream(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<Downstream> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Configuration[UserContextSigner.ConfigurationKey] = GatewayFactory.SigningKey;
        builder.Logging.ClearProviders();
        builder.AddGatewayUserAuthentication();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        map(app);
        await app.StartAsync();
        return new Downstream(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
