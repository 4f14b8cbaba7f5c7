using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary><see cref="ILiveChannel"/> over Redis pub/sub: PUBLISH on the shared connection, subscriptions on the subscriber connection.</summary>
public sealed class RedisLiveChannel(RedisClient client) : ILiveChannel
{
    // The request encodes (copies) the payload synchronously, before the first await: see ILiveChannel.PublishAsync.
    public async Task<long> PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync(new RedisRequest("PUBLISH", 2).Add(channel).Add(payload.Span), cancellationToken).ConfigureAwait(false)).AsInteger();

    public Task<IAsyncDisposable> SubscribeAsync(string channel, bool isPattern, Func<LiveMessage, ValueTask> handler, CancellationToken cancellationToken) =>
        client.SubscribeAsync(channel, isPattern, handler, cancellationToken);
}
