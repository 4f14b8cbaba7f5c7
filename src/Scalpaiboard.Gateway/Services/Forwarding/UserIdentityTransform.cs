using System.Security.Claims;
using Scalpaiboard.Infrastructure.Identity;
using Yarp.ReverseProxy.Transforms;

namespace Scalpaiboard.Gateway.Services.Forwarding;

/// <summary>
/// The caller's identity as services see it, in one place: the caller's own credentials (<c>Authorization</c>,
/// <c>Cookie</c>) and every incoming <c>X-Scalpaiboard-User*</c> header are removed (a service trusts only the
/// Gateway's signature, even a validly signed header a caller captured is dropped), then the signed user headers of
/// <see cref="UserContextSigner"/>, bound to this request's method, path, query and body, are added when the bearer
/// token was valid.
/// </summary>
public sealed class UserIdentityTransform(UserContextSigner signer) : RequestTransform
{
    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        headers.Remove("Authorization");
        headers.Remove("Cookie");
        List<string>? forged = null;
        foreach (var (name, _) in headers.NonValidated)
        {
            if (name.StartsWith(UserContextSigner.UserHeader, StringComparison.OrdinalIgnoreCase))
            {
                (forged ??= []).Add(name);
            }
        }
        foreach (var name in forged ?? [])
        {
            headers.Remove(name);
        }

        var user = context.HttpContext.User;
        if (user.Identity?.IsAuthenticated == true && user.FindFirstValue(ClaimTypes.NameIdentifier) is { Length: > 0 } userId)
        {
            // Signed for this request only: YARP forwards the same method, path and query, and the body read here
            // (buffered, then rewound for YARP to stream on).
            var request = context.HttpContext.Request;
            var digest = await UserContextSigner.DigestAsync(request, context.CancellationToken);
            var (time, signature) = signer.Sign(userId, request.Method, UserContextSigner.Target(request), digest);
            headers.TryAddWithoutValidation(UserContextSigner.UserHeader, userId);
            headers.TryAddWithoutValidation(UserContextSigner.TimeHeader, time);
            headers.TryAddWithoutValidation(UserContextSigner.SignatureHeader, signature);
        }
    }
}
