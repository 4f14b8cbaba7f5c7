using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// The browser push rendering of a stored payload: the JSON the service worker reads (<c>wwwroot/push-sw.js</c>):
/// <c>title</c>, <c>body</c>, <c>url</c> (the coin page the click opens) and <c>tag</c> (a newer notification with the
/// same tag replaces the older one on the device: one per coin and signal type, one per alert). Well under the 4 KB
/// that push services accept once encrypted. <c>Urgent</c>: a user's own alert (the push service may wake a sleeping
/// device for it), not a preset signal or a digest.
/// </summary>
public static class PushMessages
{
    public const int MaxBodyLength = 400;

    public static (string Json, bool Urgent) Render(string payload, string publicWebUrl)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        var web = publicWebUrl.TrimEnd('/');
        var kind = MessageFormats.Str(root, "kind");
        var (title, body, url, tag) = kind switch
        {
            "digest" => Digest(root, web),
            "test" => ("Scalpaiboard: test notification", MessageFormats.Str(root, "message"), web + "/settings", "test"),
            _ => Single(root, web, kind),
        };
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("title", title);
            w.WriteString("body", body.Length > MaxBodyLength ? body[..MaxBodyLength] : body);
            w.WriteString("url", url);
            w.WriteString("tag", tag);
            w.WriteEndObject();
        }
        return (Encoding.UTF8.GetString(buffer.WrittenSpan), kind == "alert");
    }

    private static (string, string, string, string) Single(JsonElement root, string web, string kind)
    {
        var symbol = MessageFormats.Str(root, "symbol");
        var type = MessageFormats.Str(root, "type");
        var body = new StringBuilder().Append("Price ").Append(MessageFormats.Num(root, "price"));
        if (root.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            foreach (var (key, label) in new[] { ("change_5m", "5m"), ("change_1h", "1h") })
            {
                if (m.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number)
                {
                    body.Append(CultureInfo.InvariantCulture, $" · {label} {v.GetDouble().ToString("+0.##;-0.##;0", CultureInfo.InvariantCulture)}%");
                }
            }
        }
        if (MessageFormats.Str(root, "note") is { Length: > 0 } note)
        {
            body.Append(" · ").Append(note);
        }
        var tag = kind == "alert" && root.TryGetProperty("alertId", out var alertId) && alertId.ValueKind == JsonValueKind.Number
            ? $"alert-{alertId.GetInt64().ToString(CultureInfo.InvariantCulture)}"
            : $"{kind}-{symbol}-{type}";
        return ($"{symbol} · {MessageFormats.Title(type, kind)}", body.ToString(), EmailMessages.CoinUrl(web, symbol), tag);
    }

    private static (string, string, string, string) Digest(JsonElement root, string web)
    {
        var items = root.GetProperty("items").EnumerateArray().ToList();
        var lines = items.Take(5).Select(i =>
            $"{MessageFormats.Str(i, "symbol")} {MessageFormats.Title(MessageFormats.Str(i, "type"), MessageFormats.Str(i, "kind"))} @ {MessageFormats.Num(i, "price")}");
        var more = items.Count > 5 ? $"\n… and {items.Count - 5} more" : "";
        return ($"Scalpaiboard: {items.Count} notifications", string.Join('\n', lines) + more, web + "/signals", "digest");
    }
}
