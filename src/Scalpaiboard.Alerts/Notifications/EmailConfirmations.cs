using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// The signed, expiring token of an e-mail confirmation link: the channel's id and a one-time nonce, protected with
/// the service's Data Protection key ring (time-limited, <c>Notifications:Email:ConfirmationLifetime</c>). The nonce
/// is stored with the channel and cleared when the link is used, so a link works once.
/// </summary>
public sealed class EmailConfirmations(IDataProtectionProvider dataProtection, IOptions<NotificationsOptions> options, TimeProvider time)
{
    public const string Purpose = "Scalpaiboard.Alerts.EmailConfirmation.v1";
    public const string ConfirmPath = "/api/settings/email/confirm";

    private readonly ITimeLimitedDataProtector _protector = dataProtection.CreateProtector(Purpose).ToTimeLimitedDataProtector();

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The confirmation link for channel <paramref name="webhookId"/> and its nonce, and when it expires.</summary>
    public (string Link, DateTimeOffset Expires) Link(long webhookId, string nonce)
    {
        var expires = time.GetUtcNow() + options.Value.Email.ConfirmationLifetime;
        var token = _protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{webhookId}:{nonce}"), expires);
        var link = options.Value.PublicApiUrl.TrimEnd('/') + ConfirmPath + "?token=" + Uri.EscapeDataString(token);
        return (link, expires);
    }

    /// <summary>The channel id and nonce of a token that is authentic and not expired.</summary>
    public bool TryRead(string? token, out long webhookId, out string nonce)
    {
        webhookId = 0;
        nonce = "";
        if (string.IsNullOrWhiteSpace(token) || token.Length > 2000)
        {
            return false;
        }
        string plain;
        try
        {
            plain = _protector.Unprotect(token.Trim());
        }
        catch (CryptographicException)
        {
            return false; // forged, damaged or expired
        }
        var colon = plain.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(plain.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out webhookId))
        {
            return false;
        }
        nonce = plain[(colon + 1)..];
        return nonce.Length > 0;
    }
}
