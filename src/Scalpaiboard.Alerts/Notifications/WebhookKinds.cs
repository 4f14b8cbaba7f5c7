namespace Scalpaiboard.Alerts.Notifications;

public static class WebhookKinds
{
    public const string Generic = "generic";
    public const string Discord = "discord";
    public const string Telegram = "telegram";

    /// <summary>A user's e-mail address (the webhook's url), sent through the operator's SMTP server once confirmed.</summary>
    public const string Email = "email";

    public static readonly string[] All = [Generic, Discord, Telegram, Email];

    /// <summary>The canonical kind, null when unknown; an empty kind means generic.</summary>
    public static string? Normalize(string? kind) => string.IsNullOrWhiteSpace(kind)
        ? Generic
        : Array.Find(All, k => string.Equals(k, kind.Trim(), StringComparison.OrdinalIgnoreCase));
}
