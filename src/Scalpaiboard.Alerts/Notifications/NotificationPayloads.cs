using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// The generic webhook body, built once when the outbox row is written and stored verbatim, so every attempt sends
/// the same bytes (the signature and the Idempotency-Key stay stable). Discord and Telegram render from it.
/// </summary>
public static class NotificationPayloads
{
    public static string Signal(long id, string symbol, string type, long openTime, double price, string metricsJson) =>
        Write(w =>
        {
            w.WriteString("id", id.ToString(CultureInfo.InvariantCulture));
            w.WriteString("kind", "signal");
            WriteCommon(w, symbol, type, openTime, price, metricsJson);
        });

    /// <summary>An alert trigger; <paramref name="message"/> says what held, with the values (<c>funding 0.0612 % above 0.05 %</c>).</summary>
    public static string Alert(long triggerId, long alertId, string symbol, string type, long openTime, double price, string metricsJson,
        string conditionsJson, string note, string message) =>
        Write(w =>
        {
            w.WriteString("id", AlertMessageId(triggerId));
            w.WriteString("kind", "alert");
            WriteCommon(w, symbol, type, openTime, price, metricsJson);
            w.WriteNumber("alertId", alertId);
            w.WritePropertyName("conditions");
            w.WriteRawValue(conditionsJson);
            w.WriteString("note", note);
            w.WriteString("message", message);
        });

    public static string AlertMessageId(long triggerId) => "alert-" + triggerId.ToString(CultureInfo.InvariantCulture);

    public static string Digest(string id, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string> itemPayloads) =>
        Write(w =>
        {
            w.WriteString("id", id);
            w.WriteString("kind", "digest");
            w.WriteString("from", from.UtcDateTime);
            w.WriteString("to", to.UtcDateTime);
            w.WriteNumber("count", itemPayloads.Count);
            w.WriteStartArray("items");
            foreach (var item in itemPayloads)
            {
                w.WriteRawValue(item);
            }
            w.WriteEndArray();
        });

    public static string Test(string id, DateTimeOffset now) =>
        Write(w =>
        {
            w.WriteString("id", id);
            w.WriteString("kind", "test");
            w.WriteString("symbol", "TESTUSDT");
            w.WriteString("type", "test");
            w.WriteNumber("openTime", now.ToUnixTimeMilliseconds() / 60_000 * 60_000);
            w.WriteString("time", now.UtcDateTime);
            w.WriteNumber("price", 0);
            w.WriteStartObject("metrics");
            w.WriteEndObject();
            w.WriteString("message", "Test message from Scalpaiboard: this webhook works.");
        });

    /// <summary>The one mail an unconfirmed address gets: the link that confirms it.</summary>
    public static string EmailConfirmation(string id, string address, string link, DateTimeOffset expires) =>
        Write(w =>
        {
            w.WriteString("id", id);
            w.WriteString("kind", "confirmation");
            w.WriteString("address", address);
            w.WriteString("link", link);
            w.WriteString("expires", expires.UtcDateTime);
        });

    private static void WriteCommon(Utf8JsonWriter w, string symbol, string type, long openTime, double price, string metricsJson)
    {
        w.WriteString("symbol", symbol);
        w.WriteString("type", type);
        w.WriteNumber("openTime", openTime);
        w.WriteString("time", DateTimeOffset.FromUnixTimeMilliseconds(openTime + 60_000).UtcDateTime);
        if (double.IsFinite(price))
        {
            w.WriteNumber("price", price);
        }
        else
        {
            w.WriteNull("price");
        }
        w.WritePropertyName("metrics");
        w.WriteRawValue(metricsJson);
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
