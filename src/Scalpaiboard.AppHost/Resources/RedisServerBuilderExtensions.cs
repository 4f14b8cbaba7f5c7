using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Scalpaiboard.AppHost.Hosting;

namespace Aspire.Hosting;

public static class RedisServerBuilderExtensions
{
    /// <summary>
    /// The <paramref name="name"/> Redis server: the one <c>ConnectionStrings__{name}</c> names when it is given, otherwise
    /// Debian's redis-server with its append-only file in <paramref name="data"/>'s folder and a password generated on
    /// the first run (in its configuration file, mode 600, never on the command line).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder,
        string name, DataFolder data)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)))
        {
            return builder.AddConnectionString(name);
        }
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new DistributedApplicationException("redis-server is missing: apt-get install redis-server (./run.sh does).");
        var password = builder.AddParameter($"{name}-password", () => data.Secret("redis-password"), secret: true);
        var server = new RedisServerResource(name, binary, data.Redis, password.Resource);
        var configFile = Path.Combine(data.Redis, "redis.conf");

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The {name} connection string is not available yet."),
            name: healthCheck);
        builder.Services.WaitForServerInHealthCheck(healthCheck, () => server.PrimaryEndpoint.Port);

        return builder.AddResource(server)
            .WithEndpoint(name: RedisServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .OnBeforeResourceStarted(async (redis, _, ct) =>
            {
                Directory.CreateDirectory(redis.DataDirectory);
                var secret = await redis.Password.GetValueAsync(ct);
                await File.WriteAllTextAsync(configFile, string.Create(CultureInfo.InvariantCulture, $"""
                    # Written by the Scalpaiboard AppHost on every start.
                    bind 127.0.0.1
                    protected-mode yes
                    requirepass {secret}
                    save ""
                    appendonly yes
                    appendfsync everysec
                    daemonize no
                    dir {redis.DataDirectory}

                    """), ct);
                File.SetUnixFileMode(configFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            })
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheck)
            .WithIconName("Database");
    }
}
