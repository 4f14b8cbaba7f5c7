using System.Text;
using System.Threading.Channels;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

public sealed class RedisLiveChannelTests : IAsyncLifetime
{
    private readonly RedisClient _client = new(RedisServer.Shared.ConnectionString);
    private readonly string _prefix = "live:t" + Guid.NewGuid().ToString("N")[..8] + ":";

    private RedisLiveChannel Live => new(_client);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Subscribe_ReceivesPublishedPayloadBytes()
    {
        var received = Channel.CreateUnbounded<LiveMessage>();
        var channel = _prefix + "tickers";
        await using var subscription = await Live.SubscribeAsync(channel, false, m => received.Writer.WriteAsync(m), CancellationToken.None);

        var payload = """{"type":"tickers","ts":1}"""u8.ToArray();
        Assert.Equal(1, await Live.PublishAsync(channel, payload, CancellationToken.None));
        var message = await ReadAsync(received);
        Assert.Equal(channel, message.Channel);
        Assert.Equal(payload, message.Payload.ToArray());
    }

    [Fact]
    public async Task PatternSubscription_ReceivesEveryMatchingChannel_WithTheChannelName()
    {
        var received = Channel.CreateUnbounded<LiveMessage>();
        await using var subscription = await Live.SubscribeAsync(_prefix + "*", true, m => received.Writer.WriteAsync(m), CancellationToken.None);

        await Live.PublishAsync(_prefix + "signals", "s"u8.ToArray(), CancellationToken.None);
        await Live.PublishAsync(_prefix + "candles:BTCUSDT:1m", "c"u8.ToArray(), CancellationToken.None);
        await Live.PublishAsync("other:channel", "x"u8.ToArray(), CancellationToken.None);

        var first = await ReadAsync(received);
        var second = await ReadAsync(received);
        Assert.Equal((_prefix + "signals", "s"), (first.Channel, Encoding.UTF8.GetString(first.Payload.Span)));
        Assert.Equal((_prefix + "candles:BTCUSDT:1m", "c"), (second.Channel, Encoding.UTF8.GetString(second.Payload.Span)));
        await Live.PublishAsync(_prefix + "marker", "m"u8.ToArray(), CancellationToken.None);
        Assert.Equal(_prefix + "marker", (await ReadAsync(received)).Channel); // nothing from other:channel came in between
    }

    [Fact]
    public async Task TwoHandlersOnOneChannel_BothReceive_AndDisposingOneKeepsTheOther()
    {
        var a = Channel.CreateUnbounded<LiveMessage>();
        var b = Channel.CreateUnbounded<LiveMessage>();
        var channel = _prefix + "shared";
        var subA = await Live.SubscribeAsync(channel, false, m => a.Writer.WriteAsync(m), CancellationToken.None);
        await using var subB = await Live.SubscribeAsync(channel, false, m => b.Writer.WriteAsync(m), CancellationToken.None);

        await Live.PublishAsync(channel, "1"u8.ToArray(), CancellationToken.None);
        await ReadAsync(a);
        await ReadAsync(b);

        await subA.DisposeAsync();
        Assert.Equal(1, await Live.PublishAsync(channel, "2"u8.ToArray(), CancellationToken.None));
        Assert.Equal("2", Encoding.UTF8.GetString((await ReadAsync(b)).Payload.Span));
        Assert.False(a.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Dispose_Unsubscribes()
    {
        var channel = _prefix + "gone";
        var subscription = await Live.SubscribeAsync(channel, false, _ => ValueTask.CompletedTask, CancellationToken.None);
        Assert.Equal(1, await Live.PublishAsync(channel, "x"u8.ToArray(), CancellationToken.None));
        await subscription.DisposeAsync();
        await RedisCommandTests.WaitUntilAsync(async () => await Live.PublishAsync(channel, "x"u8.ToArray(), CancellationToken.None) == 0);
    }

    [Fact]
    public async Task ThrowingHandler_DoesNotStopDelivery()
    {
        var received = Channel.CreateUnbounded<LiveMessage>();
        var channel = _prefix + "faulty";
        var calls = 0;
        await using var subscription = await Live.SubscribeAsync(channel, false, async m =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("handler bug");
            }
            await received.Writer.WriteAsync(m);
        }, CancellationToken.None);
        await Live.PublishAsync(channel, "1"u8.ToArray(), CancellationToken.None);
        await Live.PublishAsync(channel, "2"u8.ToArray(), CancellationToken.None);
        Assert.Equal("2", Encoding.UTF8.GetString((await ReadAsync(received)).Payload.Span));
    }

    [Fact]
    public async Task ServerRestart_SubscriptionsAreRestored_OldHandlersReceive()
    {
        using var server = new RedisServer();
        await using var client = new RedisClient(server.ConnectionString);
        var live = new RedisLiveChannel(client);
        var direct = Channel.CreateUnbounded<LiveMessage>();
        var pattern = Channel.CreateUnbounded<LiveMessage>();
        await using var s1 = await live.SubscribeAsync("live:signals", false, m => direct.Writer.WriteAsync(m), CancellationToken.None);
        await using var s2 = await live.SubscribeAsync("live:*", true, m => pattern.Writer.WriteAsync(m), CancellationToken.None);

        server.Restart();

        // Both subscriptions are back once the server counts two receivers for the channel.
        await RedisCommandTests.WaitUntilAsync(async () =>
        {
            try
            {
                return await live.PublishAsync("live:signals", "after"u8.ToArray(), CancellationToken.None) == 2;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                return false;
            }
        }, timeoutMs: 20_000);
        Assert.Equal("after", await ReadLastAsync(direct));
        Assert.Equal("after", await ReadLastAsync(pattern));
    }

    [Fact]
    public async Task Batch_PublishesEveryFrameInOrder_AndTheConnectionStaysInStep()
    {
        var received = Channel.CreateUnbounded<LiveMessage>();
        await using var subscription = await Live.SubscribeAsync(_prefix + "*", true, m => received.Writer.WriteAsync(m), CancellationToken.None);
        var batch = Live.CreateBatch(4096);
        for (var i = 0; i < 300; i++)
        {
            batch.Add(_prefix + (i % 3), Encoding.UTF8.GetBytes($"frame {i}"));
        }
        Assert.Equal(300, batch.Count);
        await batch.SendAsync(CancellationToken.None);
        for (var i = 0; i < 300; i++)
        {
            var message = await ReadAsync(received);
            Assert.Equal(_prefix + (i % 3), message.Channel);
            Assert.Equal($"frame {i}", Encoding.UTF8.GetString(message.Payload.Span));
        }
        // The summarized EXEC reply consumed exactly its bytes: the next reply on the connection is the next command's.
        Assert.Equal(1, await Live.PublishAsync(_prefix + "after", "x"u8.ToArray(), CancellationToken.None));
    }

    [Fact]
    public async Task Batch_WhoseExecReplyHoldsAnError_Fails_NamingIt()
    {
        await using var fake = new FakeRedisServer(async (_, stream, ct) =>
        {
            await FakeRedisServer.WaitForCommandsAsync(stream, "EXEC", 1, ct);
            await stream.WriteAsync("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n:1\r\n-ERR refused frame\r\n:0\r\n"u8.ToArray(), ct);
            await FakeRedisServer.AnswerPingsAsync(stream, ct);
        });
        await using var client = new RedisClient(fake.ConnectionString());
        var batch = new RedisLiveChannel(client).CreateBatch(256);
        for (var i = 0; i < 3; i++)
        {
            batch.Add("live:x", "y"u8);
        }
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => batch.SendAsync(CancellationToken.None));
        Assert.Contains("ERR refused frame", ex.Message, StringComparison.Ordinal);
        await new RedisKeyValueCache(client).PingAsync(CancellationToken.None); // and the connection is still in step
    }

    private static async Task<LiveMessage> ReadAsync(Channel<LiveMessage> channel)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await channel.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Reads until the message that made the wait condition true (the last one published).</summary>
    private static async Task<string> ReadLastAsync(Channel<LiveMessage> channel)
    {
        var last = await ReadAsync(channel);
        while (channel.Reader.TryRead(out var more))
        {
            last = more;
        }
        return Encoding.UTF8.GetString(last.Payload.Span);
    }
}
