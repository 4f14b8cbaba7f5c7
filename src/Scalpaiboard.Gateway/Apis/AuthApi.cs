using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Gateway.Services.Accounts;

namespace Scalpaiboard.Gateway.Apis;

/// <summary>Accounts: register, log in (bearer access + refresh token), refresh, log out, and who am I.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Accounts").RequireRateLimiting(Extensions.GatewayRateLimiting.PolicyName);
        api.MapPost("/register", RegisterAsync).WithSummary("Creates an account (the e-mail is the user name).");
        api.MapPost("/login", LoginAsync)
            .Produces<TokenResponse>(StatusCodes.Status200OK, "application/json")
            .WithSummary("Logs in; answers a bearer access token and a refresh token. Locks the account after repeated failures.");
        api.MapPost("/refresh", RefreshAsync)
            .Produces<TokenResponse>(StatusCodes.Status200OK, "application/json")
            .WithSummary("Exchanges a refresh token for new tokens.");
        api.MapPost("/logout", LogoutAsync)
            .WithSummary("Logs out: revokes the refresh token and every token of the account (all sessions), access tokens within 30 s on every replica.");
        api.MapGet("/me", MeAsync).RequireAuthorization().WithSummary("The logged-in account.");
        return app;
    }

    public static async Task<Results<Created<AccountResponse>, ValidationProblem>> RegisterAsync(
        RegisterRequest request, UserManager<IdentityUser> users, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors["email"] = ["The e-mail address is required."];
        }
        else if (!new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email) || email.Length > 256)
        {
            errors["email"] = [$"'{email}' is not a valid e-mail address."];
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["The password is required."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var user = new IdentityUser { UserName = email, Email = email };
        IdentityResult result;
        try
        {
            result = await users.CreateAsync(user, request.Password!);
        }
        catch (DbUpdateException)
        {
            // The unique e-mail index caught a concurrent registration of the same address.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [$"'{email}' is already registered."] });
        }
        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(ToFieldErrors(result.Errors));
        }
        return TypedResults.Created("/api/auth/me", new AccountResponse(user.Id, email!));
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult, ValidationProblem>> LoginAsync(
        LoginRequest request, SignInManager<IdentityUser> signIn)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrWhiteSpace(request.Email))
            {
                errors["email"] = ["The e-mail address is required."];
            }
            if (string.IsNullOrEmpty(request.Password))
            {
                errors["password"] = ["The password is required."];
            }
            return TypedResults.ValidationProblem(errors);
        }
        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        var result = await signIn.PasswordSignInAsync(request.Email.Trim(), request.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            // The bearer token handler has written the token response.
            return TypedResults.Empty;
        }
        var detail = result.IsLockedOut
            ? "The account is locked after repeated failed logins; try again later."
            : result.IsNotAllowed ? "This account may not log in." : "Wrong e-mail or password.";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Login failed");
    }

    public static async Task<Results<SignInHttpResult, ProblemHttpResult, ValidationProblem>> RefreshAsync(
        RefreshRequest request, SignInManager<IdentityUser> signIn, IOptionsMonitor<BearerTokenOptions> bearerOptions, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["The refresh token is required."] });
        }
        var protector = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector;
        var ticket = protector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
        {
            return TypedResults.Problem("The refresh token is invalid or expired; log in again.", statusCode: StatusCodes.Status401Unauthorized, title: "Refresh failed");
        }
        var principal = await signIn.CreateUserPrincipalAsync(user);
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> LogoutAsync(RefreshRequest request,
        SignInManager<IdentityUser> signIn, IOptionsMonitor<BearerTokenOptions> bearerOptions, SessionRevocation sessions, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["The refresh token is required."] });
        }
        var ticket = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
        {
            return TypedResults.Problem("The refresh token is invalid, expired or already logged out.", statusCode: StatusCodes.Status401Unauthorized,
                title: "Logout failed");
        }
        await sessions.RevokeAsync(signIn.UserManager, user);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AccountResponse>, UnauthorizedHttpResult>> MeAsync(ClaimsPrincipal principal, UserManager<IdentityUser> users)
    {
        var user = await users.GetUserAsync(principal);
        return user is null ? TypedResults.Unauthorized() : TypedResults.Ok(new AccountResponse(user.Id, user.Email ?? user.UserName ?? ""));
    }

    /// <summary>Identity's error codes, grouped under the request field they are about.</summary>
    internal static Dictionary<string, string[]> ToFieldErrors(IEnumerable<IdentityError> errors)
    {
        var fields = new Dictionary<string, List<string>>();
        foreach (var e in errors)
        {
            var field = e.Code switch
            {
                _ when e.Code.StartsWith("Password", StringComparison.Ordinal) => "password",
                "DuplicateUserName" or "DuplicateEmail" or "InvalidUserName" or "InvalidEmail" => "email",
                _ => "",
            };
            if (!fields.TryGetValue(field, out var list))
            {
                fields[field] = list = [];
            }
            // Duplicate user name and duplicate e-mail say the same thing here (the e-mail is the user name).
            if (!list.Contains(e.Description))
            {
                list.Add(e.Description);
            }
        }
        if (fields.TryGetValue("email", out var emailErrors) && emailErrors.Count > 1 && errors.Any(e => e.Code == "DuplicateEmail"))
        {
            fields["email"] = [errors.First(e => e.Code == "DuplicateEmail").Description];
        }
        return fields.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }
}
