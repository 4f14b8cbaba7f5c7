using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class LiveFramesTests
{
    [Fact]
    public async Task Simulated_feed_publishes_tickers_forming_bars_and_watched_order_books()
    {
        using var redis = new RedisServer();
        await using var subscriber = await redis.ConnectAsync();
        var frames = new ConcurrentQueue<(DateTime At, string Channel, JsonElement Frame)>();
        (await subscriber.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Pattern("live:*"))).OnMessage(m =>
            frames.Enqueue((DateTime.UtcNow, m.Channel.ToString(), JsonDocument.Parse((byte[])m.Message!).RootElement.Clone())));
        await using var app = await StartSimulatedAsync("live", redis);
        await app.GetJsonAsync("/api/coins/BTCUSDT/orderbook");
        var watchFrom = DateTime.UtcNow;
        await Task.Delay(4000);
        var all = frames.ToArray();

        var tickers = all.Where(f => f.Channel == "live:tickers" && f.At >= watchFrom).ToArray();
        Assert.InRange(tickers.Length, 2, 6); // at most one batch a second
        Assert.All(tickers, t =>
        {
            Assert.Equal("tickers", t.Frame.GetProperty("type").GetString());
            Assert.Equal(3, t.Frame.GetProperty("data").GetArrayLength());
        });
        var forming = all.Where(f => f.Channel == "live:candles:BTCUSDT:1m" && !f.Frame.GetProperty("data").GetProperty("closed").GetBoolean()).ToArray();
        Assert.True(forming.Length >= 2, "forming 1m bars every second");
        Assert.Contains(all, f => f.Channel == "live:candles:ETHUSDT:1d");
        var books = all.Where(f => f.Channel == "live:orderbook:BTCUSDT").ToArray();
        Assert.True(books.Length >= 2, "a watched book is published every second");
        Assert.DoesNotContain(all, f => f.Channel == "live:orderbook:ETHUSDT");
        foreach (var (_, channel, frame) in all)
        {
            Assert.Equal(channel, "live:" + frame.GetProperty("channel").GetString());
            Assert.True(frame.GetProperty("ts").GetInt64() > 1_700_000_000_000);
        }
    }

    [Fact]
    public async Task Only_the_channels_someone_listens_to_are_published_and_a_pattern_listener_gets_everything()
    {
        using var redis = new RedisServer(); // its own: PUBLISH calls are counted server-wide
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServers()[0];
        await using var subscriber = await redis.ConnectAsync();
        var frames = new ConcurrentQueue<string>();
        (await subscriber.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal("live:candles:BTCUSDT:1m")))
            .OnMessage(m => frames.Enqueue(m.Channel.ToString()));
        await using var app = await StartSimulatedAsync("audience", redis);
        await Task.Delay(2000); // the audience is asked once a second

        var publishedBefore = await PublishCallsAsync(server);
        var receivedBefore = frames.Count;
        await Task.Delay(4000);
        var published = await PublishCallsAsync(server) - publishedBefore;
        var received = frames.Count - receivedBefore;
        Assert.True(received >= 3, $"the watched channel's forming bar every second, got {received}");
        // Every PUBLISH went to the one watched channel (a frame in flight at either edge of the window aside): no
        // tickers, metrics or other candles for no one. Three symbols publish about 25 frames a second otherwise.
        Assert.InRange(published, received - 2, received + 2);

        // A pattern listener (an older Gateway, a debugging PSUBSCRIBE): everything again.
        var all = new ConcurrentQueue<string>();
        (await subscriber.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Pattern("live:*")))
            .OnMessage(m => all.Enqueue(m.Channel.ToString()));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(all.Contains("live:tickers") && all.Contains("live:candles:ETHUSDT:1m")))
        {
            Assert.True(DateTime.UtcNow < deadline, "tickers and the other symbols' bars published again for a pattern listener");
            await Task.Delay(100);
        }
    }

    /// <summary>Ingest on the simulated feed (three symbols), its own database and <paramref name="redis"/>, running.</summary>
    private static async Task<IngestApp> StartSimulatedAsync(string database, RedisServer redis) =>
        await IngestApp.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = await PostgresServer.Shared.CreateDatabaseAsync(database),
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Ingest:Feed"] = "simulated",
            ["Ingest:Simulated:SymbolCount"] = "3",
        }, "running");

    private static async Task<long> PublishCallsAsync(StackExchange.Redis.IServer server)
    {
        var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g).FirstOrDefault(kv => kv.Key == "cmdstat_publish").Value;
        // calls=12,usec=...
        return stats is null ? 0 : long.Parse(stats.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_subscriber_to_a_symbols_order_book_keeps_it_published_without_asking_the_rest_endpoint()
    {
        using var redis = new RedisServer(); // its own: its subscriptions are the audience
        await using var subscriber = await redis.ConnectAsync();
        var books = new ConcurrentQueue<JsonElement>();
        (await subscriber.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal("live:orderbook:ETHUSDT")))
            .OnMessage(m => books.Enqueue(JsonDocument.Parse((byte[])m.Message!).RootElement.Clone()));
        await using var app = await StartSimulatedAsync("books", redis);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (books.Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the subscribed book every second, got {books.Count}");
            await Task.Delay(100);
        }
        Assert.All(books, b =>
        {
            Assert.Equal("orderbook", b.GetProperty("type").GetString());
            Assert.Equal("ETHUSDT", b.GetProperty("data").GetProperty("symbol").GetString());
        });
    }
}
