using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// <see cref="IEventStream"/> over Redis streams and consumer groups. Blocking reads run on leased connections,
/// so a consumer waiting for entries never delays other commands.
/// </summary>
public sealed class RedisEventStream(RedisClient client) : IEventStream
{
    public Task<string> AppendAsync(string stream, IReadOnlyList<KeyValuePair<string, string>> fields, long maxLength, CancellationToken cancellationToken)
    {
        var request = StartAppend(stream, fields.Count, maxLength);
        foreach (var (field, value) in fields)
        {
            request.Add(field).Add(value);
        }
        return AppendAsync(request, cancellationToken);
    }

    public Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, long maxLength, CancellationToken cancellationToken)
    {
        var request = StartAppend(stream, fields.Count, maxLength);
        foreach (var (field, value) in fields)
        {
            request.Add(field).Add(value.Span);
        }
        return AppendAsync(request, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream,
        IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries, long maxLength, CancellationToken cancellationToken)
    {
        switch (entries.Count)
        {
            case 0:
                return [];
            case 1:
                // One command is all or nothing by itself: no transaction needed.
                return [await AppendBinaryAsync(stream, entries[0], maxLength, cancellationToken).ConfigureAwait(false)];
        }
        var size = 64;
        foreach (var fields in entries)
        {
            size += 96 + (stream.Length * 3);
            foreach (var (field, value) in fields)
            {
                size += 32 + (field.Length * 3) + value.Length;
            }
        }
        var request = RedisRequest.Transaction("MULTI/XADD", size);
        foreach (var fields in entries)
        {
            AppendArguments(request.Queue("XADD", AppendArgumentCount(fields.Count, maxLength)), stream, maxLength);
            foreach (var (field, value) in fields)
            {
                request.Add(field).Add(value.Span);
            }
        }
        request.Exec();
        var reply = await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        // EXEC: one reply per XADD. All entries go to the same stream with the same options, so a run-time error
        // (e.g. WRONGTYPE) hits every one of them alike.
        var replies = reply.IsNull ? throw new RedisProtocolException("EXEC returned null (the transaction was discarded).") : reply.AsArray();
        if (replies.Length != entries.Count)
        {
            throw new RedisProtocolException($"EXEC returned {replies.Length} replies for {entries.Count} XADDs.");
        }
        var ids = new string[replies.Length];
        for (var i = 0; i < replies.Length; i++)
        {
            ids[i] = replies[i].IsError
                ? throw new RedisServerException(replies[i].AsString() ?? "ERR")
                : replies[i].AsString() ?? throw new RedisProtocolException("XADD returned no id.");
        }
        return ids;
    }

    private static RedisRequest StartAppend(string stream, int fields, long maxLength) =>
        AppendArguments(new RedisRequest("XADD", AppendArgumentCount(fields, maxLength)), stream, maxLength);

    /// <summary>The number of XADD arguments for an entry of <paramref name="fields"/> fields (at least one).</summary>
    private static int AppendArgumentCount(int fields, long maxLength)
    {
        if (fields == 0)
        {
            throw new ArgumentException("A stream entry needs at least one field.", nameof(fields));
        }
        return 2 + (maxLength > 0 ? 3 : 0) + (fields * 2);
    }

    /// <summary>XADD's arguments before the fields: stream [MAXLEN ~ n] *, into a started XADD (alone or in a transaction).</summary>
    private static RedisRequest AppendArguments(RedisRequest request, string stream, long maxLength)
    {
        request.Add(stream);
        if (maxLength > 0)
        {
            request.Add("MAXLEN"u8).Add("~"u8).Add(maxLength);
        }
        return request.Add("*"u8);
    }

    private async Task<string> AppendAsync(RedisRequest request, CancellationToken cancellationToken)
    {
        var reply = await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        return reply.AsString() ?? throw new RedisProtocolException("XADD returned no id.");
    }

    public async Task EnsureGroupAsync(string stream, string group, string startId, CancellationToken cancellationToken)
    {
        try
        {
            await client.ExecuteAsync(new RedisRequest("XGROUP", 5).Add("CREATE"u8).Add(stream).Add(group).Add(startId).Add("MKSTREAM"u8),
                cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Code == "BUSYGROUP")
        {
            // The group exists already: that is what we wanted.
        }
    }

    public async Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, string fromId, int count, TimeSpan block, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        // BLOCK only matters for new entries (">"); BLOCK 0 would mean "forever" to Redis, so a zero wait sends no BLOCK.
        var blocking = block > TimeSpan.Zero && fromId == ">";
        var request = new RedisRequest("XREADGROUP", 8 + (blocking ? 2 : 0))
            .Add("GROUP"u8).Add(group).Add(consumer).Add("COUNT"u8).Add(count);
        if (blocking)
        {
            request.Add("BLOCK"u8).Add(Math.Max(1, (long)Math.Ceiling(block.TotalMilliseconds)));
        }
        request.Add("STREAMS"u8).Add(stream).Add(fromId);
        var reply = blocking
            ? await client.ExecuteBlockingAsync(request, block, cancellationToken).ConfigureAwait(false)
            : await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        if (reply.IsNull)
        {
            return [];
        }
        // [[stream, [[id, [field, value, ...]], ...]]]
        var streams = reply.AsArray();
        return streams.Length == 0 ? [] : ParseEntries(streams[0].AsArray()[1].AsArray());
    }

    public async Task<long> AcknowledgeAsync(string stream, string group, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return 0;
        }
        var request = new RedisRequest("XACK", 2 + ids.Count).Add(stream).Add(group);
        foreach (var id in ids)
        {
            request.Add(id);
        }
        return (await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false)).AsInteger();
    }

    public async Task<IReadOnlyList<StreamEntry>> ClaimIdleAsync(string stream, string group, string consumer, TimeSpan minIdle, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var request = new RedisRequest("XAUTOCLAIM", 7).Add(stream).Add(group).Add(consumer)
            .Add(Math.Max(0, (long)minIdle.TotalMilliseconds)).Add("0-0"u8).Add("COUNT"u8).Add(count);
        // [next-start-id, [[id, fields]...], [deleted ids]] (Redis 7; Redis 6.2 omits the third element)
        var reply = (await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false)).AsArray();
        return reply.Length < 2 ? [] : ParseEntries(reply[1].AsArray());
    }

    public async Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var request = new RedisRequest("XPENDING", 5).Add(stream).Add(group).Add("-"u8).Add("+"u8).Add(count);
        var reply = (await client.ExecuteAsync(request, cancellationToken).ConfigureAwait(false)).AsArray();
        var result = new List<PendingEntry>(reply.Length);
        foreach (var item in reply)
        {
            // [id, consumer, idle ms, deliveries]
            var fields = item.AsArray();
            if (fields.Length < 4)
            {
                throw new RedisProtocolException("XPENDING returned an entry with fewer than 4 fields.");
            }
            result.Add(new PendingEntry(fields[0].AsString() ?? "", fields[1].AsString() ?? "",
                TimeSpan.FromMilliseconds(fields[2].AsInteger()), fields[3].AsInteger()));
        }
        return result;
    }

    public async Task<long> LengthAsync(string stream, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync(new RedisRequest("XLEN", 1).Add(stream), cancellationToken).ConfigureAwait(false)).AsInteger();

    private static List<StreamEntry> ParseEntries(RespValue[] entries)
    {
        var result = new List<StreamEntry>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry.IsNull)
            {
                continue;
            }
            var parts = entry.AsArray();
            var id = parts[0].AsString() ?? throw new RedisProtocolException("A stream entry has no id.");
            // An entry deleted while pending comes back with null fields: keep its id so it can be acknowledged.
            var fields = parts.Length > 1 && !parts[1].IsNull
                ? RawFields(parts[1].AsArray())
                : new Dictionary<string, ReadOnlyMemory<byte>>(0, StringComparer.Ordinal);
            result.Add(new StreamEntry(id, fields));
        }
        return result;
    }

    /// <summary>[field, value, ...] with the values' bytes as read from the socket (no UTF-8 round trip).</summary>
    private static Dictionary<string, ReadOnlyMemory<byte>> RawFields(RespValue[] pairs)
    {
        var result = new Dictionary<string, ReadOnlyMemory<byte>>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            var value = pairs[i + 1];
            result[pairs[i].AsString() ?? ""] = value.Bytes is { } bytes ? bytes : System.Text.Encoding.UTF8.GetBytes(value.AsString() ?? "");
        }
        return result;
    }
}
