using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Net;

namespace Scalpaiboard.Infrastructure.Tests.Net;

/// <summary>The guarded and the trusted client over real sockets, with a resolver that maps test names to addresses.</summary>
public sealed class OutboundHttpClientTests
{
    private const string User = "user-target";
    private const string Operator = "operator-target";

    private static ServiceProvider Services(bool allowPrivateNetworks, IReadOnlyDictionary<string, IPAddress[]> names,
        Action<IServiceCollection>? before = null, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Security:AllowPrivateNetworks", allowPrivateNetworks ? "true" : "false")]).Build());
        before?.Invoke(services);
        services.AddSingleton<HostAddressResolver>((host, _) =>
            Task.FromResult(names.TryGetValue(host, out var a) ? a : throw new HttpRequestException($"unknown test name {host}")));
        services.AddUserTargetHttpClient(User);
        services.AddOperatorTargetHttpClient(Operator);
        return services.BuildServiceProvider();
    }

    private static readonly Dictionary<string, IPAddress[]> EvilIsLoopback = new() { ["evil.example"] = [IPAddress.Loopback] };

    /// <summary>A loopback server and one named client of a fresh container.</summary>
    private sealed class Target(LoopbackHttpServer server, ServiceProvider services, string client) : IAsyncDisposable
    {
        public LoopbackHttpServer Server => server;
        public HttpClient Http { get; } = services.GetRequiredService<IHttpClientFactory>().CreateClient(client);

        public static async Task<Target> StartAsync(bool allowPrivateNetworks, IReadOnlyDictionary<string, IPAddress[]> names, string client = User) =>
            new(await LoopbackHttpServer.StartAsync(), Services(allowPrivateNetworks, names), client);

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_before_connecting()
    {
        await using var target = await Target.StartAsync(false, EvilIsLoopback);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => target.Http.GetAsync(new Uri($"http://evil.example:{target.Server.Port}/x")));
        Assert.NotNull(OutboundRequestRefusedException.FindIn(ex));
        Assert.Contains("Refused to connect to 'evil.example'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
        Assert.Empty(target.Server.Requests);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("0x7f000001")]
    [InlineData("0177.0.0.1")]
    [InlineData("127.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task A_literal_loopback_address_in_any_spelling_is_refused(string host)
    {
        await using var target = await Target.StartAsync(false, new Dictionary<string, IPAddress[]>());

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => target.Http.GetAsync(new Uri($"http://{host}:{target.Server.Port}/")));
        Assert.NotNull(OutboundRequestRefusedException.FindIn(ex));
        Assert.Empty(target.Server.Requests);
    }

    [Fact]
    public async Task Only_allowed_addresses_of_a_name_are_connected_to()
    {
        // metadata first: a client that tried addresses in order would reach it; the guard skips it
        var names = new Dictionary<string, IPAddress[]> { ["mixed.example"] = [IPAddress.Parse("169.254.169.254"), IPAddress.Loopback] };
        await using var target = await Target.StartAsync(true, names);

        using var response = await target.Http.GetAsync(new Uri($"http://mixed.example:{target.Server.Port}/ok"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["/ok"], target.Server.Requests);
    }

    [Fact]
    public async Task With_AllowPrivateNetworks_the_same_name_goes_through()
    {
        await using var target = await Target.StartAsync(true, EvilIsLoopback);

        using var response = await target.Http.GetAsync(new Uri($"http://evil.example:{target.Server.Port}/in"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["/in"], target.Server.Requests);
    }

    [Fact]
    public async Task A_redirect_is_returned_not_followed()
    {
        await using var target = await Target.StartAsync(true, EvilIsLoopback);
        await using var second = await LoopbackHttpServer.StartAsync();
        target.Server.Respond = _ => (302, $"http://127.0.0.1:{second.Port}/internal");

        using var response = await target.Http.GetAsync(new Uri($"http://evil.example:{target.Server.Port}/start"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(["/start"], target.Server.Requests);
        Assert.Empty(second.Requests);
    }

    [Fact]
    public async Task The_operator_client_reaches_loopback()
    {
        await using var target = await Target.StartAsync(false, EvilIsLoopback, Operator);

        using var response = await target.Http.GetAsync(new Uri($"http://127.0.0.1:{target.Server.Port}/operator"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["/operator"], target.Server.Requests);
    }

    [Fact]
    public async Task Handlers_that_defaults_add_to_every_client_are_not_on_the_target_clients()
    {
        await using var server = await LoopbackHttpServer.StartAsync();
        var passed = 0;
        await using var sp = Services(true, EvilIsLoopback, services => services.ConfigureHttpClientDefaults(
            h => h.AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref passed)))));
        var clients = sp.GetRequiredService<IHttpClientFactory>();

        using (await clients.CreateClient(User).GetAsync(new Uri($"http://evil.example:{server.Port}/a")))
        using (await clients.CreateClient(Operator).GetAsync(new Uri($"http://127.0.0.1:{server.Port}/b")))
        using (await clients.CreateClient("other").GetAsync(new Uri($"http://127.0.0.1:{server.Port}/c")))
        {
        }
        Assert.Equal(1, passed); // only the ordinary client went through the default handler
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Neither_client_logs_the_url_a_bot_token_travels_in()
    {
        const string token = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
        await using var server = await LoopbackHttpServer.StartAsync();
        var logs = new RecordingLoggerProvider();
        await using var sp = Services(true, EvilIsLoopback, logs: logs);
        var clients = sp.GetRequiredService<IHttpClientFactory>();

        using (await clients.CreateClient(User).GetAsync(new Uri($"http://evil.example:{server.Port}/bot{token}/sendMessage")))
        using (await clients.CreateClient(Operator).GetAsync(new Uri($"http://127.0.0.1:{server.Port}/bot{token}/sendMessage")))
        using (await clients.CreateClient("other").GetAsync(new Uri($"http://127.0.0.1:{server.Port}/bot{token}/sendMessage")))
        {
        }
        Assert.Equal(3, server.Requests.Count);
        // an ordinary client logs its URLs (so this test would see a leak); the two target clients log none
        Assert.Contains(logs.Messages, m => m.Contains(token, StringComparison.Ordinal) && m.StartsWith("System.Net.Http.HttpClient.other.", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(token, StringComparison.Ordinal) && !m.StartsWith("System.Net.Http.HttpClient.other.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_AllowPrivateNetworks_value_stops_the_start_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Security:AllowPrivateNetworks", "sometimes")]);
        builder.Services.AddOutboundAddressPolicy();
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Security:AllowPrivateNetworks", ex.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider, ILogger
    {
        private string _category = "";

        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new RecordingLoggerProvider { _category = categoryName, Sink = Messages };

        private System.Collections.Concurrent.ConcurrentQueue<string>? Sink { get; init; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            (Sink ?? Messages).Enqueue($"{_category}: {formatter(state, exception)}");

        public void Dispose()
        {
        }
    }

    private sealed class CountingHandler(Action onSend) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
