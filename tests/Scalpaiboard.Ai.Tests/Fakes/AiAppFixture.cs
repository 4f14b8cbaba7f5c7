using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Identity;
using Scalpaiboard.Infrastructure.Net;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ai.Tests.Fakes;

/// <summary>
/// The Ai service on Kestrel (127.0.0.1, port 0) with a fresh PostgreSQL database, the stand-in Ingest/Alerts
/// services and the fake OpenAI-compatible provider as the operator's default (<c>Ai:Provider=custom</c>).
/// Tests share it and isolate themselves with their own user ids. Users' provider entries point at the fake on
/// 127.0.0.1 too, so this fixture runs as a single-user install (<c>Security:AllowPrivateNetworks=true</c>);
/// <see cref="StrictAiAppFixture"/> is the default, with a resolver that puts <c>evil.example</c> on 127.0.0.1.
/// </summary>
public class AiAppFixture : IAsyncLifetime
{
    private readonly bool _allowPrivateNetworks;
    private readonly HostAddressResolver? _resolver;

    public AiAppFixture()
        : this(allowPrivateNetworks: true, resolver: null)
    {
    }

    protected AiAppFixture(bool allowPrivateNetworks, HostAddressResolver? resolver)
    {
        _allowPrivateNetworks = allowPrivateNetworks;
        _resolver = resolver;
    }

    public const string SigningKey = "ai-tests-signing-key-0123456789";
    public const string OperatorKey = "sk-operator-test-key-0001";

    private WebApplicationFactory<Program>? _factory;

    public FakeLlmServer Llm { get; private set; } = null!;

    public FakeMarketServices Market { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        Llm = await FakeLlmServer.StartAsync();
        Market = await FakeMarketServices.StartAsync(SigningKey);
        ConnectionString = await PostgresServer.Shared.CreateDatabaseAsync("ai");
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:postgres"] = ConnectionString,
            ["Identity:SigningKey"] = SigningKey,
            [TestKeyRing.ConfigurationKey] = TestKeyRing.Certificate,
            ["services:ingest:http:0"] = Market.BaseUrl,
            ["services:alerts:http:0"] = Market.BaseUrl,
            ["Ai:Provider"] = "custom",
            ["Ai:BaseUrl"] = Llm.BaseUrl,
            ["Ai:ApiKey"] = OperatorKey,
            ["Ai:Model"] = "fake-model",
            ["Ai:RequestTimeoutSeconds"] = "3",
            ["Ai:ProviderMaxRetries"] = "0",
            ["Ai:InputPricePer1M"] = "2",
            ["Ai:OutputPricePer1M"] = "8",
            ["Security:AllowPrivateNetworks"] = _allowPrivateNetworks ? "true" : "false",
        };
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (k, v) in settings)
            {
                b.UseSetting(k, v);
            }
            b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            if (_resolver is { } resolver)
            {
                b.ConfigureTestServices(services => services.AddSingleton(resolver));
            }
            // A free port on loopback through the URLs: UseKestrel(0) does not reach the host built by
            // WithWebHostBuilder (Kestrel's default localhost:5000 is taken whenever the system is running), and it
            // rewrites the server's addresses after the app has started Kestrel, a race that fails now and then.
            b.UseUrls("http://127.0.0.1:0");
        });
        _factory.UseKestrel();
        _factory.StartServer();
        BaseAddress = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        await Task.CompletedTask;
    }

    /// <summary>A client that calls the Ai service as the Gateway does for <paramref name="user"/> (signed headers).</summary>
    public HttpClient ClientFor(string user) =>
        new(new SignedUserHandler(new UserContextSigner(SigningKey), user) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = BaseAddress };

    public HttpClient AnonymousClient() => new() { BaseAddress = BaseAddress };

    /// <summary>The Ai service's real address on 127.0.0.1.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Llm.DisposeAsync();
        await Market.DisposeAsync();
    }

    private sealed class SignedUserHandler(UserContextSigner signer, string user) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await signer.SignAsync(request, user, cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AiAppCollection : ICollectionFixture<AiAppFixture>
{
    public const string Name = "ai app";
}

/// <summary>
/// The Ai service with the default <c>Security:AllowPrivateNetworks=false</c>; its resolver maps <see cref="EvilHost"/>
/// to 127.0.0.1, where the fake provider listens (the operator's default provider stays on 127.0.0.1, trusted).
/// </summary>
public sealed class StrictAiAppFixture() : AiAppFixture(allowPrivateNetworks: false, resolver: Rigged)
{
    public const string EvilHost = "evil.example";

    private static Task<System.Net.IPAddress[]> Rigged(string host, CancellationToken cancellationToken) =>
        string.Equals(host, EvilHost, StringComparison.OrdinalIgnoreCase)
            ? Task.FromResult(new[] { System.Net.IPAddress.Loopback })
            : Task.FromException<System.Net.IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));

    /// <summary>The fake provider's base URL with <see cref="EvilHost"/> in place of 127.0.0.1.</summary>
    public string EvilBaseUrl => Llm.BaseUrl.Replace("127.0.0.1", EvilHost, StringComparison.Ordinal);
}

/// <summary>Reads the chat's server-sent events as they arrive.</summary>
public static class Sse
{
    public static async Task<List<JsonObject>> ChatAsync(HttpClient client, object body, Func<JsonObject, Task>? onEvent = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ai/chat") { Content = JsonContent.Create(body) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<JsonObject>();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }
            var e = (JsonObject)JsonNode.Parse(line["data: ".Length..])!;
            events.Add(e);
            if (onEvent is not null)
            {
                await onEvent(e);
            }
        }
        return events;
    }

    public static string Text(IEnumerable<JsonObject> events) =>
        string.Concat(events.Where(e => Type(e) == "content").Select(e => e["content"]!.ToString()));

    public static string Type(JsonObject e) => e["type"]!.ToString();

    public static JsonObject Single(IEnumerable<JsonObject> events, string type) => Assert.Single(events, e => Type(e) == type);
}
