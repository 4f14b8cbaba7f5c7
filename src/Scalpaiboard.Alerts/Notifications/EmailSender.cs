using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// Sends one e-mail through the operator's SMTP server (<c>Notifications:Smtp</c>) with MailKit: connect with
/// STARTTLS or TLS (plain only to a loopback host, checked at start-up), authenticate if a username is configured
/// (MailKit only after the connection is protected, unless Security is None), send a plain-text + HTML message, quit.
/// One attempt per call; retries, backoff and dead letters belong to the delivery worker. The <c>Message-Id</c> is
/// derived from the outbox message id, so a resend after a crash carries the same id.
/// </summary>
public sealed class EmailSender(IOptions<NotificationsOptions> options, IOptions<AlertsOptions> alerts)
{
    public async Task<SendOutcome> SendAsync(WebhookTarget target, string messageId, string payload, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var smtp = options.Value.Smtp;
        if (!options.Value.EmailEnabled)
        {
            return new SendOutcome(false, null, "e-mail is not configured on this server (Notifications:Smtp:Host)", null, false, Elapsed());
        }
        MimeMessage message;
        try
        {
            message = EmailMessages.Build(payload, messageId, MailboxAddress.Parse(smtp.From ?? ""), MailboxAddress.Parse(target.Url), options.Value.PublicWebUrl);
        }
        catch (ParseException ex)
        {
            return new SendOutcome(false, null, "not a valid e-mail address: " + ex.Message, null, true, Elapsed());
        }
        using var client = new SmtpClient { Timeout = alerts.Value.Delivery.TimeoutSeconds * 1000 };
        if (!string.IsNullOrEmpty(smtp.CertificateSha256))
        {
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && Pinned(certificate, smtp.CertificateSha256));
        }
        try
        {
            var security = smtp.Security switch
            {
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(smtp.Host!, smtp.EffectivePort, security, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
            }
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return new SendOutcome(true, 250, null, null, false, Elapsed());
        }
        catch (SmtpCommandException ex)
        {
            // 5xx about this recipient or message will not get better; 4xx (and everything else) is retried.
            var code = (int)ex.StatusCode;
            var permanent = code >= 500 && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted;
            return new SendOutcome(false, code, $"SMTP {code} ({ex.ErrorCode})", null, permanent, Elapsed());
        }
        catch (AuthenticationException)
        {
            return new SendOutcome(false, null, "SMTP authentication failed (check Notifications:Smtp:Username/Password)", null, false, Elapsed());
        }
        catch (SslHandshakeException)
        {
            return new SendOutcome(false, null, "SMTP TLS handshake failed (certificate not trusted? see Notifications:Smtp:CertificateSha256)", null, false, Elapsed());
        }
        catch (Exception ex) when (ex is SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
            or NotSupportedException or IOException or SocketException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new SendOutcome(false, null, ex is OperationCanceledException ? "timeout" : $"SMTP: {ex.Message}", null, false, Elapsed());
        }
    }

    private static bool Pinned(X509Certificate certificate, string pin) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()),
            Convert.FromHexString(pin.Replace(":", "", StringComparison.Ordinal)));
}
