using System.Collections.Concurrent;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Infrastructure.Redis.Protocol;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

public sealed class RedisCommandTests : IAsyncLifetime
{
    private readonly RedisClient _client = new(RedisServer.Shared.ConnectionString);
    private readonly string _prefix = "t:" + Guid.NewGuid().ToString("N")[..8] + ":";
    private RedisKeyValueCache Cache => new(_client);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Pipelining_50ConcurrentCallers_EachSeesItsOwnRepliesInOrder()
    {
        const int callers = 50, rounds = 200;
        var shared = _prefix + "shared";
        var sharedValues = new ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var key = _prefix + "counter:" + c;
            for (var i = 1; i <= rounds; i++)
            {
                // Issue three commands without awaiting in between, so they share pipeline batches with other callers'.
                var incr = Cache.IncrementAsync(key, CancellationToken.None);
                var sharedIncr = Cache.IncrementAsync(shared, CancellationToken.None);
                var get = Cache.GetAsync(key, CancellationToken.None);
                Assert.Equal(i, await incr);
                Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), await get);
                sharedValues.Add(await sharedIncr);
            }
        })));
        Assert.Equal(Enumerable.Range(1, callers * rounds).Select(i => (long)i), sharedValues.Order());
        Assert.Equal((callers * rounds).ToString(System.Globalization.CultureInfo.InvariantCulture), await Cache.GetAsync(shared, CancellationToken.None));
    }

    [Fact]
    public async Task Set_NotExisting_OnlyFirstWins()
    {
        var key = _prefix + "lease";
        Assert.True(await Cache.SetAsync(key, "a", TimeSpan.FromSeconds(30), onlyIfAbsent: true, CancellationToken.None));
        Assert.False(await Cache.SetAsync(key, "b", TimeSpan.FromSeconds(30), onlyIfAbsent: true, CancellationToken.None));
        Assert.Equal("a", await Cache.GetAsync(key, CancellationToken.None));
        Assert.True(await Cache.SetAsync(key, "c", null, onlyIfAbsent: false, CancellationToken.None));
        Assert.Equal("c", await Cache.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task Set_WithExpiry_KeyExpires()
    {
        var key = _prefix + "ttl";
        await Cache.SetAsync(key, "v", TimeSpan.FromSeconds(100), false, CancellationToken.None);
        var ttl = (await _client.ExecuteAsync(new RedisRequest("TTL", 1).Add(key), CancellationToken.None)).AsInteger();
        Assert.InRange(ttl, 90, 100);

        await Cache.SetAsync(key, "v", TimeSpan.FromMilliseconds(150), false, CancellationToken.None);
        await WaitUntilAsync(async () => await Cache.GetAsync(key, CancellationToken.None) is null);
    }

    [Fact]
    public async Task Expire_SetsTtl_AndReportsMissingKeys()
    {
        var key = _prefix + "exp";
        Assert.False(await Cache.ExpireAsync(key, TimeSpan.FromSeconds(10), CancellationToken.None));
        await Cache.IncrementAsync(key, CancellationToken.None);
        Assert.True(await Cache.ExpireAsync(key, TimeSpan.FromSeconds(50), CancellationToken.None));
        var ttl = (await _client.ExecuteAsync(new RedisRequest("TTL", 1).Add(key), CancellationToken.None)).AsInteger();
        Assert.InRange(ttl, 40, 50);
    }

    [Fact]
    public async Task Delete_CountsRemovedKeys()
    {
        await Cache.SetAsync(_prefix + "d1", "1", null, false, CancellationToken.None);
        await Cache.SetAsync(_prefix + "d2", "2", null, false, CancellationToken.None);
        Assert.Equal(2, await Cache.DeleteAsync([_prefix + "d1", _prefix + "d2", _prefix + "missing"], CancellationToken.None));
        Assert.Null(await Cache.GetAsync(_prefix + "d1", CancellationToken.None));
        Assert.Equal(0, await Cache.DeleteAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task Hashes_SetGetAll_RoundTripUnicodeAndEmptyValues()
    {
        var key = _prefix + "hash";
        await Cache.HashSetAsync(key, [new("price", "97000.5"), new("name", "Bitcoin ₿"), new("empty", "")], CancellationToken.None);
        Assert.Equal("Bitcoin ₿", await Cache.HashGetAsync(key, "name", CancellationToken.None));
        Assert.Null(await Cache.HashGetAsync(key, "missing", CancellationToken.None));
        var all = await Cache.HashGetAllAsync(key, CancellationToken.None);
        Assert.Equal(3, all.Count);
        Assert.Equal("97000.5", all["price"]);
        Assert.Equal("", all["empty"]);
        Assert.Empty(await Cache.HashGetAllAsync(_prefix + "nohash", CancellationToken.None));
    }

    [Fact]
    public async Task LargeValue_RoundTrips()
    {
        var key = _prefix + "large";
        var value = string.Concat(Enumerable.Repeat("0123456789abcdef", 64 * 1024)); // 1 MiB
        await Cache.SetAsync(key, value, null, false, CancellationToken.None);
        Assert.Equal(value, await Cache.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task ServerError_SurfacesWithServersMessage_AndConnectionStaysUsable()
    {
        var key = _prefix + "text";
        await Cache.SetAsync(key, "not a number", null, false, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => Cache.IncrementAsync(key, CancellationToken.None));
        Assert.Equal("ERR value is not an integer or out of range", ex.Message);
        Assert.Equal("ERR", ex.Code);

        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => Cache.HashGetAsync(key, "f", CancellationToken.None));
        Assert.StartsWith("WRONGTYPE", wrongType.Message, StringComparison.Ordinal);

        Assert.True(await Cache.PingAsync(CancellationToken.None) > TimeSpan.Zero);
    }

    [Fact]
    public async Task DefaultDatabase_IsSelected()
    {
        await using var db3 = new RedisClient(RedisServer.Shared.ConnectionString + ",defaultDatabase=3");
        var key = _prefix + "db";
        await new RedisKeyValueCache(db3).SetAsync(key, "in3", null, false, CancellationToken.None);
        Assert.Equal("in3", await new RedisKeyValueCache(db3).GetAsync(key, CancellationToken.None));
        Assert.Null(await Cache.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task Cancellation_BeforeReply_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Cache.GetAsync(_prefix + "x", cts.Token));
        Assert.Null(await Cache.GetAsync(_prefix + "x", CancellationToken.None));
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, int timeoutMs = 10_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (!await condition())
        {
            await Task.Delay(25, cts.Token);
        }
    }
}
