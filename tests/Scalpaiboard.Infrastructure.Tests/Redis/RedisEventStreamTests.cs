using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

public sealed class RedisEventStreamTests : IAsyncLifetime
{
    private readonly RedisClient _client = new(RedisServer.Shared.ConnectionString);
    private readonly string _stream = "market.metrics.t" + Guid.NewGuid().ToString("N")[..8];

    private RedisEventStream Streams => new(_client);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private async Task<List<string>> AppendAsync(int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await Streams.AppendAsync(_stream, [new("data", $"{{\"n\":{i}}}"), new("symbol", "BTCUSDT")], 10_000, CancellationToken.None));
        }
        return ids;
    }

    [Fact]
    public async Task EnsureGroup_Twice_IsFine_AndCreatesTheStream()
    {
        await Streams.EnsureGroupAsync(_stream, "alerts", "$", CancellationToken.None);
        await Streams.EnsureGroupAsync(_stream, "alerts", "$", CancellationToken.None);
        Assert.Equal(0, await Streams.LengthAsync(_stream, CancellationToken.None));
    }

    [Fact]
    public async Task Append_ReturnsIncreasingIds_AndFieldsRoundTrip()
    {
        await Streams.EnsureGroupAsync(_stream, "g", "0", CancellationToken.None);
        var ids = await AppendAsync(3);
        Assert.Equal(3, ids.Distinct().Count());
        var entries = await Streams.ReadGroupAsync(_stream, "g", "c1", ">", 10, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(ids, entries.Select(e => e.Id));
        Assert.Equal("{\"n\":2}", entries[2]["data"]);
        Assert.Equal("BTCUSDT", entries[0]["symbol"]);
        Assert.Null(entries[0]["missing"]);
    }

    [Fact]
    public async Task Append_WithMaxLength_TrimsApproximately()
    {
        for (var i = 0; i < 1000; i++)
        {
            await Streams.AppendAsync(_stream, [new("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))], 100, CancellationToken.None);
        }
        var length = await Streams.LengthAsync(_stream, CancellationToken.None);
        Assert.InRange(length, 100, 999);
    }

    [Fact]
    public async Task TwoConsumers_ShareEntries_DeadConsumersPendingAreReclaimed()
    {
        await Streams.EnsureGroupAsync(_stream, "alerts", "0", CancellationToken.None);
        var ids = await AppendAsync(10);

        var a = await Streams.ReadGroupAsync(_stream, "alerts", "a", ">", 5, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        var b = await Streams.ReadGroupAsync(_stream, "alerts", "b", ">", 5, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Equal(5, a.Count);
        Assert.Equal(5, b.Count);
        Assert.Equal(ids, a.Concat(b).Select(e => e.Id).Order(StringComparer.Ordinal)); // each entry went to exactly one consumer

        var pending = await Streams.PendingAsync(_stream, "alerts", 100, CancellationToken.None);
        Assert.Equal(10, pending.Count);
        Assert.Equal(5, pending.Count(p => p.Consumer == "a"));
        Assert.All(pending, p => Assert.Equal(1, p.Deliveries));

        Assert.Equal(5, await Streams.AcknowledgeAsync(_stream, "alerts", a.Select(e => e.Id).ToList(), CancellationToken.None));
        Assert.Equal(0, await Streams.AcknowledgeAsync(_stream, "alerts", [a[0].Id], CancellationToken.None));

        // "b" dies holding 5 entries; "c" claims what has been idle long enough.
        Assert.Empty(await Streams.ClaimIdleAsync(_stream, "alerts", "c", TimeSpan.FromMinutes(5), 100, CancellationToken.None));
        await Task.Delay(120);
        var claimed = await Streams.ClaimIdleAsync(_stream, "alerts", "c", TimeSpan.FromMilliseconds(100), 100, CancellationToken.None);
        Assert.Equal(b.Select(e => e.Id), claimed.Select(e => e.Id));
        Assert.Equal(b[0]["data"], claimed[0]["data"]);

        pending = await Streams.PendingAsync(_stream, "alerts", 100, CancellationToken.None);
        Assert.Equal(5, pending.Count);
        Assert.All(pending, p => Assert.Equal(("c", 2L), (p.Consumer, p.Deliveries)));

        // "c" also sees them as its own pending entries when re-reading from 0.
        var own = await Streams.ReadGroupAsync(_stream, "alerts", "c", "0", 100, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(claimed.Select(e => e.Id), own.Select(e => e.Id));

        Assert.Equal(5, await Streams.AcknowledgeAsync(_stream, "alerts", claimed.Select(e => e.Id).ToList(), CancellationToken.None));
        Assert.Empty(await Streams.PendingAsync(_stream, "alerts", 100, CancellationToken.None));
    }

    [Fact]
    public async Task BlockingRead_DoesNotStallOtherCommands_AndWakesOnAppend()
    {
        await Streams.EnsureGroupAsync(_stream, "g", "$", CancellationToken.None);
        var waiting = Streams.ReadGroupAsync(_stream, "g", "c", ">", 10, TimeSpan.FromSeconds(30), CancellationToken.None);

        var cache = new RedisKeyValueCache(_client);
        for (var i = 0; i < 20; i++)
        {
            await cache.PingAsync(CancellationToken.None);
        }
        Assert.False(waiting.IsCompleted); // pings went through while the read was still blocked

        var id = await Streams.AppendAsync(_stream, [new("data", "wake")], 1000, CancellationToken.None);
        var entries = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(id, Assert.Single(entries).Id);
    }

    [Fact]
    public async Task BlockingRead_NothingArrives_ReturnsEmpty()
    {
        await Streams.EnsureGroupAsync(_stream, "g", "$", CancellationToken.None);
        var entries = await Streams.ReadGroupAsync(_stream, "g", "c", ">", 10, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Empty(entries);
    }

    [Fact]
    public async Task ConcurrentBlockingReaders_EachGetDistinctEntries()
    {
        await Streams.EnsureGroupAsync(_stream, "g", "$", CancellationToken.None);
        var readers = Enumerable.Range(0, 4)
            .Select(i => Streams.ReadGroupAsync(_stream, "g", "c" + i, ">", 1, TimeSpan.FromSeconds(20), CancellationToken.None))
            .ToArray();
        await Task.Delay(200);
        var ids = await AppendAsync(4);
        var got = (await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(15))).SelectMany(e => e).Select(e => e.Id);
        Assert.Equal(ids, got.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BlockingRead_Cancelled_ThrowsAndOtherReadsStillWork()
    {
        await Streams.EnsureGroupAsync(_stream, "g", "$", CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Streams.ReadGroupAsync(_stream, "g", "c", ">", 10, TimeSpan.FromSeconds(30), cts.Token));
        var id = await Streams.AppendAsync(_stream, [new("data", "x")], 1000, CancellationToken.None);
        var entries = await Streams.ReadGroupAsync(_stream, "g", "c", ">", 10, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(id, Assert.Single(entries).Id);
    }

    [Fact]
    public async Task PendingEntryDeletedFromTheStream_ComesBackWithoutFields_AndCanBeAcknowledged()
    {
        await Streams.EnsureGroupAsync(_stream, "g", "0", CancellationToken.None);
        var ids = await AppendAsync(2);
        await Streams.ReadGroupAsync(_stream, "g", "c", ">", 10, TimeSpan.Zero, CancellationToken.None);
        await _client.ExecuteAsync(new Scalpaiboard.Infrastructure.Redis.Protocol.RedisRequest("XDEL", 2).Add(_stream).Add(ids[0]), CancellationToken.None);

        var own = await Streams.ReadGroupAsync(_stream, "g", "c", "0", 10, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(ids, own.Select(e => e.Id));
        Assert.Empty(own[0].Fields);
        Assert.Equal("BTCUSDT", own[1]["symbol"]);
        Assert.Equal(2, await Streams.AcknowledgeAsync(_stream, "g", ids, CancellationToken.None));
    }

    [Fact]
    public async Task Binary_values_round_trip_byte_for_byte_through_XADD_XREADGROUP_and_XAUTOCLAIM()
    {
        await Streams.EnsureGroupAsync(_stream, "g", "0", CancellationToken.None);
        // every byte value, CR LF inside, invalid UTF-8 (0xFF, lone 0xC3), and a large value spanning many socket reads
        var small = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(new byte[] { 0x00, 0xFF, 0x0D, 0x0A, 0xC3, 0x00 }).ToArray();
        var large = new byte[600_000];
        new Random(5).NextBytes(large);
        large[0] = 0xFF;
        large[^1] = 0x00;
        var ids = new List<string>();
        foreach (var value in new[] { small, large, Array.Empty<byte>() })
        {
            ids.Add(await Streams.AppendBinaryAsync(_stream, [new KeyValuePair<string, ReadOnlyMemory<byte>>("data", value),
                new KeyValuePair<string, ReadOnlyMemory<byte>>("kind", "bin"u8.ToArray())], 1000, CancellationToken.None));
        }

        var read = await Streams.ReadGroupAsync(_stream, "g", "a", ">", 10, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Equal(ids, read.Select(e => e.Id));
        Assert.Equal(small, read[0].GetBytes("data")!.Value.ToArray());
        Assert.Equal(large, read[1].GetBytes("data")!.Value.ToArray());
        Assert.Empty(read[2].GetBytes("data")!.Value.ToArray());
        Assert.Equal("bin", read[0]["kind"]);
        Assert.Null(read[0].GetBytes("missing"));

        await Task.Delay(60);
        var claimed = await Streams.ClaimIdleAsync(_stream, "g", "b", TimeSpan.FromMilliseconds(50), 10, CancellationToken.None);
        Assert.Equal(ids, claimed.Select(e => e.Id));
        Assert.Equal(small, claimed[0].GetBytes("data")!.Value.ToArray());
        Assert.Equal(large, claimed[1].GetBytes("data")!.Value.ToArray());
    }

    [Fact]
    public void A_text_entry_offers_its_values_as_UTF8_bytes_and_a_raw_one_as_text()
    {
        var text = new StreamEntry("1-0", new Dictionary<string, string> { ["data"] = "é{}" });
        Assert.Equal("é{}"u8.ToArray(), text.GetBytes("data")!.Value.ToArray());
        var raw = new StreamEntry("1-0", new Dictionary<string, ReadOnlyMemory<byte>> { ["data"] = "é{}"u8.ToArray() });
        Assert.Equal("é{}", raw["data"]);
        Assert.Equal("é{}", raw.Fields["data"]);
        Assert.Null(raw["other"]);
        Assert.Null(raw.GetBytes("other"));
        Assert.Null(text.GetBytes("other"));
    }

    [Fact]
    public async Task ReadGroup_UnknownGroup_ServerErrorNamesIt()
    {
        var ex = await Assert.ThrowsAsync<RedisServerException>(() =>
            Streams.ReadGroupAsync(_stream, "nogroup", "c", ">", 1, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Equal("NOGROUP", ex.Code);
    }
}
