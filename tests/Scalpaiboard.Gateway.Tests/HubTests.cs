using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scalpaiboard.Gateway.Services.Hub;
using Scalpaiboard.Gateway.Tests.Support;

namespace Scalpaiboard.Gateway.Tests;

public sealed class HubFixture : IAsyncLifetime
{
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gateway = await GatewayFactory.StartAsync();
        await HubTests.WaitForFanoutAsync(Gateway);
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>The /ws hub against real Redis pub/sub: protocol, validation, fan-out, per-user alerts.</summary>
[Collection(nameof(SharedLiveChannels))]
public sealed class HubTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private GatewayFactory Gateway => fixture.Gateway;

    internal static async Task WaitForFanoutAsync(GatewayFactory gateway)
    {
        var fanout = gateway.Services.GetRequiredService<LiveFanout>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!fanout.IsSubscribed)
        {
            Assert.True(DateTime.UtcNow < deadline, "the Gateway did not subscribe to live:* in time");
            await Task.Delay(20);
        }
    }

    internal static string Frame(string channel, object data, string? type = null) =>
        JsonSerializer.Serialize(new { type = type ?? channel.Split(':')[0], channel, ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), data });

    internal static Task PublishAsync(GatewayFactory gateway, string liveChannel, string frame) =>
        gateway.Live.PublishAsync(liveChannel, Encoding.UTF8.GetBytes(frame), CancellationToken.None);

    [Fact]
    public async Task Subscribed_client_receives_the_published_frame_byte_for_byte()
    {
        await using var ws = await WsClient.ConnectAsync(Gateway);
        var ack = await ws.SubscribeAsync("tickers", "candles:btcusdt:1m");
        Assert.Equal("subscribed", ack.GetProperty("type").GetString());
        Assert.Equal(["tickers", "candles:BTCUSDT:1m"], ack.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));

        var other = Frame("candles:ETHUSDT:1m", new { close = 1 });
        var mine = Frame("candles:BTCUSDT:1m", new { close = 65000.5, openTime = 1 });
        await PublishAsync(Gateway, "live:candles:ETHUSDT:1m", other);
        await PublishAsync(Gateway, "live:candles:BTCUSDT:1m", mine);
        Assert.Equal(mine, await ws.ReceiveTextAsync());

        var ticker = Frame("tickers", new[] { new { symbol = "BTCUSDT", price = 1 } });
        await PublishAsync(Gateway, "live:tickers", ticker);
        Assert.Equal(ticker, await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Every_subscriber_gets_the_frame_and_unsubscribed_ones_do_not()
    {
        var clients = new List<WsClient>();
        for (var i = 0; i < 20; i++)
        {
            var c = await WsClient.ConnectAsync(Gateway);
            await c.SubscribeAsync("signals");
            clients.Add(c);
        }
        var leaving = clients[0];
        await leaving.SendAsync(new { type = "unsubscribe", channels = new[] { "signals" } });
        Assert.Equal("unsubscribed", (await leaving.ReceiveJsonAsync()).GetProperty("type").GetString());
        await leaving.SubscribeAsync("metrics:SOLUSDT");

        var signal = Frame("signals", new { id = 42, symbol = "BTCUSDT", type = "futures_big_pump" });
        await PublishAsync(Gateway, "live:signals", signal);
        foreach (var c in clients.Skip(1))
        {
            Assert.Equal(signal, await c.ReceiveTextAsync());
        }
        var metrics = Frame("metrics:SOLUSDT", new { price = 1 });
        await PublishAsync(Gateway, "live:metrics:SOLUSDT", metrics);
        // The next thing the unsubscribed client sees is the metrics frame, not the signal.
        Assert.Equal(metrics, await leaving.ReceiveTextAsync());
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("candles:BTCUSDT:2m")]
    [InlineData("candles:BTCUSDT")]
    [InlineData("orderbook:BTC/USDT")]
    [InlineData("metrics:")]
    public async Task Unknown_channel_is_an_error_naming_it_and_the_connection_stays_usable(string channel)
    {
        await using var ws = await WsClient.ConnectAsync(Gateway);
        await ws.SendAsync(new { type = "subscribe", channels = new[] { channel } });
        var error = await ws.ReceiveJsonAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Contains($"'{channel}'", error.GetProperty("message").GetString());
        Assert.Equal("subscribed", (await ws.SubscribeAsync("orderbook:BTCUSDT")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Bad_json_binary_and_oversized_messages_get_errors_and_the_connection_stays_usable()
    {
        await using var ws = await WsClient.ConnectAsync(Gateway);
        await ws.SendTextAsync("{not json");
        Assert.Contains("invalid JSON", (await ws.ReceiveJsonAsync()).GetProperty("message").GetString());

        await ws.SendTextAsync("[1,2,3]");
        Assert.Equal("error", (await ws.ReceiveJsonAsync()).GetProperty("type").GetString());

        await ws.SendAsync(new { type = "dance" });
        Assert.Contains("dance", (await ws.ReceiveJsonAsync()).GetProperty("message").GetString());

        await ws.SendAsync(new { type = "subscribe", channels = "tickers" });
        Assert.Contains("array", (await ws.ReceiveJsonAsync()).GetProperty("message").GetString());

        await ws.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Contains("binary", (await ws.ReceiveJsonAsync()).GetProperty("message").GetString());

        var huge = "{\"type\":\"subscribe\",\"channels\":[\"" + new string('x', 40_000) + "\"]}";
        await ws.SendTextAsync(huge);
        Assert.Contains("too large", (await ws.ReceiveJsonAsync()).GetProperty("message").GetString());

        // Sent in fragments, a large message is still refused as a whole.
        var bytes = Encoding.UTF8.GetBytes(huge);
        for (var i = 0; i < bytes.Length; i += 5000)
        {
            var n = Math.Min(5000, bytes.Length - i);
            await ws.Socket.SendAsync(bytes.AsMemory(i, n), WebSocketMessageType.Text, i + n == bytes.Length, CancellationToken.None);
        }
        Assert.Contains("too large", (await ws.ReceiveJsonAsync()).GetProperty("message").GetString());

        Assert.Equal("subscribed", (await ws.SubscribeAsync("signals")).GetProperty("type").GetString());
        var signal = Frame("signals", new { id = 7 });
        await PublishAsync(Gateway, "live:signals", signal);
        Assert.Equal(signal, await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Alerts_need_auth_and_go_only_to_their_owner()
    {
        using var http = Gateway.CreateHttpClient();
        var (userA, tokenA) = await LoginAsync(http);
        var (userB, tokenB) = await LoginAsync(http);

        await using var anonymous = await WsClient.ConnectAsync(Gateway);
        await anonymous.SendAsync(new { type = "subscribe", channels = new[] { "alerts" } });
        Assert.Contains("auth", (await anonymous.ReceiveJsonAsync()).GetProperty("message").GetString());
        await anonymous.SendAsync(new { type = "auth", token = "forged" });
        Assert.Equal("error", (await anonymous.ReceiveJsonAsync()).GetProperty("type").GetString());
        await anonymous.SubscribeAsync("signals");

        await using var a = await WsClient.ConnectAsync(Gateway);
        await a.SendAsync(new { type = "auth", token = tokenA });
        var authenticated = await a.ReceiveJsonAsync();
        Assert.Equal("authenticated", authenticated.GetProperty("type").GetString());
        Assert.Equal(userA, authenticated.GetProperty("userId").GetString());
        Assert.Equal("subscribed", (await a.SubscribeAsync("alerts")).GetProperty("type").GetString());

        await using var b = await WsClient.ConnectAsync(Gateway);
        await b.SendAsync(new { type = "auth", token = tokenB });
        await b.ReceiveJsonAsync();
        await b.SubscribeAsync("alerts");

        var forA = Frame("alerts", new { alertId = 1, symbol = "BTCUSDT" });
        await PublishAsync(Gateway, "live:alerts:" + userA, forA);
        var forB = Frame("alerts", new { alertId = 2, symbol = "ETHUSDT" });
        await PublishAsync(Gateway, "live:alerts:" + userB, forB);
        var everyone = Frame("signals", new { id = 99 });
        await PublishAsync(Gateway, "live:signals", everyone);

        Assert.Equal(forA, await a.ReceiveTextAsync());
        Assert.Equal(forB, await b.ReceiveTextAsync());
        // The anonymous client's next frame is the public signal: it saw neither user's alert.
        Assert.Equal(everyone, await anonymous.ReceiveTextAsync());
    }

    [Fact]
    public async Task Non_websocket_request_to_ws_is_a_400_problem()
    {
        using var http = Gateway.CreateHttpClient();
        var response = await http.GetAsync("/ws");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<(string UserId, string Token)> LoginAsync(HttpClient http)
    {
        var email = $"ws-{Guid.NewGuid():N}@example.com";
        var created = await (await http.PostAsJsonAsync("/api/auth/register", new { email, password = "Good-pass-123" })).Content.ReadFromJsonAsync<JsonElement>();
        var login = await (await http.PostAsJsonAsync("/api/auth/login", new { email, password = "Good-pass-123" })).Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetString()!, login.GetProperty("accessToken").GetString()!);
    }
}
