using System.Text.Json;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Publishes complete WebSocket frames <c>{"type","channel","ts","data"}</c> on the live pub/sub channels
/// (<c>live:tickers</c>, <c>live:candles:SYM:tf</c>, <c>live:metrics:SYM</c>, <c>live:orderbook:SYM</c>).
/// Live data may be lost (pub/sub): a failure is logged and dropped, never retried.
/// </summary>
public sealed partial class LiveFanout(MarketState state, IServiceProvider services, TimeProvider time, ILogger<LiveFanout> logger)
{
    private readonly ILiveChannel? _channel = services.GetService<ILiveChannel>();
    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Metrics and the closed bar of every timeframe for each symbol's newest closed candle.</summary>
    public async Task PublishClosedAsync(IEnumerable<SymbolMetrics> newest, CancellationToken cancellationToken)
    {
        if (_channel is null)
        {
            return;
        }
        // The client pipelines commands: send them all, then wait once.
        var sends = new List<Task>();
        foreach (var item in newest)
        {
            sends.Add(PublishAsync("metrics", EventNames.Metrics(item.Symbol), item, cancellationToken));
            if (state.TryGet(item.Symbol, out var s))
            {
                sends.Add(PublishBarsAsync(s, closedOnly: true, cancellationToken));
            }
        }
        await Task.WhenAll(sends);
    }

    /// <summary>The current bar of every timeframe (forming, or just closed).</summary>
    public async Task PublishBarsAsync(SymbolState s, bool closedOnly, CancellationToken cancellationToken)
    {
        if (_channel is null)
        {
            return;
        }
        var bars = new Candle[Timeframes.Count];
        var closed = new bool[Timeframes.Count];
        var have = new bool[Timeframes.Count];
        lock (s.Gate)
        {
            for (var t = 0; t < Timeframes.Count; t++)
            {
                if (closedOnly)
                {
                    // The closed 1m candle itself, and each larger bar as it stands after it.
                    have[t] = s.TryClosedBar((Timeframe)t, out bars[t], out closed[t]);
                }
                else
                {
                    have[t] = s.TryCurrentBar((Timeframe)t, out bars[t], out closed[t]);
                }
            }
        }
        var sends = new List<Task>(Timeframes.Count);
        for (var t = 0; t < Timeframes.Count; t++)
        {
            if (have[t])
            {
                var name = Timeframes.Names[t];
                sends.Add(PublishAsync("candles", EventNames.Candles(s.Symbol, name),
                    new LiveCandle(s.Symbol, name, closed[t], CandleDto.From(bars[t])), cancellationToken));
            }
        }
        await Task.WhenAll(sends);
    }

    public Task PublishTickersAsync(IReadOnlyList<TickerItem> tickers, CancellationToken cancellationToken) =>
        _channel is null ? Task.CompletedTask : PublishAsync(EventNames.Tickers, EventNames.Tickers, tickers, cancellationToken);

    public Task PublishOrderBookAsync(OrderBookResponse book, CancellationToken cancellationToken) =>
        _channel is null ? Task.CompletedTask : PublishAsync("orderbook", EventNames.OrderBook(book.Symbol), book, cancellationToken);

    private async Task PublishAsync<T>(string type, string channel, T data, CancellationToken cancellationToken)
    {
        try
        {
            var frame = new LiveFrame<T>(type, channel, time.GetUtcNow().ToUnixTimeMilliseconds(), data);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, IngestJson.Options);
            await _channel!.PublishAsync(EventNames.Live(channel), bytes, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (Interlocked.Increment(ref _failures) % 1000 == 1)
            {
                LogPublishFailed(logger, channel, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live publish to {Channel} failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string channel, string error);
}
