using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Gateway.Model;

/// <summary>The Gateway's settings (section <c>Gateway</c>; environment <c>Gateway__...</c>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public static readonly string[] DefaultCorsOrigins = ["http://127.0.0.1:5000", "http://localhost:5000"];

    public const string Section = "Gateway";

    [Required]
    public RateLimitOptions RateLimit { get; set; } = new();

    [Required]
    public WebSocketOptions WebSocket { get; set; } = new();

    [Required]
    public ForwardingOptions Forwarding { get; set; } = new();

    /// <summary>Origins allowed by CORS (the Web UI); empty means <see cref="DefaultCorsOrigins"/>.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>Largest request body accepted (bytes), for forwarded calls as well as the Gateway's own.</summary>
    [Range(1024, 1L << 32)]
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Reverse proxies in front of the Gateway (IP addresses) whose <c>X-Forwarded-For</c> names the client; from
    /// anyone else the header is ignored. Empty: none (loopback is not trusted by default).
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of such proxies, in CIDR notation (<c>10.0.0.0/8</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>Lockout after this many failed logins in a row.</summary>
    [Range(1, 100)]
    public int MaxFailedLogins { get; set; } = 5;

    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 5;

    public string[] EffectiveCorsOrigins => CorsOrigins.Length > 0 ? CorsOrigins : DefaultCorsOrigins;

    /// <summary>The validator does not descend into nested objects: check them here, naming the nested key.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new (string, object)[] { (nameof(RateLimit), RateLimit), (nameof(WebSocket), WebSocket), (nameof(Forwarding), Forwarding) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
            foreach (var r in results)
            {
                yield return new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{name}:{m}").ToArray());
            }
        }
        foreach (var proxy in KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                yield return new ValidationResult($"'{proxy}' is not an IP address.", [nameof(KnownProxies)]);
            }
        }
        foreach (var network in KnownNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
            {
                yield return new ValidationResult($"'{network}' is not a network in CIDR notation (10.0.0.0/8).", [nameof(KnownNetworks)]);
            }
        }
        foreach (var origin in CorsOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out _))
            {
                yield return new ValidationResult($"'{origin}' is not an absolute origin URL.", [nameof(CorsOrigins)]);
            }
        }
    }
}

public sealed class RateLimitOptions
{
    /// <summary>REST requests per minute per user (or per client address when anonymous).</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerMinute { get; set; } = 600;
}

public sealed class WebSocketOptions
{
    /// <summary>Concurrent /ws connections per client address.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerClient { get; set; } = 1000;

    /// <summary>Frames waiting for one client before it counts as too slow and is disconnected.</summary>
    [Range(4, 1_000_000)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Largest client message (bytes); larger ones are answered with an error and skipped.</summary>
    [Range(256, 1 << 20)]
    public int MaxMessageBytes { get; set; } = 16 * 1024;

    [Range(1, 200)]
    public int MaxSubscriptionsPerClient { get; set; } = 200;

    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A client that sent nothing (not even a pong) for this long is disconnected.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "02:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>One send to a client that does not complete in this time means the client stopped reading.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A live channel that has had no client for this long is unsubscribed from Redis (a client that comes back
    /// sooner, say flipping between two charts, finds it still subscribed).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan UnsubscribeAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Different live channels this Gateway subscribes to in Redis at most (every symbol's candles, metrics and book
    /// for 500 symbols are 4,500, plus one alerts channel per signed-in user); a subscription to a new channel beyond
    /// it is refused with an error.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxLiveChannels { get; set; } = 20_000;
}

public sealed class ForwardingOptions
{
    /// <summary>
    /// Time a forwarded call may go without any activity: no response headers by then is a 504, a stream silent
    /// for that long is cut (YARP's activity timeout; streams have no total timeout).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);

    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often YARP's active health check probes each service's /alive.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for one service's /health answer in /api/health (and for YARP's /alive probe).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
