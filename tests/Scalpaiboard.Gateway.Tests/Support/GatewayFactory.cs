using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Gateway.Tests.Support;

/// <summary>
/// The real Gateway on Kestrel (127.0.0.1, free port) against a real PostgreSQL database, with the given
/// settings (service addresses, limits), and the shared redis-server for live pub/sub.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public const string SigningKey = "test-signing-key-0123456789abcdef";

    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public GatewayFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _connectionString = connectionString;
        _settings = settings ?? new Dictionary<string, string?>();
        // A free loopback port through the URLs (ConfigureWebHost), not UseKestrel(0): that rewrites the server's
        // addresses after the app has started Kestrel, a race with Kestrel's bind that fails now and then.
        UseKestrel();
    }

    /// <summary>Publishes on the Gateway's own Redis connection (as Ingest or Alerts would).</summary>
    public LivePublisher Live => new(Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>());

    public sealed class LivePublisher(StackExchange.Redis.IConnectionMultiplexer redis)
    {
        public Task<long> PublishAsync(string channel, byte[] payload, CancellationToken cancellationToken) =>
            redis.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(channel), payload).WaitAsync(cancellationToken);
    }

    /// <summary>Creates a database and a Gateway on it.</summary>
    public static async Task<GatewayFactory> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? connectionString = null)
    {
        var factory = new GatewayFactory(connectionString ?? await Scalpaiboard.Testing.PostgresServer.Shared.CreateDatabaseAsync("gw"), settings);
        factory.StartServer();
        return factory;
    }

    public Uri BaseAddress
    {
        get
        {
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    public Uri WebSocketUri => new UriBuilder(BaseAddress) { Scheme = "ws", Path = "/ws" }.Uri;

    public string ConnectionString => _connectionString;

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseUrls("http://127.0.0.1:0");
        builder.UseSetting("ConnectionStrings:postgres", _connectionString);
        builder.UseSetting("ConnectionStrings:redis", Scalpaiboard.Testing.RedisServer.Shared.ConnectionString);
        builder.UseSetting("Identity:SigningKey", SigningKey);
        builder.UseSetting(TestKeyRing.ConfigurationKey, TestKeyRing.Certificate);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
    }
}
