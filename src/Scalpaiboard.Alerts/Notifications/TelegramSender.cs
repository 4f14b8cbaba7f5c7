using System.Diagnostics;
using System.Globalization;
using System.Net;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Infrastructure.Net;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// Sends one message to a Telegram chat through Telegram.Bot: a <see cref="TelegramBotClient"/> for the target's bot
/// token and API base URL (the target's <c>Url</c>, e.g. <c>https://api.telegram.org</c>; a fake in tests), built on the
/// same guarded/operator HttpClient as the other webhooks. One attempt, no retries inside the library
/// (<c>RetryCount = 0</c>): a 429's <c>parameters.retry_after</c> goes back to the delivery worker, which schedules the
/// retry then. Errors never carry the bot token (it travels in the URL path, which neither the library's exceptions nor
/// the outbound clients, which have no loggers, show) nor the server's description (a user must not read what some
/// server answered).
/// </summary>
public sealed class TelegramSender(IHttpClientFactory clients)
{
    public const int MaxTextLength = 4000;

    public async Task<SendOutcome> SendAsync(WebhookTarget target, string payload, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (string.IsNullOrWhiteSpace(target.Secret) || string.IsNullOrWhiteSpace(target.ChatId))
        {
            return new SendOutcome(false, null, "a telegram target needs the bot token and the chat id", null, true, Elapsed());
        }
        try
        {
            var http = clients.CreateClient(target.IsOperatorTarget ? WebhookSender.OperatorClient : WebhookSender.UserClient);
            var options = new TelegramBotClientOptions(target.Secret, target.Url.TrimEnd('/')) { RetryCount = 0, RetryThreshold = 0 };
            var bot = new TelegramBotClient(options, http, cancellationToken);
            var text = MessageFormats.TelegramText(payload);
            await bot.SendMessage(ChatOf(target.ChatId), text.Length > MaxTextLength ? text[..MaxTextLength] : text,
                linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true }, cancellationToken: cancellationToken);
            return new SendOutcome(true, 200, null, null, false, Elapsed());
        }
        catch (ApiRequestException ex)
        {
            var code = ex.ErrorCode;
            TimeSpan? retryAfter = ex.Parameters?.RetryAfter is int s ? TimeSpan.FromSeconds(s) : null;
            return new SendOutcome(false, code == 0 ? null : code, $"telegram: HTTP {code}", retryAfter, Permanent(code), Elapsed());
        }
        catch (RequestException ex) when (OutboundRequestRefusedException.FindIn(ex) is { } refused)
        {
            return new SendOutcome(false, null, refused.Message, null, true, Elapsed());
        }
        catch (RequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // No answer the library could read (it wraps HttpClient's exceptions): a network error, a timeout, or a
            // body that is not the Bot API's.
            int? code = ex.HttpStatusCode is { } status ? (int)status : null;
            var error = ex.InnerException switch
            {
                TaskCanceledException or TimeoutException => "timeout",
                HttpRequestException inner => inner.Message,
                _ when code is not null => $"telegram: HTTP {code}, not a Bot API answer",
                _ => "telegram: not a Bot API answer",
            };
            return new SendOutcome(false, code, error, null, code is int c && Permanent(c), Elapsed());
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or FormatException or System.Text.Json.JsonException)
        {
            // a malformed token or base URL (never echoed: the message could contain the token)
            return new SendOutcome(false, null, $"telegram: invalid bot token or API URL ({ex.GetType().Name})", null, true, Elapsed());
        }
    }

    /// <summary>4xx other than 408/409/425/429 will not get better by retrying.</summary>
    private static bool Permanent(int code) => code is >= 400 and < 500 && code is not (408 or 409 or 425 or 429);

    /// <summary>A numeric id (groups negative) or an <c>@channel</c> name.</summary>
    private static ChatId ChatOf(string chatId) =>
        long.TryParse(chatId.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? new ChatId(id) : new ChatId(chatId.Trim());
}
