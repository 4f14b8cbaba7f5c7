using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using StackExchange.Redis;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Publishes complete WebSocket frames <c>{"type","channel","ts","data"}</c> on the live pub/sub channels
/// (<c>live:tickers</c>, <c>live:candles:SYM:tf</c>, <c>live:metrics:SYM</c>, <c>live:orderbook:SYM</c>).
/// Live data may be lost (pub/sub): a failure is logged and dropped, never retried.
/// Metrics, candle and ticker frames are written straight from the symbols' state (<see cref="LiveFrameWriter"/>)
/// into a reused buffer, copied into the round's arena and published from there (PUBLISH through StackExchange.Redis,
/// which pipelines a round's thousands of commands on its one connection): fire and forget but the round's last, whose
/// reply the round awaits before it reuses the arena. Only the frames of channels someone listens to are written and
/// published (<see cref="LiveAudience"/>); without it (tests) every frame is.
/// </summary>
public sealed partial class LiveFanout(MarketState state, IServiceProvider services, TimeProvider time, ILogger<LiveFanout> logger) : IDisposable
{
    private readonly ISubscriber? _channel = services.GetService<IConnectionMultiplexer>()?.GetSubscriber();
    private readonly LiveAudience? _audience = services.GetService<LiveAudience>();
    private readonly MarketState _state = state;
    private readonly ConcurrentDictionary<string, SymbolChannels> _names = new(StringComparer.Ordinal);
    private readonly Stack<Round> _rounds = new();
    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>False without a live channel (nothing is published: callers can skip preparing frames).</summary>
    public bool Enabled => _channel is not null;

    /// <summary>Metrics and the closed bar of every timeframe for each symbol's newest closed candle.</summary>
    public Task PublishClosedAsync(IReadOnlyList<string> symbols, CancellationToken cancellationToken) =>
        symbols.Count == 0 || NoneWatched ? Task.CompletedTask : PublishRoundAsync(symbols, static (fanout, round, symbols, ct) =>
        {
            foreach (var symbol in symbols)
            {
                if (fanout._state.TryGet(symbol, out var s) && fanout.SendMetrics(round, s, ct))
                {
                    fanout.SendBars(round, s, closedOnly: true, ct);
                }
            }
        }, cancellationToken);

    /// <summary>
    /// The current bar of every timeframe (forming, or just closed) of each symbol; <paramref name="closedOnly"/>: the
    /// bars as they stand after the last closed candle.
    /// </summary>
    public Task PublishBarsAsync(IReadOnlyList<SymbolState> symbols, bool closedOnly, CancellationToken cancellationToken) =>
        symbols.Count == 0 || NoneWatched ? Task.CompletedTask : PublishRoundAsync((symbols, closedOnly), static (fanout, round, arg, ct) =>
        {
            foreach (var s in arg.symbols)
            {
                fanout.SendBars(round, s, arg.closedOnly, ct);
            }
        }, cancellationToken);

    /// <summary>The <c>tickers</c> batch of all <paramref name="symbols"/>.</summary>
    public Task PublishTickersAsync(IReadOnlyList<SymbolState> symbols, CancellationToken cancellationToken) =>
        !IsWatched(EventNames.Tickers) ? Task.CompletedTask : PublishRoundAsync(symbols, static (fanout, round, symbols, ct) =>
            fanout.Send(round, TickersChannel, round.Frames.Tickers(fanout.Now(), symbols), ct), cancellationToken);

    public Task PublishOrderBookAsync(OrderBookResponse book, CancellationToken cancellationToken) =>
        _channel is null || !IsWatched(EventNames.OrderBook(book.Symbol)) ? Task.CompletedTask : PublishAsync("orderbook", EventNames.OrderBook(book.Symbol), book, cancellationToken);

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

    private static readonly RedisChannel TickersChannel = Channel(EventNames.Live(EventNames.Tickers));

    /// <summary>A channel name encoded once (StackExchange.Redis would encode a string channel on every publish).</summary>
    private static RedisChannel Channel(string name) => new(System.Text.Encoding.UTF8.GetBytes(name), RedisChannel.PatternMode.Literal);

    /// <summary>True when a channel's frames have a listener, or may have (see <see cref="LiveAudience"/>).</summary>
    private bool IsWatched(string channel) => _audience?.IsWatched(channel) ?? true;

    private bool NoneWatched => _audience?.NoneWatched ?? false;

    /// <summary>The symbol's metrics frame (when someone listens); false (nothing sent) before its first closed candle.</summary>
    private bool SendMetrics(Round round, SymbolState s, CancellationToken cancellationToken)
    {
        var names = Names(s.Symbol);
        if (!IsWatched(names.Metrics))
        {
            return true; // the closed bars are checked on their own
        }
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
        var names = Names(s.Symbol);
        Span<bool> watched = stackalloc bool[Timeframes.Count];
        var any = false;
        for (var t = 0; t < Timeframes.Count; t++)
        {
            any |= watched[t] = IsWatched(names.Candles[t]);
        }
        if (!any)
        {
            return;
        }
        Span<Candle> bars = stackalloc Candle[Timeframes.Count];
        Span<bool> closed = stackalloc bool[Timeframes.Count];
        Span<bool> have = stackalloc bool[Timeframes.Count];
        lock (s.Gate)
        {
            for (var t = 0; t < Timeframes.Count; t++)
            {
                // Closed: the closed 1m candle itself, and each larger bar as it stands after it.
                have[t] = watched[t] && (closedOnly
                    ? s.TryClosedBar((Timeframe)t, out bars[t], out closed[t])
                    : s.TryCurrentBar((Timeframe)t, out bars[t], out closed[t]));
            }
        }
        for (var t = 0; t < Timeframes.Count; t++)
        {
            if (have[t])
            {
                Send(round, names.LiveCandles[t],
                    round.Frames.Candles(names.Candles[t], Now(), s.Symbol, Timeframes.Names[t], closed[t], bars[t]), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Copies one frame into the round's arena (the frame writer reuses its buffer) and publishes the round's previous
    /// frame from there, fire and forget: the last frame of the round is held back and published awaited
    /// (<see cref="WaitAsync"/>), so no per-frame task is allocated, and since StackExchange.Redis writes and answers
    /// one connection's commands in order, the last reply means every frame of the round was sent.
    /// </summary>
    private void Send(Round round, RedisChannel channel, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var copy = round.Arena.GetMemory(frame.Length)[..frame.Length];
        frame.CopyTo(copy);
        round.Arena.Advance(frame.Length);
        if (round.Count > 0)
        {
            try
            {
                _channel!.Publish(round.LastChannel, round.LastFrame, CommandFlags.FireAndForget);
            }
            catch (RedisException)
            {
                // Disconnected (commands fail fast): the awaited last publish reports the round as failed.
            }
        }
        round.LastChannel = channel;
        round.LastFrame = copy;
        round.Count++;
    }

    /// <summary>
    /// One publishing round on a rented frame buffer: <paramref name="fill"/> publishes the frames, then the last one's
    /// reply is awaited (a failure is counted and dropped, never retried).
    /// </summary>
    private async Task PublishRoundAsync<T>(T items, Action<LiveFanout, Round, T, CancellationToken> fill, CancellationToken cancellationToken)
    {
        if (_channel is null)
        {
            return;
        }
        var round = Rent();
        try
        {
            fill(this, round, items, cancellationToken);
            await WaitAsync(round, cancellationToken);
        }
        finally
        {
            Return(round);
        }
    }

    /// <summary>Publishes the round's last frame and waits for its reply (a failure counts every frame of the round, never retried).</summary>
    private async Task WaitAsync(Round round, CancellationToken cancellationToken)
    {
        if (round.Count == 0)
        {
            return;
        }
        try
        {
            await _channel!.PublishAsync(round.LastChannel, round.LastFrame);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(round.Count, ex);
        }
    }

    private async Task PublishAsync<T>(string type, string channel, T data, CancellationToken cancellationToken)
    {
        try
        {
            var frame = new LiveFrame<T>(type, channel, Now(), data);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, IngestJson.Options);
            await _channel!.PublishAsync(RedisChannel.Literal(EventNames.Live(channel)), bytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(1, ex);
        }
    }

    private void Failed(int frames, Exception ex)
    {
        var total = Interlocked.Add(ref _failures, frames);
        if (total / 1000 != (total - frames) / 1000 || total == frames)
        {
            LogPublishFailed(logger, frames, total, ex.Message);
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
        // Only after every send of the round completed: StackExchange.Redis reads the arena until then.
        round.Count = 0;
        round.LastFrame = default;
        round.Arena.ResetWrittenCount();
        lock (_rounds)
        {
            _rounds.Push(round);
        }
    }

    /// <summary>One publishing round's frame buffer, the copies it publishes from and the replies it waits for (reused: one per concurrent caller).</summary>
    private sealed class Round
    {
        public LiveFrameWriter Frames { get; } = new();

        /// <summary>The frames of the round, each copied once and published from here.</summary>
        public ArrayBufferWriter<byte> Arena { get; } = new(256 * 1024);

        /// <summary>Frames of the round so far; the last of them is not published yet.</summary>
        public int Count { get; set; }

        public RedisChannel LastChannel { get; set; }

        public ReadOnlyMemory<byte> LastFrame { get; set; }
    }

    /// <summary>A symbol's channel names, built once.</summary>
    private sealed class SymbolChannels
    {
        public SymbolChannels(string symbol)
        {
            Metrics = EventNames.Metrics(symbol);
            LiveMetrics = Channel(EventNames.Live(Metrics));
            Candles = [.. Timeframes.Names.Select(tf => EventNames.Candles(symbol, tf))];
            LiveCandles = [.. Candles.Select(c => Channel(EventNames.Live(c)))];
        }

        public string Metrics { get; }

        public RedisChannel LiveMetrics { get; }

        public string[] Candles { get; }

        public RedisChannel[] LiveCandles { get; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live publish of {Frames} frame(s) failed ({Total} so far): {Error}")]
    private static partial void LogPublishFailed(ILogger logger, int frames, long total, string error);
}
