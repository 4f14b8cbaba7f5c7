using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// Sends one message to a browser's push subscription through Lib.Net.Http.WebPush: the payload rendered by
/// <see cref="PushMessages"/>, encrypted for the subscription (aes128gcm, RFC 8291) and signed with the server's VAPID
/// key (the <c>vapid</c> scheme of RFC 8292: a JWT for the endpoint's origin). It goes out on the same guarded client as
/// users' webhooks (the endpoint is user-supplied: only public addresses, checked at connect time; no redirects). One
/// attempt, no retries inside the library: a 429's Retry-After and 5xx go back to the delivery worker; 404/410 mean the
/// subscription is gone (<see cref="SendOutcome.Gone"/>). Errors carry the status code only, never the service's body.
/// </summary>
/// <remarks>
/// The library signs the token for <c>scheme://host</c>, dropping a non-default port; RFC 8292 wants the endpoint's
/// origin (RFC 6454: with the port). <see cref="OriginAudience"/> signs it for the origin of the request it sends,
/// which is the same text for the push services' usual port 443 and right for any other.
/// </remarks>
public sealed class PushSender(IHttpMessageHandlerFactory handlers, IOptions<NotificationsOptions> options, IOptions<AlertsOptions> alerts)
{
    public async Task<SendOutcome> SendAsync(WebhookTarget target, string payload, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var settings = options.Value.WebPush;
        if (!options.Value.PushEnabled)
        {
            return new SendOutcome(false, null, "push is not configured on this server (Notifications:WebPush)", null, false, Elapsed());
        }
        if (string.IsNullOrEmpty(target.PublicKey) || string.IsNullOrEmpty(target.Secret))
        {
            return new SendOutcome(false, null, "push: the subscription has no keys", null, true, Elapsed());
        }
        try
        {
            var subscription = new PushSubscription { Endpoint = target.Url };
            subscription.SetKey(PushEncryptionKeyName.P256DH, target.PublicKey);
            subscription.SetKey(PushEncryptionKeyName.Auth, target.Secret);
            using var vapid = new VapidAuthentication(settings.PublicKey, settings.PrivateKey) { Subject = settings.Subject };
            var http = new HttpClient(new OriginAudience(vapid) { InnerHandler = handlers.CreateHandler(WebhookSender.UserClient) }, disposeHandler: false)
            {
                Timeout = TimeSpan.FromSeconds(alerts.Value.Delivery.TimeoutSeconds),
            };
            http.DefaultRequestHeaders.UserAgent.Add(new System.Net.Http.Headers.ProductInfoHeaderValue("Scalpaiboard", "1.0"));
            var client = new PushServiceClient(http)
            {
                DefaultAuthentication = vapid,
                DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
                AutoRetryAfter = false,
            };
            var (json, urgent) = PushMessages.Render(payload, options.Value.PublicWebUrl);
            var message = new PushMessage(json)
            {
                TimeToLive = settings.TimeToLiveSeconds,
                Urgency = urgent ? PushMessageUrgency.High : PushMessageUrgency.Normal,
            };
            await client.RequestPushMessageDeliveryAsync(subscription, message, cancellationToken);
            return new SendOutcome(true, (int)HttpStatusCode.Created, null, null, false, Elapsed());
        }
        catch (PushServiceClientException ex)
        {
            var code = (int)ex.StatusCode;
            if (code is 404 or 410)
            {
                return new SendOutcome(false, code, $"push: HTTP {code}: the subscription expired or was revoked, and is removed", null, true, Elapsed(), Gone: true);
            }
            var error = code is >= 300 and < 400 ? $"push: HTTP {code}: the push service redirects, and redirects are not followed" : $"push: HTTP {code}";
            return new SendOutcome(false, code, error, RetryAfter(ex.Headers), code is >= 400 and < 500 && code is not (408 or 425 or 429), Elapsed());
        }
        catch (HttpRequestException ex) when (OutboundRequestRefusedException.FindIn(ex) is { } refused)
        {
            return new SendOutcome(false, null, refused.Message, null, true, Elapsed());
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(false, null, ex is TaskCanceledException ? "timeout" : ex.Message, null, false, Elapsed());
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException or CryptographicException or InvalidOperationException
            or System.Text.Json.JsonException)
        {
            // keys or endpoint the library cannot use (stored ones were checked when saved): not worth retrying
            return new SendOutcome(false, null, $"push: unusable subscription ({ex.GetType().Name})", null, true, Elapsed());
        }
    }

    /// <summary>Re-signs the VAPID token with <c>aud</c> = the origin of the request's URL (port included when not the default).</summary>
    private sealed class OriginAudience(VapidAuthentication vapid) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && request.Headers.Authorization is { Scheme: "vapid" })
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("vapid",
                    vapid.GetVapidSchemeAuthenticationHeaderValueParameter(uri.GetLeftPart(UriPartial.Authority)));
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static TimeSpan? RetryAfter(System.Net.Http.Headers.HttpResponseHeaders? headers)
    {
        if (headers?.RetryAfter is not { } retryAfter)
        {
            return null;
        }
        if (retryAfter.Delta is { } delta)
        {
            return delta;
        }
        return retryAfter.Date is { } date && date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero;
    }
}
