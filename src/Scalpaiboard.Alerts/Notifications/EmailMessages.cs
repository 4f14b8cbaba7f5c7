using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MimeKit;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// The e-mail rendering of a stored payload: a subject and a multipart/alternative body (plain text and HTML) with
/// the price, the metrics and a link to the coin page of the Web UI; a digest lists its items; the confirmation mail
/// carries the link that confirms the address.
/// </summary>
public static class EmailMessages
{
    public static MimeMessage Build(string payload, string messageId, MailboxAddress from, MailboxAddress to, string publicWebUrl)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        var web = publicWebUrl.TrimEnd('/');
        var (subject, text, html) = Str(root, "kind") switch
        {
            "confirmation" => Confirmation(root),
            "digest" => Digest(root, web),
            "test" => ("Scalpaiboard: test message", Str(root, "message"), $"<p>{Enc(Str(root, "message"))}</p>"),
            _ => Single(root, web),
        };
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(to);
        message.Subject = subject;
        message.MessageId = $"{Safe(messageId)}@scalpaiboard.local";
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = Page(subject, html) }.ToMessageBody();
        return message;
    }

    public static string CoinUrl(string publicWebUrl, string symbol) => $"{publicWebUrl.TrimEnd('/')}/coins/{Uri.EscapeDataString(symbol)}";

    private static (string, string, string) Single(JsonElement root, string web)
    {
        var symbol = Str(root, "symbol");
        var kind = Str(root, "kind");
        var title = Title(Str(root, "type"), kind);
        var price = Num(root, "price");
        var url = CoinUrl(web, symbol);
        var metrics = Metrics(root);
        var note = Str(root, "note");
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{symbol}: {title} ({kind}) at {Str(root, "time")}\n")
            .Append(CultureInfo.InvariantCulture, $"Price: {price}\n");
        foreach (var (name, value) in metrics)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\n");
        }
        if (note.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Note: {note}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"\n{url}\n");
        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<h2>{Enc(symbol)}: {Enc(title)}</h2><p>{Enc(kind)} at {Enc(Str(root, "time"))}</p>")
            .Append("<table><tr><th align=\"left\">Price</th><td>").Append(Enc(price)).Append("</td></tr>");
        foreach (var (name, value) in metrics)
        {
            html.Append("<tr><th align=\"left\">").Append(Enc(name)).Append("</th><td>").Append(Enc(value)).Append("</td></tr>");
        }
        html.Append("</table>");
        if (note.Length > 0)
        {
            html.Append("<p>Note: ").Append(Enc(note)).Append("</p>");
        }
        html.Append("<p><a href=\"").Append(Enc(url)).Append("\">Open ").Append(Enc(symbol)).Append(" in Scalpaiboard</a></p>");
        return ($"Scalpaiboard: {symbol} {title} @ {price}", text.ToString(), html.ToString());
    }

    private static (string, string, string) Digest(JsonElement root, string web)
    {
        var items = root.GetProperty("items").EnumerateArray().ToList();
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"{items.Count} notifications from {Str(root, "from")} to {Str(root, "to")} (more than your per-minute or hourly limit):\n\n");
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<h2>{items.Count} notifications</h2><ul>");
        foreach (var item in items.Take(200))
        {
            var symbol = Str(item, "symbol");
            var line = $"{symbol} {Title(Str(item, "type"), Str(item, "kind"))} @ {Num(item, "price")} {Str(item, "time")}";
            text.Append(line).Append("\n  ").Append(CoinUrl(web, symbol)).Append('\n');
            html.Append("<li><a href=\"").Append(Enc(CoinUrl(web, symbol))).Append("\">").Append(Enc(line)).Append("</a></li>");
        }
        html.Append("</ul>");
        return ($"Scalpaiboard digest: {items.Count} notifications", text.ToString(), html.ToString());
    }

    private static (string, string, string) Confirmation(JsonElement root)
    {
        var link = Str(root, "link");
        var address = Str(root, "address");
        var expires = Str(root, "expires");
        var text = $"Someone (hopefully you) added {address} to receive Scalpaiboard notifications.\n\n"
            + $"Open this link to confirm the address (valid until {expires}):\n{link}\n\n"
            + "Until it is confirmed, no notifications are sent to it. If you did not ask for this, ignore this mail.\n";
        var html = $"<p>Someone (hopefully you) added <b>{Enc(address)}</b> to receive Scalpaiboard notifications.</p>"
            + $"<p><a href=\"{Enc(link)}\">Confirm this address</a> (valid until {Enc(expires)}).</p>"
            + "<p>Until it is confirmed, no notifications are sent to it. If you did not ask for this, ignore this mail.</p>";
        return ("Scalpaiboard: confirm your e-mail address", text, html);
    }

    private static List<(string Name, string Value)> Metrics(JsonElement root)
    {
        var list = new List<(string, string)>();
        if (root.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in m.EnumerateObject().Take(40))
            {
                if (p.Value.ValueKind == JsonValueKind.Number)
                {
                    list.Add((p.Name, p.Value.GetDouble().ToString("0.########", CultureInfo.InvariantCulture)));
                }
            }
        }
        return list;
    }

    private static string Page(string title, string body) =>
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{Enc(title)}</title></head><body>{body}</body></html>";

    private static string Title(string type, string kind)
    {
        if (Scalpaiboard.Market.Signals.PresetTypes.TryParse(type, out var preset))
        {
            return Scalpaiboard.Market.Signals.PresetTypes.DisplayNames[(int)preset];
        }
        return kind == "alert" ? $"alert {type}" : type;
    }

    private static string Safe(string id) => new(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-').ToArray());

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    private static string Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble().ToString("0.########", CultureInfo.InvariantCulture) : "n/a";
}
