using System.Collections.Concurrent;
using System.Collections.Immutable;
using Scalpaiboard.Infrastructure.Events;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>
/// Who listens to what, keyed by the pub/sub channel name (<c>live:tickers</c>, <c>live:candles:BTCUSDT:1m</c>,
/// <c>live:alerts:{userId}</c>), so the fan-out looks a message up by the name Redis gives it, without building a
/// string. Subscriber lists are immutable arrays replaced on change (copy-on-write): a lookup is one lock-free
/// dictionary read, and a delivery walks an array no one mutates.
/// </summary>
public sealed class SubscriptionRegistry
{
    private readonly ConcurrentDictionary<string, ImmutableArray<HubClient>> _byChannel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<HubClient, byte> _clients = new();
    private readonly ConcurrentDictionary<string, int> _perAddress = new(StringComparer.Ordinal);

    public int ClientCount => _clients.Count;

    public ICollection<HubClient> Clients => _clients.Keys;

    /// <summary>The pub/sub name for a client channel; <c>alerts</c> is per user.</summary>
    public static string LiveKey(string channel, string? userId) =>
        channel == EventNames.Alerts ? EventNames.UserAlerts(userId!) : EventNames.Live(channel);

    /// <summary>Counts a connection against its address; false when the address is at its limit.</summary>
    public bool TryReserve(string address, int maxPerAddress)
    {
        while (true)
        {
            if (_perAddress.TryGetValue(address, out var n))
            {
                if (n >= maxPerAddress)
                {
                    return false;
                }
                if (_perAddress.TryUpdate(address, n + 1, n))
                {
                    return true;
                }
            }
            else if (_perAddress.TryAdd(address, 1))
            {
                return true;
            }
        }
    }

    public void Release(string address)
    {
        while (_perAddress.TryGetValue(address, out var n))
        {
            if (n <= 1 ? _perAddress.TryRemove(new KeyValuePair<string, int>(address, n)) : _perAddress.TryUpdate(address, n - 1, n))
            {
                return;
            }
        }
    }

    public void Add(HubClient client) => _clients.TryAdd(client, 0);

    /// <summary>Unregisters a client from everything (its connection ended).</summary>
    public void Remove(HubClient client)
    {
        foreach (var key in client.LiveKeys)
        {
            RemoveFrom(key, client);
        }
        client.LiveKeys.Clear();
        client.Channels.Clear();
        _clients.TryRemove(client, out _);
    }

    public void Subscribe(HubClient client, string liveKey)
    {
        if (client.LiveKeys.Add(liveKey))
        {
            _byChannel.AddOrUpdate(liveKey, static (_, c) => [c], static (_, list, c) => list.Add(c), client);
        }
    }

    public void Unsubscribe(HubClient client, string liveKey)
    {
        if (client.LiveKeys.Remove(liveKey))
        {
            RemoveFrom(liveKey, client);
        }
    }

    private void RemoveFrom(string liveKey, HubClient client)
    {
        while (_byChannel.TryGetValue(liveKey, out var list))
        {
            var next = list.Remove(client);
            if (next.Length == list.Length)
            {
                return;
            }
            var done = next.IsEmpty
                ? _byChannel.TryRemove(new KeyValuePair<string, ImmutableArray<HubClient>>(liveKey, list))
                : _byChannel.TryUpdate(liveKey, next, list);
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>The clients subscribed to a pub/sub channel (empty when none).</summary>
    public ImmutableArray<HubClient> SubscribersOf(string liveChannel) =>
        _byChannel.TryGetValue(liveChannel, out var list) ? list : [];

    public int SubscriberCount(string liveChannel) => SubscribersOf(liveChannel).Length;
}
