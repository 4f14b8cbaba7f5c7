using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Scalpaiboard.Gateway.Infrastructure;
using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Gateway.Services;
using Scalpaiboard.Gateway.Services.Accounts;
using Scalpaiboard.Gateway.Services.Hub;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Infrastructure.Options;

namespace Scalpaiboard.Gateway.Extensions;

internal static class Extensions
{
    public const string Schema = GatewayDbContext.Schema;

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Schema, typeof(Extensions).Assembly);
        builder.AddRedisClient(RedisSetup.ConnectionName, configureOptions: RedisSetup.Configure);
        var services = builder.Services;
        services.AddValidatedOptions<GatewayOptions>(GatewayOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        builder.AddAccounts();
        builder.AddUserContextSigner();

        services.AddGatewayRateLimiting();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<GatewayOptions>>((cors, gateway) =>
            cors.AddDefaultPolicy(p => p.WithOrigins(gateway.Value.EffectiveCorsOrigins).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("Retry-After", "Location")));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, gateway) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = gateway.Value.MaxRequestBodyBytes;
        });

        builder.AddServiceForwarding();
        // A health probe reports what it sees: no retries, no circuit breaker (the API is marked for evaluation).
#pragma warning disable EXTEXP0001
        services.AddHttpClient(ServiceHealth.ClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton<ServiceHealth>();
        services.AddSingleton<OpenApiMerger>();
        services.AddOpenApi(OpenApiMerger.OwnDocument);

        services.AddSingleton<SubscriptionRegistry>();
        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<ClientAddress>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayOptions>>((forwarded, gateway) =>
        {
            forwarded.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor;
            // Only the operator's proxies: the defaults (loopback) would let any local caller pick its address.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in gateway.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
            foreach (var network in gateway.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        services.AddMemoryCache();
        services.AddSingleton<SessionRevocation>();

        services.AddSingleton<LiveHub>();
        services.AddSingleton<LiveFanout>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveFanout>());
        services.AddHostedService<HubHeartbeat>();
        services.AddHealthChecks().AddCheck<LiveFanout>("live-fanout", tags: ["ready"]);
    }

    /// <summary>
    /// ASP.NET Core Identity on PostgreSQL with bearer access and refresh tokens; the data-protection key ring
    /// (which encrypts the tokens) lives in PostgreSQL too, so every replica and every restart accepts them.
    /// </summary>
    private static void AddAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDbContext<GatewayDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddAuthentication(IdentityConstants.BearerScheme).AddBearerToken(IdentityConstants.BearerScheme);
        services.AddAuthorization();
        services.AddIdentityCore<IdentityUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 8;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<GatewayDbContext>()
            .AddSignInManager();
        services.AddOptions<IdentityOptions>().Configure<IOptions<GatewayOptions>>((identity, gateway) =>
        {
            identity.Lockout.MaxFailedAccessAttempts = gateway.Value.MaxFailedLogins;
            identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(gateway.Value.LockoutMinutes);
        });
        builder.AddServiceDataProtection("Scalpaiboard.Gateway", Schema);
    }

    /// <summary>The signer of the user headers services trust (<c>Identity:SigningKey</c>, shared with every service).</summary>
    private static void AddUserContextSigner(this IHostApplicationBuilder builder)
    {
        var key = builder.Configuration[UserContextSigner.ConfigurationKey];
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new InvalidOperationException(
                $"{UserContextSigner.ConfigurationKey} is not set (environment: Identity__SigningKey); the AppHost sets it for every service.");
        }
        builder.Services.AddSingleton(sp => new UserContextSigner(key, sp.GetService<TimeProvider>()));
    }

    /// <summary>The middleware, in order: the client address from known proxies, errors as problem details, security headers, CORS, WebSockets, authentication, rate limits.</summary>
    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        // Without a configured proxy the middleware would trust every caller's X-Forwarded-For (empty lists mean "any").
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value is { } gateway
            && (gateway.KnownProxies.Length > 0 || gateway.KnownNetworks.Length > 0))
        {
            app.UseForwardedHeaders();
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        app.UseCors();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseMiddleware<RevokedSessionMiddleware>();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
