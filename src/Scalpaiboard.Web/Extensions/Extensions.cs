using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Scalpaiboard.Web.Model;
using Scalpaiboard.Web.Services;

namespace Scalpaiboard.Web.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GatewayAddresses>();
        services.TryAddSingletonTimeProvider();
        services.AddHttpContextAccessor();
        services.AddTransient<ClientAddressHandler>();
        var gateway = services.AddHttpClient<GatewayClient>(http => http.BaseAddress = new Uri("http://gateway"));
        // A page renders what the Gateway answers now. Its 502/503 (the service behind it is down or starting) is an
        // answer the page shows ("unavailable") and refreshes from; the standard handler's three retries, 2 s apart
        // and doubling, kept a page waiting about 14 s for it instead. One quick retry covers a dropped connection.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked for evaluation
        gateway.RemoveAllResilienceHandlers().AddStandardResilienceHandler(options =>
#pragma warning restore EXTEXP0001
        {
            options.Retry.DisableForUnsafeHttpMethods();
            options.Retry.MaxRetryAttempts = 1;
            options.Retry.BackoffType = Polly.DelayBackoffType.Constant;
            options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        });
        gateway.AddHttpMessageHandler<ClientAddressHandler>();

        services.AddAuthentication(UserSession.Scheme).AddCookie(UserSession.Scheme, o =>
        {
            o.Cookie.Name = UserSession.CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
            o.SlidingExpiration = true;
            o.Events = new CookieAuthenticationEvents { OnValidatePrincipal = UserSession.ValidateAsync };
        });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddAntiforgery(o => o.Cookie.Name = "scalpaiboard.af");
        services.AddRazorComponents();
        services.AddHostedService<StartupWarmup>();
        return builder;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

/// <summary>The Gateway's public address for the browser (<c>Web:GatewayPublicUrl</c>, else the service address).</summary>
public sealed class GatewayAddresses(IOptions<WebOptions> options, IConfiguration configuration)
{
    public string PublicUrl { get; } = (options.Value.GatewayPublicUrl is { Length: > 0 } u ? u
        : configuration["services:gateway:http:0"] ?? "http://127.0.0.1:8080").TrimEnd('/');
}
