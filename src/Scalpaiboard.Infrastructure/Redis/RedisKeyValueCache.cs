using System.Diagnostics;
using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary><see cref="IKeyValueCache"/> over Redis strings and hashes.</summary>
public sealed class RedisKeyValueCache(RedisClient client) : IKeyValueCache
{
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync(new RedisRequest("GET", 1).Add(key), cancellationToken).ConfigureAwait(false)).AsString();

    public async Task<bool> SetAsync(string key, string value, TimeSpan? expiry, bool onlyIfAbsent, CancellationToken cancellationToken)
    {
        var args = 2 + (expiry is null ? 0 : 2) + (onlyIfAbsent ? 1 : 0);
        var request = new RedisRequest("SET", args).Add(key).Add(value);
        if (expiry is { } ttl)
        {
            AddExpiry(request, ttl);
        }
        if (onlyIfAbsent)
        {
            request.Add("NX"u8);
        }
        var reply = await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        return !reply.IsNull;
    }

    /// <summary>EX in whole seconds when exact, PX otherwise, so sub-second expiries are not rounded to zero.</summary>
    private static void AddExpiry(RedisRequest request, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "An expiry must be positive.");
        }
        if (ttl.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            request.Add("EX"u8).Add((long)ttl.TotalSeconds);
        }
        else
        {
            request.Add("PX"u8).Add(Math.Max(1, (long)Math.Ceiling(ttl.TotalMilliseconds)));
        }
    }

    public async Task<long> IncrementAsync(string key, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync(new RedisRequest("INCR", 1).Add(key), cancellationToken).ConfigureAwait(false)).AsInteger();

    public async Task<bool> ExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken)
    {
        if (expiry <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(expiry), expiry, "An expiry must be positive.");
        }
        var request = expiry.Ticks % TimeSpan.TicksPerSecond == 0
            ? new RedisRequest("EXPIRE", 2).Add(key).Add((long)expiry.TotalSeconds)
            : new RedisRequest("PEXPIRE", 2).Add(key).Add(Math.Max(1, (long)Math.Ceiling(expiry.TotalMilliseconds)));
        return (await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false)).AsInteger() == 1;
    }

    public async Task<long> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return 0;
        }
        var request = new RedisRequest("DEL", keys.Count);
        foreach (var key in keys)
        {
            request.Add(key);
        }
        return (await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false)).AsInteger();
    }

    public async Task HashSetAsync(string key, IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken cancellationToken)
    {
        if (fields.Count == 0)
        {
            return;
        }
        var request = new RedisRequest("HSET", 1 + (fields.Count * 2)).Add(key);
        foreach (var (field, value) in fields)
        {
            request.Add(field).Add(value);
        }
        await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> HashGetAsync(string key, string field, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync(new RedisRequest("HGET", 2).Add(key).Add(field), cancellationToken).ConfigureAwait(false)).AsString();

    public async Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key, CancellationToken cancellationToken)
    {
        var reply = await client.ExecuteAsync(new RedisRequest("HGETALL", 1).Add(key), cancellationToken).ConfigureAwait(false);
        return RespReplies.ToDictionary(reply.AsArray());
    }

    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await client.ExecuteAsync(new RedisRequest("PING", 0), cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }
}

internal static class RespReplies
{
    /// <summary>A flat [field, value, field, value...] reply as a dictionary.</summary>
    public static Dictionary<string, string> ToDictionary(RespValue[] pairs)
    {
        var result = new Dictionary<string, string>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            result[pairs[i].AsString() ?? ""] = pairs[i + 1].AsString() ?? "";
        }
        return result;
    }
}
