using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary><see cref="ILiveChannel"/> over Redis pub/sub: PUBLISH on the shared connection, subscriptions on the subscriber connection.</summary>
public sealed class RedisLiveChannel(RedisClient client) : ILiveChannel
{
    // The request encodes (copies) the payload synchronously, before the first await: see ILiveChannel.PublishAsync.
    public async Task<long> PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync(new RedisRequest("PUBLISH", 2).Add(channel).Add(payload.Span), cancellationToken).ConfigureAwait(false)).AsInteger();

    public ILiveBatch CreateBatch(int capacity) => new Batch(client, capacity);

    public Task<IAsyncDisposable> SubscribeAsync(string channel, bool isPattern, Func<LiveMessage, ValueTask> handler, CancellationToken cancellationToken) =>
        client.SubscribeAsync(channel, isPattern, handler, cancellationToken);

    /// <summary>The publishes as one MULTI/EXEC request: one buffer, one task and one round trip for all of them.</summary>
    private sealed class Batch(RedisClient client, int capacity) : ILiveBatch
    {
        // EXEC's reply (one subscriber count per PUBLISH) is only checked for errors: read as a summary, not kept.
        private readonly RedisRequest _request = RedisRequest.Transaction("MULTI/PUBLISH", 64 + capacity, summarizeReply: true);
        private bool _sent;

        public int Count { get; private set; }

        public int Length => _request.Payload.Length;

        public void Add(string channel, ReadOnlySpan<byte> payload)
        {
            ObjectDisposedException.ThrowIf(_sent, this);
            _request.Queue("PUBLISH", 2).Add(channel).Add(payload);
            Count++;
        }

        public async Task SendAsync(CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_sent, this);
            _sent = true;
            if (Count == 0)
            {
                _request.ReleaseBuffer();
                return;
            }
            var reply = await client.ExecuteAsync(_request.Exec(), cancellationToken).ConfigureAwait(false);
            if (reply.IsNull)
            {
                throw new RedisProtocolException("EXEC returned null (the transaction was discarded).");
            }
            if (reply.FirstItemError is { } error)
            {
                throw new RedisServerException(error);
            }
        }
    }
}
