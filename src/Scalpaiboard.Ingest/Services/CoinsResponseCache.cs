using System.Collections.Concurrent;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Whole <c>/api/coins</c> responses of one <see cref="CoinTable.Snapshot"/> (one market state version), by query
/// key: a state change replaces the snapshot and with it every cached response. Bounded: once
/// <see cref="MaxEntries"/> entries or <see cref="MaxBytes"/> bytes are held, further responses are answered
/// without being kept. Keys are exact strings, so two different keys never share an entry.
/// </summary>
public sealed class CoinsResponseCache(int maxEntries = CoinsResponseCache.DefaultMaxEntries, long maxBytes = CoinsResponseCache.DefaultMaxBytes)
{
    public const int DefaultMaxEntries = 1024;
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, CoinsJson> _entries = new(StringComparer.Ordinal);
    private int _count;
    private long _bytes;

    public int MaxEntries { get; } = maxEntries;

    public long MaxBytes { get; } = maxBytes;

    public int Count => Volatile.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out CoinsJson response) =>
        _entries.TryGetValue(key, out response);

    /// <summary>Keeps the response under the key unless the cache is full; false when it was not kept.</summary>
    public bool TryAdd(string key, CoinsJson response)
    {
        var length = response.Body.Length;
        if (Interlocked.Increment(ref _count) > MaxEntries)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        if (Interlocked.Add(ref _bytes, length) > MaxBytes || !_entries.TryAdd(key, response))
        {
            Interlocked.Add(ref _bytes, -length);
            Interlocked.Decrement(ref _count);
            return false;
        }
        return true;
    }
}
