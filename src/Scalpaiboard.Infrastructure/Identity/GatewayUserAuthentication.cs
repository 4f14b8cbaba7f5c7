using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Scalpaiboard.Infrastructure.Identity;

/// <summary>
/// Authentication for services behind the Gateway: a request is authenticated only by a valid signed
/// user header bound to that request's method, path, query and body (see <see cref="UserContextSigner"/>). Endpoints that need a user call RequireAuthorization();
/// the user id is <c>ClaimTypes.NameIdentifier</c> (see <see cref="UserIdExtensions.UserId"/>).
/// </summary>
public static class GatewayUserAuthentication
{
    public const string Scheme = "GatewayUser";

    public static IHostApplicationBuilder AddGatewayUserAuthentication(this IHostApplicationBuilder builder)
    {
        var key = builder.Configuration[UserContextSigner.ConfigurationKey];
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new InvalidOperationException(
                $"{UserContextSigner.ConfigurationKey} is not set (environment: Identity__SigningKey); the AppHost sets it for every service.");
        }
        builder.Services.AddSingleton(sp => new UserContextSigner(key, sp.GetService<TimeProvider>()));
        builder.Services.AddAuthentication(Scheme)
            .AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, _ => { });
        builder.Services.AddAuthorization();
        return builder;
    }

    private sealed class Handler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        UserContextSigner signer) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var headers = Request.Headers;
            string? user = headers[UserContextSigner.UserHeader];
            if (string.IsNullOrEmpty(user))
            {
                return AuthenticateResult.NoResult();
            }
            // The signature covers the body: hash it (buffered, so the endpoint still reads it).
            var digest = await UserContextSigner.DigestAsync(Request, Context.RequestAborted);
            if (!signer.Verify(user, headers[UserContextSigner.TimeHeader], headers[UserContextSigner.SignatureHeader],
                    Request.Method, UserContextSigner.Target(Request), digest))
            {
                return AuthenticateResult.Fail("Invalid or expired user signature for this request.");
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], GatewayUserAuthentication.Scheme);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), GatewayUserAuthentication.Scheme));
        }
    }
}

public static class UserIdExtensions
{
    /// <summary>The authenticated user's id; throws when the endpoint forgot RequireAuthorization().</summary>
    public static string UserId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("No authenticated user on this request.");
}
