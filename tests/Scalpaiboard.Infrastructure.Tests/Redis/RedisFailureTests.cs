using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

public sealed class RedisFailureTests
{
    [Fact]
    public async Task MalformedReply_FailsEveryPendingCall_ThenReconnects()
    {
        await using var fake = new FakeRedisServer(async (connection, stream, ct) =>
        {
            if (connection == 1)
            {
                await FakeRedisServer.WaitForCommandsAsync(stream, "PING", 5, ct);
                await stream.WriteAsync("garbage that is not RESP\r\n"u8.ToArray(), ct);
                await Task.Delay(Timeout.Infinite, ct);
            }
            await FakeRedisServer.AnswerPingsAsync(stream, ct);
        });
        await using var client = new RedisClient(fake.ConnectionString(syncTimeoutMs: 10_000));
        var cache = new RedisKeyValueCache(client);

        var pings = Enumerable.Range(0, 5).Select(_ => cache.PingAsync(CancellationToken.None)).ToArray();
        foreach (var ping in pings)
        {
            var ex = await Assert.ThrowsAsync<RedisProtocolException>(() => ping);
            Assert.Contains("0x67 ('g')", ex.Message, StringComparison.Ordinal);
        }

        // The client drops the poisoned connection and opens a new one on its own.
        await cache.PingAsync(CancellationToken.None);
        Assert.Equal(2, fake.Connections);
    }

    [Fact]
    public async Task MalformedBulkLength_FailsPendingCall()
    {
        await using var fake = new FakeRedisServer(async (connection, stream, ct) =>
        {
            await FakeRedisServer.WaitForCommandsAsync(stream, "PING", 1, ct);
            await stream.WriteAsync("$abc\r\n"u8.ToArray(), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = new RedisClient(fake.ConnectionString(syncTimeoutMs: 10_000));
        var ex = await Assert.ThrowsAsync<RedisProtocolException>(() => new RedisKeyValueCache(client).PingAsync(CancellationToken.None));
        Assert.Contains("bulk length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerClosesSocket_FailsEveryPendingCall_ThenReconnects()
    {
        await using var fake = new FakeRedisServer(async (connection, stream, ct) =>
        {
            if (connection == 1)
            {
                await FakeRedisServer.WaitForCommandsAsync(stream, "PING", 3, ct);
                stream.Socket.Close(); // closed with replies owed
                return;
            }
            await FakeRedisServer.AnswerPingsAsync(stream, ct);
        });
        await using var client = new RedisClient(fake.ConnectionString(syncTimeoutMs: 10_000));
        var cache = new RedisKeyValueCache(client);

        var pings = Enumerable.Range(0, 3).Select(_ => cache.PingAsync(CancellationToken.None)).ToArray();
        foreach (var ping in pings)
        {
            var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => ping);
            Assert.Contains("closed", ex.Message, StringComparison.Ordinal);
        }
        await cache.PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ServerCutsReplyInHalf_FailsPendingCall()
    {
        await using var fake = new FakeRedisServer(async (connection, stream, ct) =>
        {
            await FakeRedisServer.WaitForCommandsAsync(stream, "PING", 1, ct);
            await stream.WriteAsync("$10\r\nhal"u8.ToArray(), ct);
            stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = new RedisClient(fake.ConnectionString(syncTimeoutMs: 10_000));
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => new RedisKeyValueCache(client).PingAsync(CancellationToken.None));
        Assert.Contains("middle of a reply", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentServer_CommandTimesOut()
    {
        await using var fake = new FakeRedisServer((_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        await using var client = new RedisClient(fake.ConnectionString(syncTimeoutMs: 300));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => new RedisKeyValueCache(client).GetAsync("k", CancellationToken.None));
        Assert.Contains("GET timed out after 300 ms", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerStopsAnswering_ConnectionIsReplaced()
    {
        await using var fake = new FakeRedisServer(async (connection, stream, ct) =>
        {
            if (connection == 1)
            {
                await Task.Delay(Timeout.Infinite, ct); // accepts commands, never answers (a hung server or half-open socket)
            }
            await FakeRedisServer.AnswerPingsAsync(stream, ct);
        });
        await using var client = new RedisClient(fake.ConnectionString(syncTimeoutMs: 300));
        var cache = new RedisKeyValueCache(client);
        await Assert.ThrowsAsync<TimeoutException>(() => cache.PingAsync(CancellationToken.None));

        // The unanswered PING outlives twice the command timeout: the watchdog drops the connection and a new one answers.
        await RedisCommandTests.WaitUntilAsync(() => Task.FromResult(fake.Connections >= 2));
        await RedisCommandTests.WaitUntilAsync(async () =>
        {
            try
            {
                await cache.PingAsync(CancellationToken.None);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        });
    }

    [Fact]
    public async Task NoServer_CommandTimesOut_NamingTheConnectError()
    {
        var port = ServerProcess.FreePort();
        await using var client = new RedisClient($"127.0.0.1:{port},syncTimeout=500");
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => new RedisKeyValueCache(client).PingAsync(CancellationToken.None));
        Assert.Contains("disconnected", ex.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Password_AuthenticatesOnConnect()
    {
        using var server = new RedisServer(password: "pa55-word");
        await using var client = new RedisClient(server.ConnectionString);
        var cache = new RedisKeyValueCache(client);
        await cache.SetAsync("k", "v", null, false, CancellationToken.None);
        Assert.Equal("v", await cache.GetAsync("k", CancellationToken.None));
    }

    [Fact]
    public async Task UrlConnectionString_WithPasswordAndDatabase_Works()
    {
        using var server = new RedisServer(password: "url-pass");
        await using var db2 = new RedisClient($"redis://:url-pass@localhost:{server.Port}/2");
        await using var db0 = new RedisClient(server.ConnectionString);
        await new RedisKeyValueCache(db2).SetAsync("where", "db2", null, false, CancellationToken.None);
        Assert.Equal("db2", await new RedisKeyValueCache(db2).GetAsync("where", CancellationToken.None));
        Assert.Null(await new RedisKeyValueCache(db0).GetAsync("where", CancellationToken.None));
    }

    [Fact]
    public async Task WrongPassword_CommandsFailWithTheServersReason()
    {
        using var server = new RedisServer(password: "right");
        await using var client = new RedisClient($"127.0.0.1:{server.Port},password=wrong,syncTimeout=1000");
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => new RedisKeyValueCache(client).PingAsync(CancellationToken.None));
        Assert.Contains("WRONGPASS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPassword_ServerErrorNamesAuth()
    {
        using var server = new RedisServer(password: "right");
        await using var client = new RedisClient($"127.0.0.1:{server.Port}");
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => new RedisKeyValueCache(client).GetAsync("k", CancellationToken.None));
        Assert.Equal("NOAUTH", ex.Code);
    }

    [Fact]
    public async Task ServerRestart_CommandsIssuedWhileDown_WaitAndSucceed()
    {
        using var server = new RedisServer();
        await using var client = new RedisClient(server.ConnectionString + ",syncTimeout=15000");
        var cache = new RedisKeyValueCache(client);
        Assert.Equal(1, await cache.IncrementAsync("n", CancellationToken.None));

        server.Stop();
        await RedisCommandTests.WaitUntilAsync(() => Task.FromResult(!client.IsConnected));
        var whileDown = cache.IncrementAsync("n", CancellationToken.None);
        await Task.Delay(200);
        Assert.False(whileDown.IsCompleted);
        server.Start();

        Assert.Equal(1, await whileDown); // a fresh server without persistence: the counter starts again
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task CommandsThatTimedOutWhileDown_AreNeverSent()
    {
        using var server = new RedisServer();
        await using var client = new RedisClient(server.ConnectionString + ",syncTimeout=300");
        var cache = new RedisKeyValueCache(client);
        await cache.PingAsync(CancellationToken.None);

        server.Stop();
        await RedisCommandTests.WaitUntilAsync(() => Task.FromResult(!client.IsConnected));
        var abandoned = Enumerable.Range(0, 500).Select(_ => cache.IncrementAsync("abandoned", CancellationToken.None)).ToArray();
        foreach (var call in abandoned)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => call);
        }

        server.Start();
        await RedisCommandTests.WaitUntilAsync(async () =>
        {
            try
            {
                await cache.PingAsync(CancellationToken.None);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        });
        Assert.Null(await cache.GetAsync("abandoned", CancellationToken.None));
    }

    [Fact]
    public async Task BlockingRead_ServerDies_FailsWithConnectionError_AndWorksAgainAfterRestart()
    {
        using var server = new RedisServer();
        await using var client = new RedisClient(server.ConnectionString);
        var streams = new RedisEventStream(client);
        await streams.EnsureGroupAsync("s", "g", "$", CancellationToken.None);
        var read = streams.ReadGroupAsync("s", "g", "c", ">", 1, TimeSpan.FromSeconds(60), CancellationToken.None);
        await Task.Delay(200);

        server.Stop();
        await Assert.ThrowsAsync<RedisConnectionException>(() => read.WaitAsync(TimeSpan.FromSeconds(15)));

        server.Start();
        // Without persistence the group is gone: NOGROUP until it is created again (what a consumer loop does).
        await RedisCommandTests.WaitUntilAsync(async () =>
        {
            try
            {
                await streams.ReadGroupAsync("s", "g", "c", ">", 1, TimeSpan.FromMilliseconds(10), CancellationToken.None);
                return false;
            }
            catch (RedisServerException ex) when (ex.Code == "NOGROUP")
            {
                return true;
            }
            catch (Exception ex) when (ex is RedisConnectionException or TimeoutException)
            {
                return false;
            }
        }, timeoutMs: 20_000);
        // Another pooled connection may still be the one the dead server closed: it fails once, as a consumer loop
        // would see, and the next attempt gets a fresh one.
        await RedisCommandTests.WaitUntilAsync(async () =>
        {
            try
            {
                await streams.EnsureGroupAsync("s", "g", "$", CancellationToken.None);
                return true;
            }
            catch (RedisConnectionException)
            {
                return false;
            }
        }, timeoutMs: 20_000);
        var id = await streams.AppendAsync("s", [new("data", "after")], 100, CancellationToken.None);
        var entries = await streams.ReadGroupAsync("s", "g", "c", ">", 1, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(id, Assert.Single(entries).Id);
    }
}
