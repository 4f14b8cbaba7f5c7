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
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("live");
        using var redis = new RedisServer();
        await using var subscriber = await redis.ConnectAsync();
        var frames = new ConcurrentQueue<(DateTime At, string Channel, JsonElement Frame)>();
        (await subscriber.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Pattern("live:*"))).OnMessage(m =>
            frames.Enqueue((DateTime.UtcNow, m.Channel.ToString(), JsonDocument.Parse((byte[])m.Message!).RootElement.Clone())));
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Ingest:Feed"] = "simulated",
            ["Ingest:Simulated:SymbolCount"] = "3",
        });
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
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
}
