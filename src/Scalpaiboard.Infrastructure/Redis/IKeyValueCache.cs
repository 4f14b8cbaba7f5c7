namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>Small shared key-value state with expiry (Redis strings and hashes): counters, leases, caches.</summary>
public interface IKeyValueCache
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>SET with optional EX; when <paramref name="onlyIfAbsent"/> (NX) returns false if the key existed.</summary>
    Task<bool> SetAsync(string key, string value, TimeSpan? expiry, bool onlyIfAbsent, CancellationToken cancellationToken);

    Task<long> IncrementAsync(string key, CancellationToken cancellationToken);

    Task<bool> ExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken);

    Task<long> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    Task HashSetAsync(string key, IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken cancellationToken);

    Task<string?> HashGetAsync(string key, string field, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key, CancellationToken cancellationToken);

    /// <summary>PING round trip.</summary>
    Task<TimeSpan> PingAsync(CancellationToken cancellationToken);
}
