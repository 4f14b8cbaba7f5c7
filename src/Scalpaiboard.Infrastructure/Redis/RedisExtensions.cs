using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Infrastructure.Redis;

public static class RedisExtensions
{
    public const string ConnectionName = "redis";

    /// <summary>
    /// Registers one <see cref="RedisClient"/> for <c>ConnectionStrings:redis</c> (singleton, disposed with the
    /// host), <see cref="IEventStream"/>, <see cref="ILiveChannel"/>, <see cref="IKeyValueCache"/>, and a health
    /// check named <c>redis</c> (tag <c>ready</c>) that PINGs the server.
    /// </summary>
    public static IHostApplicationBuilder AddRedis(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set (environment: ConnectionStrings__{ConnectionName}). " +
                "Start the system with ./run.sh, or give a Redis connection string such as 127.0.0.1:6379.");
        }
        RedisConnectionSettings settings;
        try
        {
            settings = RedisConnectionSettings.Parse(connectionString);
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not a valid Redis connection string: {ex.Message}", ex);
        }
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new RedisClient(settings, sp.GetService<ILoggerFactory>(), sp.GetService<IMeterFactory>()));
        builder.Services.AddSingleton<IEventStream, RedisEventStream>();
        builder.Services.AddSingleton<ILiveChannel, RedisLiveChannel>();
        builder.Services.AddSingleton<IKeyValueCache, RedisKeyValueCache>();
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>(ConnectionName, HealthStatus.Unhealthy, ["ready"]);
        return builder;
    }
}

internal sealed class RedisHealthCheck(RedisClient client, IKeyValueCache cache) : IHealthCheck
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!client.IsConnected && client.LastError is { } down)
        {
            // Known to be down: answer at once instead of letting the probe wait for a timeout.
            return HealthCheckResult.Unhealthy("Redis is not reachable: " + down);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(MaxWait);
        try
        {
            var roundTrip = await cache.PingAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {roundTrip.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            var why = client.LastError is { } last ? $"{ex.Message} (last error: {last})" : ex.Message;
            return HealthCheckResult.Unhealthy("Redis is not reachable: " + why, ex);
        }
    }
}
