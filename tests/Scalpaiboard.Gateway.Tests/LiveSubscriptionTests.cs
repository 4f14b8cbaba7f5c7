using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Scalpaiboard.Gateway.Services.Hub;
using Scalpaiboard.Gateway.Tests.Support;
using Scalpaiboard.Testing;
using StackExchange.Redis;

namespace Scalpaiboard.Gateway.Tests;

/// <summary>
/// The Gateway subscribes in Redis to the live channels its WebSocket clients listen to, and to nothing else: the
/// frames of symbols nobody watches never reach it. Each test has its own Redis server, so PUBLISH's receiver count
/// is this Gateway's subscription alone.
/// </summary>
public sealed class LiveSubscriptionTests
{
    [Fact]
    public async Task Only_the_channels_clients_listen_to_are_subscribed_and_an_idle_one_is_dropped_after_the_grace_time()
    {
        using var redis = new RedisServer();
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Gateway:WebSocket:UnsubscribeAfter"] = "00:00:00.5",
        });
        await HubTests.WaitForFanoutAsync(gateway);
        await using var publisher = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var pub = publisher.GetSubscriber();
        Assert.Equal(0, await pub.PublishAsync(RedisChannel.Literal("live:tickers"), "{}"));

        await using (var ws = await WsClient.ConnectAsync(gateway))
        {
            // "subscribed" comes once Redis has the subscription: a frame published right after it is delivered.
            await ws.SubscribeAsync("candles:BTCUSDT:1m", "tickers");
            var candle = HubTests.Frame("candles:BTCUSDT:1m", new { close = 1 });
            Assert.Equal(1, await pub.PublishAsync(RedisChannel.Literal("live:candles:BTCUSDT:1m"), Encoding.UTF8.GetBytes(candle)));
            Assert.Equal(candle, await ws.ReceiveTextAsync());

            var channels = (await publisher.GetServers()[0].SubscriptionChannelsAsync(RedisChannel.Pattern("live:*"))).Select(c => c.ToString()).Order();
            Assert.Equal(["live:candles:BTCUSDT:1m", "live:tickers"], channels);
            Assert.Equal(0, await publisher.GetServers()[0].SubscriptionPatternCountAsync());
            // A symbol nobody watches: Redis has no one to give it to.
            Assert.Equal(0, await pub.PublishAsync(RedisChannel.Literal("live:candles:ETHUSDT:1m"), "{}"));
        }

        // The last client left: after the grace time the Gateway unsubscribes.
        await WaitUntilAsync(async () => await pub.PublishAsync(RedisChannel.Literal("live:candles:BTCUSDT:1m"), "{}") == 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, gateway.Services.GetRequiredService<LiveFanout>().SubscribedChannels);

        // And a client that comes back later is subscribed again.
        await using var again = await WsClient.ConnectAsync(gateway);
        await again.SubscribeAsync("candles:BTCUSDT:1m");
        var next = HubTests.Frame("candles:BTCUSDT:1m", new { close = 2 });
        Assert.Equal(1, await pub.PublishAsync(RedisChannel.Literal("live:candles:BTCUSDT:1m"), Encoding.UTF8.GetBytes(next)));
        Assert.Equal(next, await again.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_client_that_subscribes_while_redis_is_down_gets_its_frames_once_redis_is_back()
    {
        using var redis = new RedisServer();
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString });
        await HubTests.WaitForFanoutAsync(gateway);
        await using var ws = await WsClient.ConnectAsync(gateway);

        redis.Stop();
        var fanout = gateway.Services.GetRequiredService<LiveFanout>();
        await WaitUntilAsync(() => Task.FromResult(!fanout.IsSubscribed), TimeSpan.FromSeconds(20));
        // Answered (within the 2 s the hub waits for Redis) although nothing could be subscribed yet.
        var ack = await ws.SubscribeAsync("signals");
        Assert.Equal("subscribed", ack.GetProperty("type").GetString());

        redis.Start();
        await WaitUntilAsync(() => Task.FromResult(fanout.IsSubscribed), TimeSpan.FromSeconds(60));
        await using var publisher = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var signal = HubTests.Frame("signals", new { id = 7, symbol = "BTCUSDT" });
        // The attempts made while Redis was down failed (they are retried in the background); each frame arrives once.
        Assert.Equal(1, await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("live:signals"), Encoding.UTF8.GetBytes(signal)));
        Assert.Equal(signal, await ws.ReceiveTextAsync());
        var second = HubTests.Frame("signals", new { id = 8, symbol = "ETHUSDT" });
        await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("live:signals"), Encoding.UTF8.GetBytes(second));
        Assert.Equal(second, await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Beyond_the_gateways_channel_limit_a_new_channel_is_refused_and_the_others_keep_flowing()
    {
        using var redis = new RedisServer();
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Gateway:WebSocket:MaxLiveChannels"] = "2",
        });
        await HubTests.WaitForFanoutAsync(gateway);
        await using var first = await WsClient.ConnectAsync(gateway);
        await first.SubscribeAsync("tickers", "candles:BTCUSDT:1m");
        await using var second = await WsClient.ConnectAsync(gateway);

        // Channels the Gateway already listens to are fine; an invented symbol beyond the limit is not.
        await second.SendAsync(new { type = "subscribe", channels = new[] { "candles:BTCUSDT:1m", "candles:NOSUCHCOINUSDT:1m" } });
        var error = await second.ReceiveJsonAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Contains("Gateway__WebSocket__MaxLiveChannels", error.GetProperty("message").GetString());
        Assert.Contains("candles:NOSUCHCOINUSDT:1m", error.GetProperty("message").GetString());
        var ack = await second.ReceiveJsonAsync();
        Assert.Equal(["candles:BTCUSDT:1m"], ack.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));

        await using var publisher = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.Equal(0, await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("live:candles:NOSUCHCOINUSDT:1m"), "{}"));
        var candle = HubTests.Frame("candles:BTCUSDT:1m", new { close = 3 });
        await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("live:candles:BTCUSDT:1m"), Encoding.UTF8.GetBytes(candle));
        Assert.Equal(candle, await first.ReceiveTextAsync());
        Assert.Equal(candle, await second.ReceiveTextAsync());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(100);
        }
    }
}
