using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// Pub/sub on its own connection: handlers keyed by channel or pattern, SUBSCRIBE/PSUBSCRIBE sent for the
/// first handler of a key and UNSUBSCRIBE/PUNSUBSCRIBE after the last one leaves. The set of keys is the
/// source of truth: every (re)connect's handshake subscribes all of them again.
/// </summary>
internal sealed class RedisSubscriber : IPushReceiver, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(bool Pattern, string Name), Subscription[]> _handlers = [];
    private readonly ILogger _logger;
    private readonly ReconnectingConnection _connection;

    public RedisSubscriber(RedisConnectionSettings settings, Func<IReadOnlyList<RedisRequest>> authHandshake, RedisMetrics metrics, ILogger logger)
    {
        _logger = logger;
        _connection = new ReconnectingConnection("subscriber", settings, () => Handshake(authHandshake()), this, metrics, logger);
    }

    public bool IsConnected => _connection.IsConnected;

    private List<RedisRequest> Handshake(IReadOnlyList<RedisRequest> auth)
    {
        var requests = new List<RedisRequest>(auth);
        lock (_lock)
        {
            foreach (var key in _handlers.Keys)
            {
                requests.Add(new RedisRequest(key.Pattern ? "PSUBSCRIBE" : "SUBSCRIBE", 1).Add(key.Name).Complete());
            }
        }
        if (requests.Count > auth.Count)
        {
            RedisLog.Resubscribed(_logger, requests.Count - auth.Count);
        }
        return requests;
    }

    public async Task<IAsyncDisposable> SubscribeAsync(string name, bool isPattern, Func<LiveMessage, ValueTask> handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(this, (isPattern, name), handler);
        Task<Protocol.RespValue>? confirmation = null;
        lock (_lock)
        {
            if (_handlers.TryGetValue(subscription.Key, out var existing))
            {
                _handlers[subscription.Key] = [.. existing, subscription];
            }
            else
            {
                _handlers[subscription.Key] = [subscription];
                // Queued under the lock so SUBSCRIBE/UNSUBSCRIBE for one key reach the server in the order decided here.
                confirmation = _connection.SendAsync(new RedisRequest(isPattern ? "PSUBSCRIBE" : "SUBSCRIBE", 1).Add(name), cancellationToken);
            }
        }
        if (confirmation is null)
        {
            return subscription;
        }
        try
        {
            await confirmation.ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException or RedisConnectionException or RedisProtocolException)
        {
            // The key stays registered: the next connection's handshake subscribes it.
            RedisLog.SubscribeDeferred(_logger, isPattern ? "pattern" : "channel", name, ex.Message);
        }
        catch (OperationCanceledException)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            if (!_handlers.TryGetValue(subscription.Key, out var existing))
            {
                return;
            }
            var remaining = Array.FindAll(existing, s => !ReferenceEquals(s, subscription));
            if (remaining.Length == existing.Length)
            {
                return;
            }
            if (remaining.Length > 0)
            {
                _handlers[subscription.Key] = remaining;
                return;
            }
            _handlers.Remove(subscription.Key);
            var request = new RedisRequest(subscription.Key.Pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", 1).Add(subscription.Key.Name);
            // Nobody waits for the confirmation; a lost connection forgets the subscription anyway.
            _ = _connection.SendAsync(request, CancellationToken.None).ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public bool IsPush(in RespValue value)
    {
        var items = value.Items;
        return items is { Length: >= 3 } && (items[0].Is("message"u8) || (items.Length >= 4 && items[0].Is("pmessage"u8)));
    }

    public async ValueTask OnPushAsync(RespValue value)
    {
        var items = value.Items!;
        var pattern = items.Length >= 4 && items[0].Is("pmessage"u8);
        var key = (pattern, items[1].AsString() ?? "");
        var channel = pattern ? items[2].AsString() ?? "" : key.Item2;
        var payload = (pattern ? items[3] : items[2]).Bytes ?? [];
        Subscription[]? handlers;
        lock (_lock)
        {
            _handlers.TryGetValue(key, out handlers);
        }
        if (handlers is null)
        {
            return;
        }
        var message = new LiveMessage(channel, payload);
        foreach (var subscription in handlers)
        {
            try
            {
                await subscription.Handler(message).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                RedisLog.HandlerFailed(_logger, channel, ex);
            }
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private sealed class Subscription(RedisSubscriber owner, (bool Pattern, string Name) key, Func<LiveMessage, ValueTask> handler) : IAsyncDisposable
    {
        public (bool Pattern, string Name) Key { get; } = key;

        public Func<LiveMessage, ValueTask> Handler { get; } = handler;

        public ValueTask DisposeAsync()
        {
            owner.Remove(this);
            return ValueTask.CompletedTask;
        }
    }
}
