using Scalpaiboard.Ingest.Services;

namespace Scalpaiboard.Ingest.Tests;

public sealed class CoinsResponseCacheTests
{
    private static CoinsJson Body(int length) => new(new byte[length]);

    [Fact]
    public void Keys_are_exact_and_the_first_entry_of_a_key_stays()
    {
        var cache = new CoinsResponseCache();
        var a = Body(10);
        var b = Body(10);
        Assert.True(cache.TryAdd("?page=1", a));
        Assert.True(cache.TryAdd("?Page=1", b));
        Assert.False(cache.TryAdd("?page=1", b));
        Assert.True(cache.TryGet("?page=1", out var got) && ReferenceEquals(a, got));
        Assert.True(cache.TryGet("?Page=1", out got) && ReferenceEquals(b, got));
        Assert.False(cache.TryGet("?page=1 ", out _));
        Assert.Equal(2, cache.Count);
        Assert.Equal(20, cache.Bytes);
    }

    [Fact]
    public void Bounded_by_entries_and_by_bytes()
    {
        var byCount = new CoinsResponseCache(maxEntries: 3, maxBytes: 1000);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i < 3, byCount.TryAdd("k" + i, Body(1)));
        }
        Assert.Equal(3, byCount.Count);

        var byBytes = new CoinsResponseCache(maxEntries: 100, maxBytes: 100);
        Assert.True(byBytes.TryAdd("a", Body(60)));
        Assert.False(byBytes.TryAdd("b", Body(41)));
        Assert.True(byBytes.TryAdd("c", Body(40)));
        Assert.False(byBytes.TryGet("b", out _));
        Assert.Equal(2, byBytes.Count);
        Assert.Equal(100, byBytes.Bytes);
    }

    [Fact]
    public async Task Concurrent_adds_never_exceed_the_bounds()
    {
        var cache = new CoinsResponseCache(maxEntries: 50, maxBytes: 10_000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                cache.TryAdd($"{t}:{i}", Body(i % 300));
            }
        })));
        Assert.True(cache.Count <= 50);
        Assert.True(cache.Bytes <= 10_000);
    }
}
