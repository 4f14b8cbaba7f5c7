using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// How one attempt ended. <see cref="RetryAfter"/> is the target's own wish (429 Retry-After, Telegram retry_after).
/// <see cref="Gone"/>: the target says it no longer exists (a push service's 404/410), so it is removed.
/// </summary>
public sealed record SendOutcome(bool Delivered, int? StatusCode, string? Error, TimeSpan? RetryAfter, bool Permanent, long DurationMs, bool Gone = false);

/// <summary>
/// Sends one message to one target over HTTP, formatted for its kind: generic JSON (signed, with an
/// Idempotency-Key), a Discord embed, or (through <see cref="TelegramSender"/>, Telegram.Bot) a Telegram message; e-mail goes
/// through <see cref="EmailSender"/>, browser push through <see cref="PushSender"/>. Makes exactly one attempt: retries,
/// backoff and dead letters belong to the delivery worker. Its clients carry no shared retry/circuit breaker (one
/// slow receiver must not trip another's circuit, and every attempt must be counted here). A user's target goes
/// through <see cref="UserClient"/>, which connects only to public addresses; an operator's through
/// <see cref="OperatorClient"/>, which trusts the configuration. Neither follows redirects. The receiver's answer
/// body is read for a retry hint only, never passed on: a user must not be able to read what some server answered.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, TelegramSender telegram, EmailSender email, PushSender push)
{
    public const string SignatureHeader = "X-Scalpaiboard-Signature";
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string UserClient = "webhooks-user";
    public const string OperatorClient = "webhooks-operator";

    public async Task<SendOutcome> SendAsync(WebhookTarget target, string messageId, string payload, CancellationToken cancellationToken)
    {
        switch (WebhookKinds.Normalize(target.Kind))
        {
            case WebhookKinds.Telegram:
                return await telegram.SendAsync(target, payload, cancellationToken);
            case WebhookKinds.Email:
                return await email.SendAsync(target, messageId, payload, cancellationToken);
            case WebhookKinds.Push:
                return await push.SendAsync(target, payload, cancellationToken);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = Build(target, messageId, payload);
            var http = clients.CreateClient(target.IsOperatorTarget ? OperatorClient : UserClient);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var code = (int)response.StatusCode;
            var ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.IsSuccessStatusCode)
            {
                return new SendOutcome(true, code, null, null, false, ms);
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var retryAfter = RetryAfter(response, body);
            var permanent = code is >= 400 and < 500 && code is not (408 or 409 or 425 or 429);
            var error = code is >= 300 and < 400 ? $"HTTP {code}: the receiver redirects, and redirects are not followed" : $"HTTP {code}";
            return new SendOutcome(false, code, error, retryAfter, permanent, ms);
        }
        catch (HttpRequestException ex) when (OutboundRequestRefusedException.FindIn(ex) is { } refused)
        {
            return new SendOutcome(false, null, refused.Message, null, true,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(false, null, ex is TaskCanceledException ? "timeout" : ex.Message, null, false,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is UriFormatException or InvalidOperationException or JsonException or FormatException)
        {
            return new SendOutcome(false, null, ex.Message, null, true, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static HttpRequestMessage Build(WebhookTarget target, string messageId, string payload)
    {
        switch (WebhookKinds.Normalize(target.Kind))
        {
            case WebhookKinds.Discord:
                return Post(new Uri(target.Url), MessageFormats.Discord(payload), messageId);
            default:
                var bytes = Encoding.UTF8.GetBytes(payload);
                var request = Post(new Uri(target.Url), bytes, messageId);
                if (!string.IsNullOrEmpty(target.Secret))
                {
                    request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(target.Secret, bytes));
                }
                return request;
        }
    }

    private static HttpRequestMessage Post(Uri uri, byte[] body, string messageId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(IdempotencyHeader, messageId);
        return request;
    }

    /// <summary>Retry-After (seconds or a date), or <c>retry_after</c> in a JSON body (Discord).</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response, string body)
    {
        if (response.Headers.RetryAfter is { } ra)
        {
            if (ra.Delta is { } d)
            {
                return d;
            }
            if (ra.Date is { } date)
            {
                var delta = date - DateTimeOffset.UtcNow;
                return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
            }
        }
        if (response.StatusCode == HttpStatusCode.TooManyRequests && body.Length > 0 && body.TrimStart().StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.TryGetProperty("retry_after", out var t) && t.TryGetDouble(out var s))
                {
                    return TimeSpan.FromSeconds(s);
                }
            }
            catch (JsonException)
            {
                // not JSON after all: no hint
            }
        }
        return null;
    }

}

/// <summary>Per-channel renderings of the stored generic payload.</summary>
public static class MessageFormats
{
    public const int Green = 0x2ECC71;
    public const int Red = 0xE74C3C;
    public const int Blue = 0x3498DB;

    /// <summary>Green for bullish/upward triggers, red for bearish/downward ones, blue otherwise.</summary>
    public static int Color(string type)
    {
        var t = type.ToLowerInvariant();
        if (t.Contains("bull", StringComparison.Ordinal) || t.Contains("above", StringComparison.Ordinal) || t.Contains("bottom", StringComparison.Ordinal))
        {
            return Green;
        }
        if (t.Contains("bear", StringComparison.Ordinal) || t.Contains("below", StringComparison.Ordinal) || t.Contains("top", StringComparison.Ordinal))
        {
            return Red;
        }
        return Blue;
    }

    public static byte[] Discord(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("username", "Scalpaiboard");
            w.WriteStartArray("embeds");
            w.WriteStartObject();
            var kind = Str(root, "kind");
            if (kind == "digest")
            {
                var items = root.GetProperty("items");
                w.WriteString("title", $"Digest: {items.GetArrayLength()} notifications");
                w.WriteString("description", string.Join('\n', items.EnumerateArray().Take(40).Select(Line)));
                w.WriteNumber("color", Blue);
            }
            else
            {
                var type = Str(root, "type");
                w.WriteString("title", $"{Str(root, "symbol")} · {Title(type, kind)}");
                w.WriteString("description", kind == "test" ? Str(root, "message") : $"{kind} {type} at {Str(root, "time")}");
                w.WriteNumber("color", Color(type));
                w.WriteStartArray("fields");
                Field(w, "Price", Num(root, "price"));
                if (root.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object)
                {
                    foreach (var key in new[] { "change_5m", "change_15m", "change_1h", "change_1d", "quoteVolume_1h", "quoteVolume_1d" })
                    {
                        if (m.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number)
                        {
                            Field(w, key, v.GetDouble().ToString("0.####", CultureInfo.InvariantCulture));
                        }
                    }
                }
                w.WriteEndArray();
            }
            if (root.TryGetProperty("time", out var time) && time.ValueKind == JsonValueKind.String)
            {
                w.WriteString("timestamp", time.GetString());
            }
            w.WriteStartObject("footer");
            w.WriteString("text", Str(root, "id"));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>The Telegram message text: one line per signal/alert, a list for a digest, the message of a test.</summary>
    public static string TelegramText(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        var kind = Str(root, "kind");
        if (kind == "digest")
        {
            var items = root.GetProperty("items");
            return $"Scalpaiboard digest: {items.GetArrayLength()} notifications\n"
                + string.Join('\n', items.EnumerateArray().Take(40).Select(Line));
        }
        return kind == "test" ? Str(root, "message") : Line(root);
    }

    private static string Line(JsonElement e)
    {
        var type = Str(e, "type");
        var change = e.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object
            && m.TryGetProperty("change_1h", out var c) && c.ValueKind == JsonValueKind.Number
            ? $" (1h {c.GetDouble().ToString("+0.##;-0.##;0", CultureInfo.InvariantCulture)}%)" : "";
        return $"{Str(e, "symbol")} {Title(type, Str(e, "kind"))} @ {Num(e, "price")}{change} {Str(e, "time")}";
    }

    internal static string Title(string type, string kind)
    {
        if (Scalpaiboard.Market.Signals.PresetTypes.TryParse(type, out var preset))
        {
            return Scalpaiboard.Market.Signals.PresetTypes.DisplayNames[(int)preset];
        }
        return kind == "alert" ? $"alert {type}" : type;
    }

    private static void Field(Utf8JsonWriter w, string name, string value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("value", value);
        w.WriteBoolean("inline", true);
        w.WriteEndObject();
    }

    internal static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    internal static string Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble().ToString("0.########", CultureInfo.InvariantCulture) : "n/a";
}
