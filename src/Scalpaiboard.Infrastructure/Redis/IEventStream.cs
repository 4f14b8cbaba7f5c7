namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// One entry of a durable event stream (a Redis stream entry): its id and its fields. Values are kept as the bytes
/// Redis returned (binary-safe: <see cref="GetBytes"/>); <see cref="Fields"/> and the indexer decode them as UTF-8
/// on first use.
/// </summary>
public sealed class StreamEntry
{
    private readonly IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? _raw;
    private IReadOnlyDictionary<string, string>? _text;

    /// <summary>An entry with text values.</summary>
    public StreamEntry(string id, IReadOnlyDictionary<string, string> fields)
    {
        Id = id;
        _text = fields;
    }

    /// <summary>An entry with raw values (what the Redis client reads).</summary>
    public StreamEntry(string id, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> values)
    {
        Id = id;
        _raw = values;
    }

    public string Id { get; }

    /// <summary>The values as UTF-8 text (decoded once, on first use).</summary>
    public IReadOnlyDictionary<string, string> Fields => _text ??= Decode(_raw!);

    public string? this[string field] => _raw is not null && _text is null
        ? (_raw.TryGetValue(field, out var b) ? System.Text.Encoding.UTF8.GetString(b.Span) : null)
        : Fields.TryGetValue(field, out var v) ? v : null;

    /// <summary>The value's bytes exactly as stored (a text value as its UTF-8), or null when the field is missing.</summary>
    public ReadOnlyMemory<byte>? GetBytes(string field)
    {
        if (_raw is not null)
        {
            return _raw.TryGetValue(field, out var b) ? b : (ReadOnlyMemory<byte>?)null;
        }
        return _text!.TryGetValue(field, out var v) ? System.Text.Encoding.UTF8.GetBytes(v) : (ReadOnlyMemory<byte>?)null;
    }

    private static Dictionary<string, string> Decode(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> raw)
    {
        var text = new Dictionary<string, string>(raw.Count, StringComparer.Ordinal);
        foreach (var (k, v) in raw)
        {
            text[k] = System.Text.Encoding.UTF8.GetString(v.Span);
        }
        return text;
    }
}

/// <summary>A pending entry as XPENDING reports it.</summary>
public sealed record PendingEntry(string Id, string Consumer, TimeSpan Idle, long Deliveries);

/// <summary>
/// How a stream is trimmed when an entry is appended: by age (XADD MINID ~ now - <see cref="MaxAge"/>: everything
/// younger stays, however many entries that is) or by length (MAXLEN ~ <see cref="MaxLength"/>); the default trims nothing.
/// </summary>
public readonly record struct StreamTrim(long MaxLength, TimeSpan MaxAge)
{
    public static StreamTrim None => default;

    public static StreamTrim ByLength(long maxLength) => new(maxLength, TimeSpan.Zero);

    public static StreamTrim ByAge(TimeSpan maxAge) => new(0, maxAge);
}

/// <summary>
/// Durable, at-least-once event streams with consumer groups (Redis streams): producers append, each group
/// shares the entries among its consumers, entries stay pending until acknowledged, and the pending entries of
/// a dead consumer can be claimed by another. The market-events contract between Ingest and Alerts (docs/alerts.md),
/// implemented by <see cref="RedisEventStream"/> over StackExchange.Redis.
/// </summary>
public interface IEventStream
{
    /// <summary>Appends an entry (XADD, trimmed as <paramref name="trim"/> says); returns its id.</summary>
    Task<string> AppendAsync(string stream, IReadOnlyList<KeyValuePair<string, string>> fields, StreamTrim trim, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="AppendAsync"/> with
    /// binary values, written as they are (no text encoding); the caller may reuse the buffers once the task completes.
    /// </summary>
    Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, StreamTrim trim, CancellationToken cancellationToken);

    /// <summary>
    /// Appends several entries to one stream in one round trip, in the given order and all or none (one MULTI/EXEC
    /// transaction), so no other client's entry comes between them. Returns their ids in order.
    /// <para>Failure contract: when the task fails (connection lost, timeout, server error), either none of the
    /// entries was appended or, when the connection was lost after Redis received EXEC, all of them were; commands are
    /// not queued while Redis is unreachable (fail fast), so nothing of a failed batch is sent later behind a retry's
    /// back. A caller that retries a failed batch until it succeeds before it appends anything newer never has a later
    /// entry before an earlier one: the worst case is the whole batch twice in a row (at-least-once). The buffers may
    /// be reused once the task completes.</para>
    /// </summary>
    Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream, IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries,
        StreamTrim trim, CancellationToken cancellationToken);

    /// <summary>Creates the group (and the stream) if missing (XGROUP CREATE ... MKSTREAM); starts at <paramref name="startId"/>.</summary>
    Task EnsureGroupAsync(string stream, string group, string startId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads entries for a consumer (XREADGROUP). <paramref name="fromId"/> "&gt;" reads new entries, "0" re-reads
    /// this consumer's own pending ones. When nothing new is there, waits up to <paramref name="block"/> for an append's
    /// wake-up (a pub/sub message every append sends, see <see cref="RedisEventStream"/>) and reads again.
    /// </summary>
    Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, string fromId, int count, TimeSpan block, CancellationToken cancellationToken);

    /// <summary>Acknowledges processed entries (XACK); returns how many were pending.</summary>
    Task<long> AcknowledgeAsync(string stream, string group, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>Claims entries idle longer than <paramref name="minIdle"/> for this consumer (XAUTOCLAIM from 0-0).</summary>
    Task<IReadOnlyList<StreamEntry>> ClaimIdleAsync(string stream, string group, string consumer, TimeSpan minIdle, int count, CancellationToken cancellationToken);

    /// <summary>The group's pending entries (XPENDING extended form).</summary>
    Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken cancellationToken);

    /// <summary>Number of entries in the stream (XLEN).</summary>
    Task<long> LengthAsync(string stream, CancellationToken cancellationToken);
}
