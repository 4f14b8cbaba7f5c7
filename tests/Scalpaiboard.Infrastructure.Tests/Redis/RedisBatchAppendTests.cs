using System.Net;
using System.Net.Sockets;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

/// <summary>
/// <see cref="IEventStream.AppendBinaryBatchAsync"/> against a real redis-server: entries in order and contiguous,
/// and a batch whose connection dies mid-way (before EXEC reached Redis, or after it ran but before the reply came
/// back) fails as a whole, leaves none or all of its entries, and its retry keeps the stream in order.
/// </summary>
public sealed class RedisBatchAppendTests
{
    private const string Stream = "batch.test";

    private static List<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> Entries(int from, int count, int size)
    {
        var entries = new List<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>>();
        for (var i = from; i < from + count; i++)
        {
            var value = new byte[size];
            BitConverter.TryWriteBytes(value, i);
            value[^1] = 0xff; // binary-safe: not UTF-8
            entries.Add([new("n", value), new("tag", "x"u8.ToArray())]);
        }
        return entries;
    }

    private static async Task<List<int>> ReadNumbersAsync(RedisClient client, string stream)
    {
        var result = (await client.ExecuteAsync(new Infrastructure.Redis.Protocol.RedisRequest("XRANGE", 3).Add(stream).Add("-").Add("+"),
            CancellationToken.None)).AsArray();
        return [.. result.Select(e => BitConverter.ToInt32(e.AsArray()[1].AsArray()[1].Bytes!, 0))];
    }

    [Fact]
    public async Task Batch_is_appended_in_order_contiguously_and_binary_safe()
    {
        await using var client = new RedisClient(RedisServer.Shared.ConnectionString);
        await using var other = new RedisClient(RedisServer.Shared.ConnectionString);
        var stream = Stream + Guid.NewGuid().ToString("N")[..8];
        var streams = new RedisEventStream(client);
        using var stop = new CancellationTokenSource();
        // Another client appends single entries (-1) all the time: none may land inside a batch.
        var noise = Task.Run(async () =>
        {
            var s = new RedisEventStream(other);
            while (!stop.IsCancellationRequested)
            {
                await s.AppendBinaryAsync(stream, [new("n", BitConverter.GetBytes(-1))], 0, CancellationToken.None);
            }
        });
        var ids = new List<string>();
        for (var b = 0; b < 20; b++)
        {
            ids.AddRange(await streams.AppendBinaryBatchAsync(stream, Entries(b * 10, 10, 3000), 0, CancellationToken.None));
        }
        await stop.CancelAsync();
        await noise;

        var numbers = await ReadNumbersAsync(client, stream);
        Assert.Equal(Enumerable.Range(0, 200), numbers.Where(n => n >= 0));
        for (var b = 0; b < 20; b++)
        {
            var at = numbers.IndexOf(b * 10);
            Assert.Equal(Enumerable.Range(b * 10, 10), numbers.Skip(at).Take(10));
        }
        Assert.Equal(200, ids.Distinct().Count());
    }

    [Fact]
    public async Task Single_and_empty_batches_work()
    {
        await using var client = new RedisClient(RedisServer.Shared.ConnectionString);
        var stream = Stream + Guid.NewGuid().ToString("N")[..8];
        var streams = new RedisEventStream(client);
        Assert.Empty(await streams.AppendBinaryBatchAsync(stream, [], 0, CancellationToken.None));
        Assert.Single(await streams.AppendBinaryBatchAsync(stream, Entries(0, 1, 8), 100, CancellationToken.None));
        Assert.Equal([0], await ReadNumbersAsync(client, stream));
    }

    [Fact]
    public async Task A_server_error_fails_the_batch_and_appends_nothing()
    {
        await using var client = new RedisClient(RedisServer.Shared.ConnectionString);
        var key = Stream + Guid.NewGuid().ToString("N")[..8];
        await new RedisKeyValueCache(client).IncrementAsync(key, CancellationToken.None); // not a stream
        var ex = await Assert.ThrowsAsync<RedisServerException>(() =>
            new RedisEventStream(client).AppendBinaryBatchAsync(key, Entries(0, 3, 8), 0, CancellationToken.None));
        Assert.Equal("WRONGTYPE", ex.Code);
        // The connection is still in step: the next command gets its own reply.
        await new RedisKeyValueCache(client).PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Connection_cut_before_EXEC_reaches_Redis_fails_the_batch_appends_none_and_the_retry_keeps_order()
    {
        await using var proxy = new CuttingProxy(RedisServer.Shared.Port);
        await using var client = new RedisClient($"127.0.0.1:{proxy.Port},syncTimeout=10000");
        await using var direct = new RedisClient(RedisServer.Shared.ConnectionString);
        var stream = Stream + Guid.NewGuid().ToString("N")[..8];
        var streams = new RedisEventStream(client);
        await streams.AppendBinaryBatchAsync(stream, Entries(0, 5, 1000), 0, CancellationToken.None);
        // The next 40 KB the client sends reach Redis, then the connection dies: in the middle of the batch's XADDs.
        proxy.CutClientAfter(40_000);
        var batch = Entries(5, 10, 10_000);
        await Assert.ThrowsAsync<RedisConnectionException>(() => streams.AppendBinaryBatchAsync(stream, batch, 0, CancellationToken.None));
        Assert.Equal(Enumerable.Range(0, 5), await ReadNumbersAsync(direct, stream));

        // A batch queued after the failure goes out on the next connection; the retry of the failed one first.
        await streams.AppendBinaryBatchAsync(stream, batch, 0, CancellationToken.None);
        await streams.AppendBinaryBatchAsync(stream, Entries(15, 3, 100), 0, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 18), await ReadNumbersAsync(direct, stream));
        Assert.Equal(2, proxy.Connections);
    }

    [Fact]
    public async Task Connection_cut_after_EXEC_ran_fails_the_batch_with_all_of_it_appended_and_the_retry_repeats_it_whole()
    {
        await using var proxy = new CuttingProxy(RedisServer.Shared.Port);
        await using var client = new RedisClient($"127.0.0.1:{proxy.Port},syncTimeout=10000");
        await using var direct = new RedisClient(RedisServer.Shared.ConnectionString);
        var stream = Stream + Guid.NewGuid().ToString("N")[..8];
        var streams = new RedisEventStream(client);
        await streams.AppendBinaryBatchAsync(stream, Entries(0, 2, 100), 0, CancellationToken.None);
        proxy.DropReplies();
        var batch = Entries(2, 6, 5000);
        var appending = streams.AppendBinaryBatchAsync(stream, batch, 0, CancellationToken.None);
        await RedisCommandTests.WaitUntilAsync(async () => (await ReadNumbersAsync(direct, stream)).Count == 8);
        Assert.False(appending.IsCompleted); // Redis ran EXEC, its reply never arrives
        proxy.CutAll();
        await Assert.ThrowsAsync<RedisConnectionException>(() => appending);

        await streams.AppendBinaryBatchAsync(stream, batch, 0, CancellationToken.None);
        await streams.AppendBinaryBatchAsync(stream, Entries(8, 2, 100), 0, CancellationToken.None);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8, 9], await ReadNumbersAsync(direct, stream));
    }

    [Fact]
    public async Task Redis_restart_during_batches_leaves_every_batch_whole_and_in_order()
    {
        using var server = new RedisServer();
        await using var client = new RedisClient(server.ConnectionString + ",syncTimeout=2000");
        var streams = new RedisEventStream(client);
        const int batches = 60;
        var appending = Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                var batch = Entries(b * 8, 8, 2000);
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await streams.AppendBinaryBatchAsync("s", batch, 0, CancellationToken.None);
                        break;
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException && attempt < 200)
                    {
                        await Task.Delay(20);
                    }
                }
                await Task.Delay(5);
            }
        });
        await Task.Delay(100);
        server.Restart();
        await appending;
        // The restart lost what came before it (no persistence); what is there is whole batches, in order.
        var numbers = await ReadNumbersAsync(client, "s");
        Assert.Equal(batches * 8 - 1, numbers[^1]);
        Assert.Equal(0, numbers.Count % 8);
        for (var i = 0; i < numbers.Count; i += 8)
        {
            Assert.Equal(0, numbers[i] % 8);
            Assert.Equal(Enumerable.Range(numbers[i], 8), numbers.Skip(i).Take(8));
            Assert.True(i == 0 || numbers[i] >= numbers[i - 8], "batches out of order");
        }
    }

    /// <summary>
    /// A TCP proxy in front of redis-server that can cut its first connection: after forwarding a number of the
    /// client's bytes, or after holding back Redis's replies. Later connections are forwarded as they are.
    /// </summary>
    private sealed class CuttingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _target;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _sockets = [];
        private readonly Task _accepting;
        private long _clientBudget = long.MaxValue;
        private volatile bool _dropReplies;
        private int _connections;

        public CuttingProxy(int target)
        {
            _target = target;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        /// <summary>The first connection forwards <paramref name="bytes"/> more of the client's bytes, then dies.</summary>
        public void CutClientAfter(long bytes) => Interlocked.Exchange(ref _clientBudget, bytes);

        /// <summary>The first connection stops forwarding Redis's replies (the commands still get through).</summary>
        public void DropReplies() => _dropReplies = true;

        public void CutAll()
        {
            lock (_sockets)
            {
                foreach (var s in _sockets)
                {
                    s.Close(0);
                }
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptSocketAsync(_stop.Token);
                    var first = Interlocked.Increment(ref _connections) == 1;
                    var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                    lock (_sockets)
                    {
                        _sockets.Add(client);
                        _sockets.Add(server);
                    }
                    _ = PumpAsync(client, server, first, toServer: true);
                    _ = PumpAsync(server, client, first, toServer: false);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
        }

        private async Task PumpAsync(Socket from, Socket to, bool first, bool toServer)
        {
            var buffer = new byte[8192];
            try
            {
                while (true)
                {
                    var n = await from.ReceiveAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        break;
                    }
                    if (first && toServer)
                    {
                        var budget = Interlocked.Read(ref _clientBudget);
                        if (budget != long.MaxValue)
                        {
                            var send = (int)Math.Min(n, budget);
                            await to.SendAsync(buffer.AsMemory(0, send), _stop.Token);
                            Interlocked.Add(ref _clientBudget, -send);
                            if (send < n)
                            {
                                await Task.Delay(100); // let Redis read what it got, then cut
                                break;
                            }
                            continue;
                        }
                    }
                    if (first && !toServer && _dropReplies)
                    {
                        continue;
                    }
                    await to.SendAsync(buffer.AsMemory(0, n), _stop.Token);
                }
            }
            catch (Exception)
            {
                // one side went away
            }
            from.Close(0);
            to.Close(0);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            CutAll();
            try
            {
                await _accepting;
            }
            catch (Exception)
            {
            }
            _stop.Dispose();
        }
    }
}
