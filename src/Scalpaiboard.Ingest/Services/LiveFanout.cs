using System.Collections.Concurrent;
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
/// Metrics, candle and ticker frames are written straight from the symbols' state (<see cref="LiveFrameWriter"/>)
/// into a reused buffer: <see cref="ILiveChannel.PublishAsync"/> copies the payload before it returns, so the next
/// frame can be written over it while the commands are still on their way (pipelined, awaited once per round).
/// </summary>
public sealed partial class LiveFanout(MarketState state, IServiceProvider services, TimeProvider time, ILogger<LiveFanout> logger) : IDisposable
{
    private readonly ILiveChannel? _channel = services.GetService<ILiveChannel>();
    private readonly ConcurrentDictionary<string, SymbolChannels> _names = new(StringComparer.Ordinal);
    private readonly Stack<Round> _rounds = new();
    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>False without a live channel (nothing is published: callers can skip preparing frames).</summary>
    public bool Enabled => _channel is not null;

    /// <summary>Metrics and the closed bar of every timeframe for each symbol's newest closed candle.</summary>
    public async Task PublishClosedAsync(IReadOnlyList<string> symbols, CancellationToken cancellationToken)
    {
        if (_channel is null || symbols.Count == 0)
        {
            return;
        }
        var round = Rent();
        try
        {
            foreach (var symbol in symbols)
            {
                if (state.TryGet(symbol, out var s) && SendMetrics(round, s, cancellationToken))
                {
                    SendBars(round, s, closedOnly: true, cancellationToken);
                }
            }
            // The client pipelines commands: all are sent, now wait for them.
            await WaitAsync(round);
        }
        finally
        {
            Return(round);
        }
    }

    /// <summary>
    /// The current bar of every timeframe (forming, or just closed) of each symbol; <paramref name="closedOnly"/>: the
    /// bars as they stand after the last closed candle.
    /// </summary>
    public async Task PublishBarsAsync(IReadOnlyList<SymbolState> symbols, bool closedOnly, CancellationToken cancellationToken)
    {
        if (_channel is null || symbols.Count == 0)
        {
            return;
        }
        var round = Rent();
        try
        {
            foreach (var s in symbols)
            {
                SendBars(round, s, closedOnly, cancellationToken);
            }
            await WaitAsync(round);
        }
        finally
        {
            Return(round);
        }
    }

    /// <summary>The <c>tickers</c> batch of all <paramref name="symbols"/>.</summary>
    public async Task PublishTickersAsync(IReadOnlyList<SymbolState> symbols, CancellationToken cancellationToken)
    {
        if (_channel is null)
        {
            return;
        }
        var round = Rent();
        try
        {
            Send(round, TickersChannel, round.Frames.Tickers(Now(), symbols), cancellationToken);
            await WaitAsync(round);
        }
        finally
        {
            Return(round);
        }
    }

    public Task PublishOrderBookAsync(OrderBookResponse book, CancellationToken cancellationToken) =>
        _channel is null ? Task.CompletedTask : PublishAsync("orderbook", EventNames.OrderBook(book.Symbol), book, cancellationToken);

    public void Dispose()
    {
        lock (_rounds)
        {
            while (_rounds.TryPop(out var r))
            {
                r.Frames.Dispose();
            }
        }
    }

    private static readonly string TickersChannel = EventNames.Live(EventNames.Tickers);

    /// <summary>The symbol's metrics frame; false (nothing sent) before its first closed candle.</summary>
    private bool SendMetrics(Round round, SymbolState s, CancellationToken cancellationToken)
    {
        var names = Names(s.Symbol);
        ReadOnlyMemory<byte> frame;
        lock (s.Gate)
        {
            if (s.Metrics is not { } m || s.LastClosed is not { } c)
            {
                return false;
            }
            frame = round.Frames.Metrics(names.Metrics, Now(), m, c, s.LastPresets);
        }
        Send(round, names.LiveMetrics, frame, cancellationToken);
        return true;
    }

    private void SendBars(Round round, SymbolState s, bool closedOnly, CancellationToken cancellationToken)
    {
        Span<Candle> bars = stackalloc Candle[Timeframes.Count];
        Span<bool> closed = stackalloc bool[Timeframes.Count];
        Span<bool> have = stackalloc bool[Timeframes.Count];
        lock (s.Gate)
        {
            for (var t = 0; t < Timeframes.Count; t++)
            {
                // Closed: the closed 1m candle itself, and each larger bar as it stands after it.
                have[t] = closedOnly
                    ? s.TryClosedBar((Timeframe)t, out bars[t], out closed[t])
                    : s.TryCurrentBar((Timeframe)t, out bars[t], out closed[t]);
            }
        }
        var names = Names(s.Symbol);
        for (var t = 0; t < Timeframes.Count; t++)
        {
            if (have[t])
            {
                Send(round, names.LiveCandles[t],
                    round.Frames.Candles(names.Candles[t], Now(), s.Symbol, Timeframes.Names[t], closed[t], bars[t]), cancellationToken);
            }
        }
    }

    /// <summary>Hands one frame to the channel (which copies it at once); a failure is counted, never retried.</summary>
    private void Send(Round round, string channel, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            var sent = _channel!.PublishAsync(channel, frame, cancellationToken);
            if (!sent.IsCompletedSuccessfully)
            {
                round.Sends.Add((sent, channel));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(channel, ex);
        }
    }

    private async Task WaitAsync(Round round)
    {
        foreach (var (sent, channel) in round.Sends)
        {
            try
            {
                await sent;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Failed(channel, ex);
            }
        }
    }

    private async Task PublishAsync<T>(string type, string channel, T data, CancellationToken cancellationToken)
    {
        try
        {
            var frame = new LiveFrame<T>(type, channel, Now(), data);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, IngestJson.Options);
            await _channel!.PublishAsync(EventNames.Live(channel), bytes, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(channel, ex);
        }
    }

    private void Failed(string channel, Exception ex)
    {
        if (Interlocked.Increment(ref _failures) % 1000 == 1)
        {
            LogPublishFailed(logger, channel, ex.Message);
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private SymbolChannels Names(string symbol) => _names.GetOrAdd(symbol, static s => new SymbolChannels(s));

    private Round Rent()
    {
        lock (_rounds)
        {
            if (_rounds.TryPop(out var r))
            {
                return r;
            }
        }
        return new Round();
    }

    private void Return(Round round)
    {
        round.Sends.Clear();
        lock (_rounds)
        {
            _rounds.Push(round);
        }
    }

    /// <summary>One publishing round's frame buffer and the sends it still waits for (reused: one per concurrent caller).</summary>
    private sealed class Round
    {
        public LiveFrameWriter Frames { get; } = new();

        public List<(Task<long> Sent, string Channel)> Sends { get; } = [];
    }

    /// <summary>A symbol's channel names, built once.</summary>
    private sealed class SymbolChannels
    {
        public SymbolChannels(string symbol)
        {
            Metrics = EventNames.Metrics(symbol);
            LiveMetrics = EventNames.Live(Metrics);
            Candles = [.. Timeframes.Names.Select(tf => EventNames.Candles(symbol, tf))];
            LiveCandles = [.. Candles.Select(EventNames.Live)];
        }

        public string Metrics { get; }

        public string LiveMetrics { get; }

        public string[] Candles { get; }

        public string[] LiveCandles { get; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live publish to {Channel} failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string channel, string error);
}
