using System.Collections.Frozen;
using Scalpaiboard.Infrastructure.Events;
using StackExchange.Redis;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Which live channels someone listens to. The Gateways subscribe in Redis to exactly the channels their WebSocket
/// clients watch, so once a second this asks Redis (<c>PUBSUB CHANNELS live:*</c>, <c>PUBSUB NUMPAT</c>) and
/// <see cref="LiveFanout"/> writes and publishes only the frames of those channels: with 500 symbols that is a handful
/// of charts instead of thousands of candle frames a second that Redis would hand to no one. A client that starts
/// watching gets its channel's frames from the next second on. Whenever the answer is not known (at start, Redis
/// unreachable) or a pattern subscription exists (an older Gateway, a debugging <c>PSUBSCRIBE</c>), every frame is
/// published, as before. A subscriber to <c>orderbook:SYM</c> also keeps that symbol's book watched
/// (<see cref="MarketState.WatchedBooks"/>, which the REST endpoint marks too), so its book is built and published
/// every second for as long as the subscription lasts.
/// </summary>
public sealed partial class LiveAudience(IServiceProvider services, MarketState state, TimeProvider time, ILogger<LiveAudience> logger) : BackgroundService
{
    private static readonly RedisChannel LiveChannels = RedisChannel.Pattern(EventNames.LivePrefix + "*");

    private readonly IConnectionMultiplexer? _redis = services.GetService<IConnectionMultiplexer>();

    /// <summary>The watched channels (client names, without <c>live:</c>), or null for "publish everything".</summary>
    private volatile FrozenSet<string>? _watched;

    /// <summary>True when the frames of this client channel (<c>candles:BTCUSDT:1m</c>, <c>tickers</c>) have a listener, or may have.</summary>
    public bool IsWatched(string channel) => _watched is not { } watched || watched.Contains(channel);

    /// <summary>True when no live channel has a listener for sure (nothing needs to be prepared).</summary>
    public bool NoneWatched => _watched is { Count: 0 };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_redis is null)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            do
            {
                await RefreshAsync();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>Asks Redis who listens (the background loop's tick).</summary>
    private async Task RefreshAsync()
    {
        try
        {
            if (_redis!.GetServers() is not [var server, ..])
            {
                _watched = null;
                return;
            }
            var patterns = await server.SubscriptionPatternCountAsync();
            FrozenSet<string>? watched = null;
            if (patterns == 0)
            {
                var channels = await server.SubscriptionChannelsAsync(LiveChannels);
                watched = channels.Select(c => c.ToString()[EventNames.LivePrefix.Length..]).ToFrozenSet(StringComparer.Ordinal);
            }
            if (watched is not null)
            {
                KeepBooksWatched(watched);
            }
            if (!SameAs(watched))
            {
                LogAudience(logger, watched is null ? "every live channel (a pattern subscriber listens)" : watched.Count == 0 ? "none" : string.Join(", ", watched.Take(20)));
            }
            _watched = watched;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Not known: publish everything until Redis answers again.
            _watched = null;
        }
    }

    private void KeepBooksWatched(FrozenSet<string> watched)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var channel in watched)
        {
            if (channel.StartsWith(EventNames.OrderBookPrefix, StringComparison.Ordinal) && channel[EventNames.OrderBookPrefix.Length..] is var symbol && state.TryGet(symbol, out _))
            {
                state.WatchedBooks[symbol] = now;
            }
        }
    }

    private bool SameAs(FrozenSet<string>? next) => (_watched, next) switch
    {
        (null, null) => true,
        ({ } a, { } b) => a.SetEquals(b),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live channels listened to: {Channels}")]
    private static partial void LogAudience(ILogger logger, string channels);
}
