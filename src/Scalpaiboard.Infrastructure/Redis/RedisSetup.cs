using StackExchange.Redis;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>What every service sets on the StackExchange.Redis connection it gets from <c>AddRedisClient("redis")</c>.</summary>
public static class RedisSetup
{
    /// <summary>The connection string's name (<c>ConnectionStrings:redis</c>, StackExchange format <c>host:port,password=...</c>).</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// Start without Redis and keep reconnecting in the background (a service comes up, reports Unhealthy and recovers
    /// by itself), and fail commands at once while disconnected instead of queueing them: the metrics writer keeps
    /// unpublished events itself and retries them in order, so a queued command sent minutes later could only
    /// reorder the stream, and live frames are worthless by then.
    /// </summary>
    public static void Configure(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectRetry = Math.Max(options.ConnectRetry, 3);
    }
}
