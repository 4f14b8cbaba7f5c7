namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>A message received on a live channel: the channel it was published to and its payload.</summary>
public readonly record struct LiveMessage(string Channel, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Fire-and-forget fan-out (Redis pub/sub): what is published reaches whoever is subscribed at that moment,
/// on any replica. Subscriptions survive reconnects (the client resubscribes).
/// </summary>
public interface ILiveChannel
{
    /// <summary>
    /// Publishes a payload; returns the number of receivers the server reports. The payload is copied before the call
    /// returns (into the command's own buffer), so the caller may reuse or overwrite it at once, even before the task completes.
    /// </summary>
    Task<long> PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a batch of publishes that go out in one round trip (<see cref="ILiveBatch.SendAsync"/>): for many frames at
    /// once without a command, a task and a buffer each. <paramref name="capacity"/>: the expected bytes of payloads.
    /// </summary>
    ILiveBatch CreateBatch(int capacity);

    /// <summary>
    /// Subscribes to a channel, or to a pattern when <paramref name="isPattern"/> (PSUBSCRIBE, e.g. <c>live:*</c>).
    /// The handler runs on the subscriber's read loop: keep it short and non-blocking. Dispose to unsubscribe.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, bool isPattern, Func<LiveMessage, ValueTask> handler, CancellationToken cancellationToken);
}

/// <summary>
/// Publishes collected by <see cref="Add"/> (each payload is copied at once), sent together by <see cref="SendAsync"/>:
/// all of them or, on a failure, none. A batch is sent once; one that is never sent holds a pooled buffer until collected.
/// </summary>
public interface ILiveBatch
{
    /// <summary>Publishes added so far.</summary>
    int Count { get; }

    /// <summary>Bytes of the encoded commands so far (to cut batches to a size).</summary>
    int Length { get; }

    void Add(string channel, ReadOnlySpan<byte> payload);

    /// <summary>Sends the publishes (nothing when none was added); fails as a whole.</summary>
    Task SendAsync(CancellationToken cancellationToken);
}
