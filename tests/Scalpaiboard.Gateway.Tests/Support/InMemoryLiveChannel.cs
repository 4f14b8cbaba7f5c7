using System.Collections.Concurrent;
using Scalpaiboard.Infrastructure.Redis;

namespace Scalpaiboard.Gateway.Tests.Support;

/// <summary>
/// Pub/sub within the test process, with Redis's pattern semantics for the one pattern the Gateway uses
/// (<c>prefix*</c>). Stands in until the RESP client lands; the hub tests then run against redis-server.
/// </summary>
public sealed class InMemoryLiveChannel : ILiveChannel
{
    private readonly ConcurrentDictionary<Guid, (string Channel, bool IsPattern, Func<LiveMessage, ValueTask> Handler)> _subscribers = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Subscribed => _subscribed.Task;

    public async Task<long> PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        long n = 0;
        foreach (var (_, s) in _subscribers)
        {
            if (s.IsPattern ? channel.StartsWith(s.Channel.TrimEnd('*'), StringComparison.Ordinal) : channel == s.Channel)
            {
                // A fresh copy per publish, like bytes off a socket; the handler must not keep our buffer.
                await s.Handler(new LiveMessage(channel, payload.ToArray()));
                n++;
            }
        }
        return n;
    }

    public Task<IAsyncDisposable> SubscribeAsync(string channel, bool isPattern, Func<LiveMessage, ValueTask> handler, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        _subscribers[id] = (channel, isPattern, handler);
        _subscribed.TrySetResult();
        return Task.FromResult<IAsyncDisposable>(new Subscription(() => _subscribers.TryRemove(id, out _)));
    }

    private sealed class Subscription(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
