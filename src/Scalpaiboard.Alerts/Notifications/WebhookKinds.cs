namespace Scalpaiboard.Alerts.Notifications;

public static class WebhookKinds
{
    public const string Generic = "generic";
    public const string Discord = "discord";
    public const string Telegram = "telegram";

    /// <summary>A user's e-mail address (the webhook's url), sent through the operator's SMTP server once confirmed.</summary>
    public const string Email = "email";

    /// <summary>
    /// A browser's push subscription (the url is the push service endpoint), sent through Web Push with the server's
    /// VAPID keys. Added by the browser through <c>/api/settings/push-subscriptions</c>, never typed into the settings.
    /// </summary>
    public const string Push = "push";

    public static readonly string[] All = [Generic, Discord, Telegram, Email, Push];

    /// <summary>The canonical kind, null when unknown; an empty kind means generic.</summary>
    public static string? Normalize(string? kind) => string.IsNullOrWhiteSpace(kind)
        ? Generic
        : Array.Find(All, k => string.Equals(k, kind.Trim(), StringComparison.OrdinalIgnoreCase));
}
