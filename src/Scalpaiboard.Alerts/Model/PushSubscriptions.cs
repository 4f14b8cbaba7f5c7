namespace Scalpaiboard.Alerts.Model;

/// <summary>The body of <c>POST /api/settings/push-subscriptions</c>: what <c>PushSubscription.toJSON()</c> gives, and a device name.</summary>
public sealed record PushSubscriptionRequest(string? Endpoint, PushSubscriptionKeys? Keys, string? Name);

public sealed record PushSubscriptionKeys(string? P256dh, string? Auth);

/// <summary>A device's subscription as shown back to its owner: never its keys.</summary>
public sealed record PushSubscriptionDto(long Id, string Endpoint, string Name, DateTimeOffset CreatedAt);

public sealed record PushSubscriptionList(IReadOnlyList<PushSubscriptionDto> Subscriptions);

/// <summary>The server's VAPID public key (base64url), the browser's <c>applicationServerKey</c>.</summary>
public sealed record PushPublicKey(string PublicKey);
