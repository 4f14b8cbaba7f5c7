using System.Buffers.Text;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Alerts.Apis;

/// <summary>
/// Browser push: the server's VAPID public key for <c>pushManager.subscribe</c>, and a user's devices (push
/// subscriptions), which then receive their alerts and subscribed signals through the outbox like any channel.
/// </summary>
public static class PushSubscriptionsApi
{
    public const int MaxSubscriptions = 20;
    public const int MaxEndpointLength = 2000;
    public const string KeyPath = "/api/notifications/push/key";

    public static IEndpointRouteBuilder MapPushSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/api/settings/push-subscriptions").WithTags("Settings").RequireAuthorization()
            .WithMetadata(new RequestSizeLimitAttribute(AlertsApi.MaxBodyBytes));
        devices.MapGet("/", List).WithName("ListPushSubscriptions").WithSummary("The user's devices that receive push notifications.");
        devices.MapPost("/", Subscribe).WithName("AddPushSubscription").WithSummary("Adds (or refreshes) this browser's push subscription.");
        devices.MapDelete("/{id:long}", Remove).WithName("RemovePushSubscription").WithSummary("Stops push notifications to one device.");
        // The key is in every subscription anyway: the browser may ask for it before anyone logs in.
        app.MapGet(KeyPath, PublicKey).WithTags("Settings").WithName("GetPushPublicKey")
            .WithSummary("The server's VAPID public key (applicationServerKey).").AllowAnonymous();
        return app;
    }

    public static Results<Ok<PushPublicKey>, ProblemHttpResult> PublicKey(IOptions<NotificationsOptions> notifications) =>
        notifications.Value.PushEnabled
            ? TypedResults.Ok(new PushPublicKey(notifications.Value.WebPush.PublicKey!.Trim()))
            : TypedResults.Problem(NotConfigured, statusCode: StatusCodes.Status404NotFound, title: "Push notifications are not available");

    public static async Task<Ok<PushSubscriptionList>> List(ClaimsPrincipal user, PushSubscriptionStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PushSubscriptionList(await store.ListAsync(user.UserId(), cancellationToken)));

    /// <summary>
    /// Checks the subscription as <c>PushSubscription.toJSON()</c> gives it: an endpoint that passes the same address rules
    /// as a webhook URL (<see cref="SettingsApi.TargetUrlProblem"/>), a P-256 public key and a 16-byte auth secret.
    /// 201 for a new device, 200 when this user's endpoint was saved before (its keys and name are refreshed).
    /// </summary>
    public static async Task<Results<Created<PushSubscriptionDto>, Ok<PushSubscriptionDto>, ValidationProblem>> Subscribe(
        PushSubscriptionRequest? body, ClaimsPrincipal user, PushSubscriptionStore store, IOptions<NotificationsOptions> notifications,
        OutboundAddressPolicy policy, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        }
        if (!notifications.Value.PushEnabled)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["endpoint"] = [NotConfigured] });
        }
        var errors = new Dictionary<string, string[]>();
        var endpoint = body.Endpoint?.Trim();
        if (endpoint is { Length: > MaxEndpointLength })
        {
            errors["endpoint"] = [$"The endpoint is at most {MaxEndpointLength} characters."];
        }
        else if (SettingsApi.TargetUrlProblem(policy, endpoint) is { } problem)
        {
            errors["endpoint"] = [problem];
        }
        var p256dh = PushKeys.Decode(body.Keys?.P256dh);
        if (!PushKeys.IsPublicKey(p256dh))
        {
            errors["keys.p256dh"] = ["The browser's public key is required: a base64url P-256 point (65 bytes), as in PushSubscription.toJSON()."];
        }
        var auth = PushKeys.Decode(body.Keys?.Auth);
        if (auth is not { Length: PushKeys.AuthSecretLength })
        {
            errors["keys.auth"] = [$"The auth secret is required: {PushKeys.AuthSecretLength} bytes, base64url, as in PushSubscription.toJSON()."];
        }
        if (body.Name is { Length: > 100 })
        {
            errors["name"] = ["The name is at most 100 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var userId = user.UserId();
        if (await store.CountOthersAsync(userId, endpoint!, cancellationToken) >= MaxSubscriptions)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["endpoint"] = [$"At most {MaxSubscriptions} devices receive push notifications; remove one first."],
            });
        }
        var (saved, created) = await store.SaveAsync(userId, endpoint!, Base64Url.EncodeToString(p256dh), Base64Url.EncodeToString(auth),
            body.Name?.Trim() ?? "", cancellationToken);
        return created
            ? TypedResults.Created($"/api/settings/push-subscriptions/{saved.Id}", saved)
            : TypedResults.Ok(saved);
    }

    public static async Task<Results<NoContent, NotFound>> Remove(long id, ClaimsPrincipal user, PushSubscriptionStore store,
        CancellationToken cancellationToken) =>
        await store.RemoveAsync(user.UserId(), id, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private const string NotConfigured =
        "This server does not send push notifications: the operator has not configured Notifications:WebPush (the AppHost generates the keys).";
}
