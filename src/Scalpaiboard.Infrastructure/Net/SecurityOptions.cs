namespace Scalpaiboard.Infrastructure.Net;

/// <summary>The <c>Security</c> configuration section (environment <c>Security__*</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// Lets user-supplied targets (webhooks, AI provider base URLs) reach loopback, RFC 1918, carrier-grade NAT and
    /// unique-local addresses: for a single-user install whose user is the operator. Off by default.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}
