namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>One entry of a durable event stream (a Redis stream entry): its id and its fields.</summary>
public sealed record StreamEntry(string Id, IReadOnlyDictionary<string, string> Fields)
{
    public string? this[string field] => Fields.TryGetValue(field, out var v) ? v : null;
}

/// <summary>A pending entry as XPENDING reports it.</summary>
public sealed record PendingEntry(string Id, string Consumer, TimeSpan Idle, long Deliveries);

/// <summary>
/// Durable, at-least-once event streams with consumer groups (Redis streams): producers append, each group
/// shares the entries among its consumers, entries stay pending until acknowledged, and the pending entries of
/// a dead consumer can be claimed by another.
/// </summary>
public interface IEventStream
{
    /// <summary>Appends an entry (XADD, trimmed to about <paramref name="maxLength"/> entries); returns its id.</summary>
    Task<string> AppendAsync(string stream, IReadOnlyList<KeyValuePair<string, string>> fields, long maxLength, CancellationToken cancellationToken);

    /// <summary>Creates the group (and the stream) if missing (XGROUP CREATE ... MKSTREAM); starts at <paramref name="startId"/>.</summary>
    Task EnsureGroupAsync(string stream, string group, string startId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads entries for a consumer (XREADGROUP). <paramref name="fromId"/> "&gt;" reads new entries, "0" re-reads
    /// this consumer's own pending ones. Blocks up to <paramref name="block"/> when nothing is there.
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
