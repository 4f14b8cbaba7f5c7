using Scalpaiboard.Infrastructure.Redis;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// An <see cref="IEventStream"/> that passes every call to <paramref name="inner"/>: the base of the tests' decorators,
/// which override only the appends they watch or disturb.
/// </summary>
public abstract class DelegatingEventStream(IEventStream inner) : IEventStream
{
    protected IEventStream Inner => inner;

    public virtual Task<string> AppendAsync(string stream, IReadOnlyList<KeyValuePair<string, string>> fields, StreamTrim trim, CancellationToken cancellationToken) =>
        inner.AppendAsync(stream, fields, trim, cancellationToken);

    public virtual Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, StreamTrim trim,
        CancellationToken cancellationToken) => inner.AppendBinaryAsync(stream, fields, trim, cancellationToken);

    public virtual Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream,
        IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries, StreamTrim trim, CancellationToken cancellationToken) =>
        inner.AppendBinaryBatchAsync(stream, entries, trim, cancellationToken);

    public Task EnsureGroupAsync(string stream, string group, string startId, CancellationToken cancellationToken) =>
        inner.EnsureGroupAsync(stream, group, startId, cancellationToken);

    public Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, string fromId, int count, TimeSpan block,
        CancellationToken cancellationToken) => inner.ReadGroupAsync(stream, group, consumer, fromId, count, block, cancellationToken);

    public Task<long> AcknowledgeAsync(string stream, string group, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        inner.AcknowledgeAsync(stream, group, ids, cancellationToken);

    public Task<IReadOnlyList<StreamEntry>> ClaimIdleAsync(string stream, string group, string consumer, TimeSpan minIdle, int count,
        CancellationToken cancellationToken) => inner.ClaimIdleAsync(stream, group, consumer, minIdle, count, cancellationToken);

    public Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken cancellationToken) =>
        inner.PendingAsync(stream, group, count, cancellationToken);

    public Task<long> LengthAsync(string stream, CancellationToken cancellationToken) => inner.LengthAsync(stream, cancellationToken);
}
