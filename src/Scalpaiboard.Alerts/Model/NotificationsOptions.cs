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

    /// <summary>True when an SMTP host is configured: users may add e-mail channels.</summary>
    public bool EmailEnabled => !string.IsNullOrWhiteSpace(Smtp.Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (key, value) in new[] { ("PublicWebUrl", PublicWebUrl), ("PublicApiUrl", PublicApiUrl) })
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return new ValidationResult("must be an absolute http(s) URL", [key]);
            }
        }
        foreach (var (prefix, section) in new (string, object)[] { ("Smtp", Smtp), ("Email", Email) })
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
