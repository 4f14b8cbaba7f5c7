using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Scalpaiboard.ServiceDefaults.Http;

/// <summary>
/// Resolves logical service addresses (<c>http://ingest</c>) to the endpoints the AppHost hands out as
/// <c>services__ingest__http__0</c>, the way Aspire's service discovery does.
/// </summary>
public sealed class ServiceAddressResolver(IConfiguration configuration)
{
    /// <summary>The base address for a logical service name and scheme, or null when none is configured.</summary>
    public Uri? Resolve(string serviceName, string scheme = "http")
    {
        var section = configuration.GetSection("services").GetSection(serviceName).GetSection(scheme);
        var first = section["0"] ?? section.Value;
        return string.IsNullOrWhiteSpace(first) ? null : new Uri(first, UriKind.Absolute);
    }

    /// <summary>Rewrites a request URI whose host is a logical service name; other URIs pass unchanged.</summary>
    public Uri Rewrite(Uri uri)
    {
        if (!uri.IsAbsoluteUri || uri.HostNameType != UriHostNameType.Dns || uri.Host.Contains('.') || uri.Host == "localhost")
        {
            return uri;
        }
        var target = Resolve(uri.Host, uri.Scheme);
        if (target is null)
        {
            return uri;
        }
        var builder = new UriBuilder(uri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port };
        return builder.Uri;
    }
}

internal sealed class ServiceAddressHandler(ServiceAddressResolver resolver) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri)
        {
            request.RequestUri = resolver.Rewrite(uri);
        }
        return base.SendAsync(request, cancellationToken);
    }
}

public static class ServiceAddressExtensions
{
    public static IServiceCollection AddServiceAddressResolution(this IServiceCollection services)
    {
        services.AddSingleton<ServiceAddressResolver>();
        services.AddTransient<ServiceAddressHandler>();
        return services;
    }

    public static IHttpClientBuilder AddServiceAddresses(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler<ServiceAddressHandler>();
}
