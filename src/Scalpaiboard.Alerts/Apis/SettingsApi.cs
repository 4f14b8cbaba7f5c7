using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Net;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Alerts.Apis;

/// <summary>A user's notification settings, own webhooks (with a "send test"), and delivery history.</summary>
public static class SettingsApi
{
    public const int MaxWebhooks = 10;
    public const int MaxPerHourLimit = 1000;

    private const string PushNotInSettings =
        "Push subscriptions are made by the browser (POST /api/settings/push-subscriptions), not in the webhooks list.";

    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/settings").WithTags("Settings").RequireAuthorization()
            .WithMetadata(new RequestSizeLimitAttribute(AlertsApi.MaxBodyBytes));
        settings.MapGet("/", Get);
        settings.MapPut("/", Put);
        settings.MapPost("/webhooks/test", TestWebhook);
        // Opened from the confirmation mail, perhaps in a browser that is not logged in: the signed token is the proof.
        app.MapGet(EmailConfirmations.ConfirmPath, ConfirmEmail).WithTags("Settings").AllowAnonymous();
        app.MapGroup("/api/notifications").WithTags("Settings").RequireAuthorization().MapGet("/", Notifications);
        return app;
    }

    public static async Task<Ok<SettingsDto>> Get(ClaimsPrincipal user, SettingsStore store, IOptions<AlertsOptions> options, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetAsync(user.UserId(), options.Value.MaxNotificationsPerHour, cancellationToken));

    public static async Task<Results<Ok<SettingsDto>, ValidationProblem>> Put(SettingsRequest? body, ClaimsPrincipal user, SettingsStore store,
        IOptions<AlertsOptions> options, IOptions<NotificationsOptions> notifications, OutboundAddressPolicy policy, CancellationToken cancellationToken)
    {
        var userId = user.UserId();
        var defaultMax = options.Value.MaxNotificationsPerHour;
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        }
        var current = await store.GetAsync(userId, defaultMax, cancellationToken);
        var errors = new Dictionary<string, string[]>();

        var presets = new List<string>();
        var requestedPresets = body.PresetSubscriptions ?? current.PresetSubscriptions;
        for (var i = 0; i < requestedPresets.Count; i++)
        {
            if (PresetTypes.TryParse(requestedPresets[i], out var p))
            {
                presets.Add(p.Key());
            }
            else
            {
                errors[$"presetSubscriptions[{i}]"] = [$"Unknown preset '{requestedPresets[i]}'. Valid: {string.Join(", ", PresetTypes.Keys)}."];
            }
        }
        var symbols = new List<string>();
        var requestedSymbols = body.SymbolFilter ?? current.SymbolFilter;
        for (var i = 0; i < requestedSymbols.Count; i++)
        {
            var s = SymbolDirectory.Normalize(requestedSymbols[i]);
            if (SymbolDirectory.IsWellFormed(s))
            {
                symbols.Add(s);
            }
            else
            {
                errors[$"symbolFilter[{i}]"] = ["A symbol is 2-30 letters or digits, e.g. BTCUSDT."];
            }
        }

        var own = await store.OwnWebhookIdsAsync(userId, cancellationToken);
        var hooks = body.Webhooks
            ?? current.Webhooks.Select(w => new WebhookRequest(w.Id, w.Kind, w.Url, null, w.ChatId, w.Name, w.Enabled)).ToList();
        if (hooks.Count > MaxWebhooks)
        {
            errors["webhooks"] = [$"At most {MaxWebhooks} webhooks."];
        }
        var normalized = new List<WebhookRequest>();
        for (var i = 0; i < hooks.Count; i++)
        {
            var w = hooks[i];
            var prefix = $"webhooks[{i}].";
            if (w is null)
            {
                errors[$"webhooks[{i}]"] = ["A webhook must be an object."];
                continue;
            }
            if (w.Id is long id && !own.Contains(id))
            {
                errors[prefix + "id"] = [$"No webhook {id} in your settings; omit the id to add one."];
            }
            var kind = WebhookKinds.Normalize(w.Kind);
            if (kind is null)
            {
                errors[prefix + "kind"] = [$"Unknown kind '{w.Kind}'. Valid: {string.Join(", ", WebhookKinds.All)}."];
            }
            else if (kind == WebhookKinds.Push)
            {
                errors[prefix + "kind"] = [PushNotInSettings];
                continue;
            }
            foreach (var (field, message) in ValidateTarget(policy, notifications.Value, kind, w.Url, w.Secret, w.ChatId, requireSecret: w.Id is null))
            {
                errors[prefix + field] = [message];
            }
            if (w.Name is { Length: > 100 })
            {
                errors[prefix + "name"] = ["The name is at most 100 characters."];
            }
            normalized.Add(kind == WebhookKinds.Email
                ? w with { Kind = kind, Url = w.Url?.Trim(), Secret = null, ChatId = null }
                : w with { Kind = kind, Url = w.Url?.Trim() });
        }
        var max = body.MaxNotificationsPerHour ?? current.MaxNotificationsPerHour;
        if (max < 1 || max > MaxPerHourLimit)
        {
            errors["maxNotificationsPerHour"] = [$"maxNotificationsPerHour must be from 1 to {MaxPerHourLimit}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var update = new SettingsUpdate(presets, symbols, normalized,
            body.Notifications?.PresetSignals ?? current.Notifications.PresetSignals,
            body.Notifications?.UserAlerts ?? current.Notifications.UserAlerts,
            max == defaultMax && body.MaxNotificationsPerHour is null ? null : max);
        return TypedResults.Ok(await store.SaveAsync(userId, update, defaultMax, cancellationToken));
    }

    /// <summary>Sends one test message to a stored webhook (by id) or to the target in the body, and reports the outcome.</summary>
    /// <remarks>An e-mail channel can be tested once it is saved and confirmed (no mail to an unconfirmed address).</remarks>
    public static async Task<Results<Ok<WebhookTestResult>, NotFound, ValidationProblem>> TestWebhook(WebhookTestRequest? body, ClaimsPrincipal user,
        SettingsStore store, PushSubscriptionStore pushSubscriptions, WebhookSender sender, OutboundAddressPolicy policy,
        IOptions<NotificationsOptions> notifications, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        }
        WebhookTarget target;
        if (body.WebhookId is long id)
        {
            if (await store.GetWebhookAsync(user.UserId(), id, cancellationToken) is not { } stored)
            {
                return TypedResults.NotFound();
            }
            if (!stored.Confirmed)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["webhookId"] = ["This e-mail address is not confirmed yet: open the link in the confirmation mail first."],
                });
            }
            target = stored;
        }
        else
        {
            var kind = WebhookKinds.Normalize(body.Kind);
            var errors = new Dictionary<string, string[]>();
            if (kind is null)
            {
                errors["kind"] = [$"Unknown kind '{body.Kind}'. Valid: {string.Join(", ", WebhookKinds.All)}."];
            }
            if (kind == WebhookKinds.Email)
            {
                errors["kind"] = ["An e-mail address is tested once it is saved and confirmed: send its webhookId."];
            }
            else if (kind == WebhookKinds.Push)
            {
                errors["kind"] = ["A device is tested once it has subscribed: send the id of its push subscription as webhookId."];
            }
            else
            {
                foreach (var (field, message) in ValidateTarget(policy, notifications.Value, kind, body.Url, body.Secret, body.ChatId, requireSecret: true))
                {
                    errors[field] = [message];
                }
            }
            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors);
            }
            target = new WebhookTarget(kind!, body.Url!.Trim(), body.Secret, body.ChatId);
        }
        var messageId = "test-" + Guid.NewGuid().ToString("N");
        var outcome = await sender.SendAsync(target, messageId, NotificationPayloads.Test(messageId, time.GetUtcNow()), cancellationToken);
        if (outcome.Gone && body.WebhookId is long gone && target.Kind == WebhookKinds.Push)
        {
            await pushSubscriptions.RemoveExpiredAsync(gone, outcome.StatusCode ?? 410, cancellationToken);
        }
        return TypedResults.Ok(new WebhookTestResult(outcome.Delivered, outcome.StatusCode, outcome.Error, outcome.DurationMs));
    }

    /// <summary>The link of the confirmation mail: confirms the address once; an expired, forged or used link is a 400.</summary>
    public static async Task<Results<Ok<EmailConfirmationResult>, ValidationProblem>> ConfirmEmail(string? token, EmailConfirmations confirmations,
        SettingsStore store, CancellationToken cancellationToken)
    {
        if (!confirmations.TryRead(token, out var webhookId, out var nonce))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["token"] = ["This confirmation link is invalid or has expired; save the address again in your settings to get a new one."],
            });
        }
        if (await store.ConfirmEmailAsync(webhookId, nonce, cancellationToken) is not { } address)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["token"] = ["This confirmation link was already used, or the address was changed or removed since."],
            });
        }
        return TypedResults.Ok(new EmailConfirmationResult(address, true));
    }

    public static async Task<Results<Ok<NotificationList>, ValidationProblem>> Notifications(ClaimsPrincipal user, OutboxStore outbox, string? status,
        int? limit, CancellationToken cancellationToken)
    {
        if (status is not null && !OutboxStatus.All.Contains(status))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = [$"Unknown status '{status}'. Valid: {string.Join(", ", OutboxStatus.All)}."],
            });
        }
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be from 1 to 1000."] });
        }
        return TypedResults.Ok(new NotificationList(await outbox.ListForUserAsync(user.UserId(), status, limit ?? 100, cancellationToken)));
    }

    /// <summary>
    /// The URL must be absolute http(s), without user-info, and not name this machine or a non-public IP literal
    /// (<see cref="OutboundAddressPolicy.ProblemWith"/>); names that resolve there are refused when sending.
    /// </summary>
    private static IEnumerable<(string Field, string Message)> ValidateTarget(OutboundAddressPolicy policy, NotificationsOptions notifications,
        string? kind, string? url, string? secret, string? chatId, bool requireSecret)
    {
        if (kind == WebhookKinds.Email)
        {
            if (!notifications.EmailEnabled)
            {
                yield return ("kind", "E-mail notifications are not configured on this server (the operator sets Notifications:Smtp:Host).");
            }
            else if (!IsEmailAddress(url))
            {
                yield return ("url", "An e-mail address (name@example.com) is required.");
            }
            yield break;
        }
        if (TargetUrlProblem(policy, url) is { } problem)
        {
            yield return ("url", problem);
        }
        if (kind == WebhookKinds.Telegram)
        {
            if (string.IsNullOrWhiteSpace(chatId))
            {
                yield return ("chatId", "Telegram needs the chat id.");
            }
            if (requireSecret && string.IsNullOrWhiteSpace(secret))
            {
                yield return ("secret", "Telegram needs the bot token as the secret.");
            }
        }
    }

    /// <summary>
    /// Why a user-supplied target URL (a webhook, a push subscription's endpoint) is refused at save time, or null: it must
    /// be an absolute http(s) URL that passes <see cref="OutboundAddressPolicy.ProblemWith"/>.
    /// </summary>
    public static string? TargetUrlProblem(OutboundAddressPolicy policy, string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "An absolute http(s) URL is required.";
        }
        return policy.ProblemWith(uri);
    }

    /// <summary>A bare address (no display name, no route, no whitespace), at most 254 characters, with a dotted domain.</summary>
    public static bool IsEmailAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > 254)
        {
            return false;
        }
        var text = value.Trim();
        if (!MimeKit.MailboxAddress.TryParse(text, out var mailbox) || mailbox.Address != text || mailbox.Route.Count > 0 || text.Any(char.IsWhiteSpace))
        {
            return false;
        }
        var at = text.LastIndexOf('@');
        return at > 0 && text.IndexOf('@') == at && text[(at + 1)..].Contains('.', StringComparison.Ordinal) && !text.EndsWith('.');
    }
}
