namespace Scalpaiboard.Gateway.Services.Forwarding;

/// <summary>Which service owns which part of <c>/api</c>.</summary>
public static class ServiceRoutes
{
    public const string Ingest = "ingest";
    public const string Alerts = "alerts";
    public const string Ai = "ai";

    /// <summary>The services behind the Gateway, in the order /api/health lists them.</summary>
    public static readonly string[] Services = [Ingest, Alerts, Ai];

    /// <summary>Path prefixes (under <c>/api</c>) and their owning service.</summary>
    public static readonly (string Prefix, string Service)[] Prefixes =
    [
        ("/api/symbols", Ingest),
        ("/api/coins", Ingest),
        ("/api/metrics", Ingest),
        ("/api/feed", Ingest),
        ("/api/presets", Alerts),
        ("/api/signals", Alerts),
        ("/api/alerts", Alerts),
        ("/api/settings", Alerts),
        ("/api/watchlist", Alerts),
        ("/api/portfolio", Alerts),
        ("/api/notifications", Alerts),
        ("/api/ai", Ai),
    ];
}
