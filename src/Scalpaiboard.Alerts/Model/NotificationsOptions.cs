using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Scalpaiboard.Alerts.Model;

/// <summary>How the SMTP client protects the connection: STARTTLS after connecting, TLS from the start, or nothing.</summary>
public enum SmtpSecurity
{
    StartTls,
    Tls,
    None,
}

/// <summary>
/// Configuration section <c>Notifications</c> (environment <c>Notifications__*</c>), validated at start-up: the
/// operator's SMTP server for e-mail channels and the public addresses that links in messages point to.
/// </summary>
public sealed class NotificationsOptions : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>The Web UI as users reach it (links to coin pages in messages).</summary>
    public string PublicWebUrl { get; set; } = "http://127.0.0.1:5000";

    /// <summary>The Gateway as users reach it (the e-mail confirmation link, <c>/api/settings/email/confirm</c>).</summary>
    public string PublicApiUrl { get; set; } = "http://127.0.0.1:8080";

    [Required]
    public SmtpOptions Smtp { get; set; } = new();

    [Required]
    public EmailOptions Email { get; set; } = new();

    [Required]
    public WebPushOptions WebPush { get; set; } = new();

    /// <summary>True when an SMTP host is configured: users may add e-mail channels.</summary>
    public bool EmailEnabled => !string.IsNullOrWhiteSpace(Smtp.Host);

    /// <summary>True when VAPID keys are configured: browsers may subscribe to push notifications.</summary>
    public bool PushEnabled => WebPush.Configured;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (key, value) in new[] { ("PublicWebUrl", PublicWebUrl), ("PublicApiUrl", PublicApiUrl) })
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return new ValidationResult("must be an absolute http(s) URL", [key]);
            }
        }
        foreach (var (prefix, section) in new (string, object)[] { ("Smtp", Smtp), ("Email", Email), ("WebPush", WebPush) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true);
            foreach (var r in results)
            {
                yield return new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{prefix}:{m}").ToArray());
            }
        }
        if (Email.ConfirmationLifetime <= TimeSpan.Zero || Email.ConfirmationLifetime > TimeSpan.FromDays(30))
        {
            yield return new ValidationResult("must be more than 0 and at most 30 days", ["Email:ConfirmationLifetime"]);
        }
        foreach (var (key, message) in WebPush.Problems())
        {
            yield return new ValidationResult(message, [$"WebPush:{key}"]);
        }
        if (!EmailEnabled)
        {
            yield break;
        }
        if (string.IsNullOrWhiteSpace(Smtp.From) || !MimeKit.MailboxAddress.TryParse(Smtp.From, out var from) || !from.Address.Contains('@', StringComparison.Ordinal))
        {
            yield return new ValidationResult("must be the sender's e-mail address (e.g. alerts@example.com or \"Scalpaiboard <alerts@example.com>\")", ["Smtp:From"]);
        }
        if (string.IsNullOrEmpty(Smtp.Username) != string.IsNullOrEmpty(Smtp.Password))
        {
            yield return new ValidationResult("Username and Password are set together (or neither, for a server without AUTH)", ["Smtp:Password"]);
        }
        if (Smtp.Security == SmtpSecurity.None && !IsLoopback(Smtp.Host!))
        {
            yield return new ValidationResult("None (no TLS) is only allowed to a loopback host (localhost, 127.0.0.1, ::1); use StartTls or Tls",
                ["Smtp:Security"]);
        }
        if (Smtp.CertificateSha256 is { Length: > 0 } pin && (pin.Replace(":", "", StringComparison.Ordinal).Length != 64
            || !pin.Replace(":", "", StringComparison.Ordinal).All(Uri.IsHexDigit)))
        {
            yield return new ValidationResult("must be a SHA-256 fingerprint: 64 hex digits (colons allowed)", ["Smtp:CertificateSha256"]);
        }
    }

    public static bool IsLoopback(string host) =>
        string.Equals(host.Trim(), "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim().Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary><c>Notifications:Smtp</c>: the operator's mail server. The password comes from the environment, never the database.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    /// <summary>Default 587 for StartTls, 465 for Tls, 25 for None.</summary>
    [Range(1, 65535)]
    public int? Port { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? From { get; set; }

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>
    /// Optional: the SHA-256 fingerprint of the server's certificate, trusted even when it does not chain to a trusted
    /// root (a self-signed certificate of an own relay). Without it the certificate must be valid for the host.
    /// </summary>
    public string? CertificateSha256 { get; set; }

    public int EffectivePort => Port ?? Security switch { SmtpSecurity.Tls => 465, SmtpSecurity.None => 25, _ => 587 };
}

/// <summary><c>Notifications:Email</c>: flood control and confirmation of users' addresses.</summary>
public sealed class EmailOptions
{
    /// <summary>More messages than this to one address within a minute are held and folded into a digest.</summary>
    [Range(1, 10_000)]
    public int MaxPerMinute { get; set; } = 5;

    /// <summary>The digest period of held e-mails (one digest per address and period).</summary>
    [Range(1, 86_400)]
    public int DigestIntervalSeconds { get; set; } = 60;

    /// <summary>How long a confirmation link works.</summary>
    public TimeSpan ConfirmationLifetime { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// <c>Notifications:WebPush</c>: the server's VAPID key pair (RFC 8292) that signs every push request, and the contact
/// the push services see. The AppHost generates the pair on the first run and keeps it with its other secrets; without
/// keys browser push is off. Changing the pair invalidates every subscription (browsers bind them to the public key).
/// </summary>
public sealed class WebPushOptions
{
    /// <summary>The public key, base64url: the uncompressed P-256 point (65 bytes), as browsers take it for <c>applicationServerKey</c>.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The private key, base64url: the P-256 private scalar (32 bytes). From the environment, never the database.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The <c>sub</c> of the VAPID token: a <c>mailto:</c> address or an https URL where the push service can reach the operator.</summary>
    public string? Subject { get; set; }

    /// <summary>How long a push service keeps a message for a device that is offline (TTL header); a stale signal is no use.</summary>
    [Range(0, 2_419_200)]
    public int TimeToLiveSeconds { get; set; } = 3600;

    /// <summary>True when either key is set (then both must be valid).</summary>
    public bool Configured => !string.IsNullOrWhiteSpace(PublicKey) || !string.IsNullOrWhiteSpace(PrivateKey);

    /// <summary>(key, message) for each bad setting; none when push is off or the settings are sound.</summary>
    public IEnumerable<(string Key, string Message)> Problems()
    {
        if (!Configured)
        {
            yield break;
        }
        if (Notifications.PushKeys.VapidProblem(PublicKey, PrivateKey) is { } keys)
        {
            yield return keys;
        }
        if (!IsContact(Subject))
        {
            yield return ("Subject", "must be a mailto: address or an https URL where the push services can reach the operator (e.g. mailto:ops@example.com)");
        }
    }

    private static bool IsContact(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return false;
        }
        if (subject.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            return subject.Length > "mailto:".Length + 2 && subject.Contains('@', StringComparison.Ordinal);
        }
        return Uri.TryCreate(subject, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
    }
}
