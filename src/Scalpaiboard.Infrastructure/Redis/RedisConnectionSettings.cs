using System.Globalization;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// Where and how to connect, parsed from <c>ConnectionStrings:redis</c> in StackExchange.Redis's format
/// (<c>host:port[,password=...][,user=...][,defaultDatabase=N][,connectTimeout=ms][,syncTimeout=ms]</c>) or as a
/// URL (<c>redis://[user:pass@]host:port/db</c>).
/// </summary>
public sealed record RedisConnectionSettings
{
    public const int DefaultPort = 6379;

    public required string Host { get; init; }

    public int Port { get; init; } = DefaultPort;

    public string? User { get; init; }

    public string? Password { get; init; }

    public int Database { get; init; }

    /// <summary>Time allowed to open a socket and finish AUTH/SELECT.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for one command, including any wait for a reconnect.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{Database.ToString(CultureInfo.InvariantCulture)}";

    public static RedisConnectionSettings Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var text = connectionString.Trim();
        if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseUrl(text);
        }
        if (text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException("TLS (rediss://) is not supported by this Redis client.");
        }

        string? endpoint = null;
        var settings = new RedisConnectionSettings { Host = "" };
        foreach (var rawPart in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = rawPart.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                // Several endpoints: the first one wins (no cluster or sentinel support).
                endpoint ??= rawPart;
                continue;
            }
            var key = rawPart[..eq].Trim();
            var value = rawPart[(eq + 1)..].Trim();
            settings = key.ToLowerInvariant() switch
            {
                "password" => settings with { Password = value },
                "user" => settings with { User = value },
                "defaultdatabase" => settings with { Database = ParseInt(key, value, 0) },
                "connecttimeout" => settings with { ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1)) },
                "synctimeout" or "asynctimeout" => settings with { CommandTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1)) },
                "ssl" when bool.TryParse(value, out var ssl) && ssl => throw new NotSupportedException("ssl=true is not supported by this Redis client."),
                // Accepted for compatibility with connection strings written for StackExchange.Redis; no effect here.
                "ssl" or "abortconnect" or "allowadmin" or "name" or "connectretry" or "keepalive" or "resolvedns" or "protocol" => settings,
                _ => throw new FormatException($"Unsupported Redis connection string option '{key}'."),
            };
        }
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            throw new FormatException("The Redis connection string names no host:port endpoint.");
        }
        var (host, port) = ParseEndpoint(endpoint);
        return settings with { Host = host, Port = port };
    }

    private static RedisConnectionSettings ParseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("The Redis URL is not valid; expected redis://[user:password@]host:port/db.");
        }
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                password = Uri.UnescapeDataString(uri.UserInfo);
            }
            else
            {
                user = Uri.UnescapeDataString(uri.UserInfo[..colon]);
                password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        var db = uri.AbsolutePath.Trim('/');
        return new RedisConnectionSettings
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? DefaultPort : uri.Port,
            User = string.IsNullOrEmpty(user) ? null : user,
            Password = string.IsNullOrEmpty(password) ? null : password,
            Database = db.Length == 0 ? 0 : ParseInt("database", db, 0),
        };
    }

    private static (string Host, int Port) ParseEndpoint(string endpoint)
    {
        if (endpoint.StartsWith('['))
        {
            var close = endpoint.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"Invalid Redis endpoint '{endpoint}'.");
            }
            var host6 = endpoint[1..close];
            var rest = endpoint[(close + 1)..];
            return (host6, rest.StartsWith(':') ? ParseInt("port", rest[1..], 1) : DefaultPort);
        }
        var colon = endpoint.LastIndexOf(':');
        return colon < 0 ? (endpoint, DefaultPort) : (endpoint[..colon], ParseInt("port", endpoint[(colon + 1)..], 1));
    }

    private static int ParseInt(string key, string value, int min) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new FormatException($"Redis connection string option '{key}' has an invalid value '{value}'.");
}
