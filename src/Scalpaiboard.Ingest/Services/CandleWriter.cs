using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

/// <summary>Closed candles of one open time with their metrics, on their way to the stream and PostgreSQL.</summary>
/// <param name="Items">The minute's metrics frame (publish time not yet stamped) in a pooled buffer the writer releases.</param>
/// <param name="Republish">Already stored and counted by an earlier run: written again (idempotent) and published, not counted.</param>
public sealed record WriteBatch(long OpenTime, IReadOnlyList<SymbolCandle> Candles, MetricsFrameWriter Items, bool Republish = false);

/// <summary>
/// The background writer: takes batches from a bounded channel (back-pressure on the feed) and, for whatever has
/// queued up, XADDs each batch's metrics event (in order) while the candles are written in one COPY + upsert beside
/// it; once both are done it records the newest published open time and sends the live metrics/candle frames.
/// A failed store is retried (with backoff) before anything newer is stored. A failed append does not hold up the
/// store: the batch stays in memory, unpublished, with every later one behind it (up to
/// <see cref="IngestOptions.UnpublishedLimitMegabytes"/>), and they are appended in order, oldest first, once Redis answers again
/// (tried again with backoff). So the stream runs ahead of the store by at most the round in flight and behind it by the
/// unpublished batches: a crash in between loses neither, because the recorded published open time only advances over
/// appended and stored minutes, and a restart re-publishes every stored candle after it (docs/ingest.md).
/// </summary>
public sealed partial class CandleWriter(
    CandleStore store,
    MarketState state,
    FeedStatus status,
    LiveFanout live,
    IServiceProvider services,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<CandleWriter> logger) : BackgroundService
{
    private const int MaxCandlesPerWrite = 20_000;

    /// <summary>About how many bytes of events one MULTI/EXEC carries (a replay's backlog: about 10 minutes of 100 symbols).</summary>
    private const long MaxBatchBytes = 1 << 20;
    private static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(200);
    private long _lastLive;
    private readonly HashSet<string> _liveSeen = new(StringComparer.Ordinal);
    private readonly List<string> _liveSymbols = [];
    private readonly Channel<object> _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(512)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly IEventStream? _stream = services.GetService<IEventStream>();

    /// <summary>Stored batches whose events are not appended yet (Redis unreachable), oldest first; they own their frames.</summary>
    private readonly List<WriteBatch> _unpublished = [];
    private bool _groupReady;
    private long _nextAppend;
    private TimeSpan _appendDelay = FirstAppendDelay;
    private static readonly TimeSpan FirstAppendDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches stored but not yet in the stream (Redis unreachable).</summary>
    public int Unpublished => Volatile.Read(ref _unpublishedCount);

    private int _unpublishedCount;
    private long _unpublishedBytes;

    public ValueTask EnqueueAsync(WriteBatch batch, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(batch, cancellationToken);

    /// <summary>
    /// Completes when everything enqueued before the call is stored and, unless Redis is unreachable, published
    /// (<see cref="Unpublished"/> counts what waits for Redis).
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync(done, cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_stream is null)
        {
            LogNoStream(logger);
        }
        else
        {
            // The Alerts group exists from the first entry on, whoever starts first: nothing is appended unseen. Tried
            // once here; while Redis is down it is created before the first append succeeds (the store does not wait).
            _groupReady = await TryAsync(ct => _stream.EnsureGroupAsync(EventNames.MetricsStream, EventNames.AlertsGroup, "0", ct),
                "create the alerts consumer group", stoppingToken);
        }
        var batches = new List<WriteBatch>();
        var markers = new List<TaskCompletionSource>();
        var candles = new List<SymbolCandle>();
        var reader = _channel.Reader;
        try
        {
            while (await WaitToReadAsync(reader, stoppingToken))
            {
                batches.Clear();
                markers.Clear();
                candles.Clear();
                while (candles.Count < MaxCandlesPerWrite && reader.TryRead(out var item))
                {
                    if (item is WriteBatch b)
                    {
                        batches.Add(b);
                        candles.AddRange(b.Candles);
                    }
                    else if (item is TaskCompletionSource tcs)
                    {
                        markers.Add(tcs);
                    }
                }
                try
                {
                    if (candles.Count > 0)
                    {
                        await WriteRoundAsync(batches, candles, stoppingToken);
                    }
                    else if (_unpublished.Count > 0)
                    {
                        // Only a wake-up to retry the unpublished events (see WaitToReadAsync).
                        await PublishBacklogAsync(stoppingToken);
                    }
                    // Beyond the limit the writer stops taking batches until Redis answers again (back-pressure).
                    while (_unpublishedBytes >= options.Value.UnpublishedLimitMegabytes * (1L << 20))
                    {
                        await Task.Delay(Until(_nextAppend), time, stoppingToken);
                        await PublishBacklogAsync(stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    foreach (var m in markers)
                    {
                        m.TrySetCanceled(stoppingToken);
                    }
                    return;
                }
                foreach (var m in markers)
                {
                    m.TrySetResult();
                }
            }
        }
        finally
        {
            // Stopping with events unpublished: the recorded published open time is behind them, so the next start
            // re-publishes them from the stored candles.
            foreach (var b in _unpublished)
            {
                b.Items.Dispose();
            }
            _unpublished.Clear();
        }
    }

    /// <summary>Waits for batches; with unpublished events, wakes up when their next append attempt is due.</summary>
    private async ValueTask<bool> WaitToReadAsync(ChannelReader<object> reader, CancellationToken stoppingToken)
    {
        if (_unpublished.Count == 0)
        {
            return await reader.WaitToReadAsync(CancellationToken.None);
        }
        using var due = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        due.CancelAfter(Until(_nextAppend));
        try
        {
            return await reader.WaitToReadAsync(due.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return true;
        }
    }

    /// <summary>
    /// One round: the events of the unpublished batches and of <paramref name="batches"/> in order while the candles
    /// are stored; then the published open time and the live frames.
    /// </summary>
    private async Task WriteRoundAsync(List<WriteBatch> batches, List<SymbolCandle> candles, CancellationToken stoppingToken)
    {
        _unpublished.AddRange(batches);
        foreach (var b in batches)
        {
            _unpublishedBytes += b.Items.Length;
        }
        // The first event goes out first (the latency of a live minute), then the COPY runs on another
        // thread while this one appends the rest: neither waits for the other. A failed append starts the COPY at once.
        Task? storing = null;
        long? appended;
        try
        {
            appended = await AppendEventsAsync(() => storing ??= Task.Run(() => StoreAsync(candles, stoppingToken), CancellationToken.None),
                stoppingToken);
        }
        finally
        {
            // Never leave the COPY running over the candle list the next round reuses.
            if (storing is not null)
            {
                await storing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        await (storing ?? StoreAsync(candles, stoppingToken));
        MarkStored(batches);
        await PublishAsync(batches, appended, stoppingToken);
    }

    /// <summary>Appends what is unpublished (Redis is back) and records the published open time, with no new candles.</summary>
    private async Task PublishBacklogAsync(CancellationToken stoppingToken)
    {
        if (await AppendEventsAsync(static () => { }, stoppingToken) is { } appended)
        {
            await RetryAsync(ct => store.SetPublishedOpenTimeAsync(appended, ct), "record published time", stoppingToken);
        }
    }

    private TimeSpan Until(long timestamp)
    {
        var left = TimeSpan.FromSeconds((double)(timestamp - time.GetTimestamp()) / time.TimestampFrequency);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void MarkStored(List<WriteBatch> batches)
    {
        long newest = long.MinValue, count = 0;
        foreach (var b in batches)
        {
            foreach (var (symbol, c) in b.Candles)
            {
                if (state.TryGet(symbol, out var s))
                {
                    lock (s.Gate)
                    {
                        s.StoredOpenTime = Math.Max(s.StoredOpenTime, c.OpenTime);
                    }
                }
                newest = Math.Max(newest, c.OpenTime);
                if (!b.Republish)
                {
                    count++;
                }
            }
        }
        status.AddIngested(count, newest);
    }

    private Task StoreAsync(List<SymbolCandle> candles, CancellationToken cancellationToken) =>
        RetryAsync(ct => store.UpsertAsync(candles, ct), "store candles", cancellationToken);

    /// <summary>
    /// The unpublished events in order: the oldest alone (in a live minute, this minute's: its latency), then
    /// <paramref name="firstAttempted"/> (the COPY starts), then the rest (a replay's backlog, or what waited for
    /// Redis) in batches of up to <see cref="MaxBatchBytes"/>, each one MULTI/EXEC round trip
    /// (<see cref="IEventStream.AppendBinaryBatchAsync"/>). The first failure stops it: what is left stays unpublished,
    /// in order, and is tried again after a backoff (200 ms doubling to 10 s); until then no append is attempted.
    /// A failed call leaves none or all of its entries in the stream, so a later entry never precedes an earlier one,
    /// at worst a whole batch is there twice in a row. Returns the open time of the newest appended event, if any.
    /// Each frame goes out from its pooled buffer as it is, released once appended.
    /// </summary>
    private async Task<long?> AppendEventsAsync(Action firstAttempted, CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            firstAttempted();
            foreach (var b in _unpublished)
            {
                b.Items.Dispose();
            }
            _unpublished.Clear();
            _unpublishedBytes = 0;
            return null;
        }
        long? appended = null;
        try
        {
            if (time.GetTimestamp() < _nextAppend
                || (!_groupReady && !(_groupReady = await TryAsync(ct => _stream.EnsureGroupAsync(EventNames.MetricsStream, EventNames.AlertsGroup, "0", ct),
                    "create the alerts consumer group", cancellationToken))))
            {
                return null;
            }
            var trim = options.Value.EffectiveStreamTrim;
            var first = _unpublished[0];
            var frame = first.Items.Complete(time.GetUtcNow().ToUnixTimeMilliseconds());
            if (!await TryAsync(ct => _stream.AppendBinaryAsync(EventNames.MetricsStream, [new("data", frame)], trim, ct), "append metrics event", cancellationToken))
            {
                return null;
            }
            appended = Published(1);
            firstAttempted();
            var entries = new List<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>>();
            while (_unpublished.Count > 0)
            {
                entries.Clear();
                var bytes = 0L;
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                for (var i = 0; i < _unpublished.Count && (entries.Count == 0 || bytes < MaxBatchBytes); i++)
                {
                    var next = _unpublished[i].Items.Complete(now);
                    bytes += next.Length;
                    entries.Add([new KeyValuePair<string, ReadOnlyMemory<byte>>("data", next)]);
                }
                if (!await TryAsync(ct => _stream.AppendBinaryBatchAsync(EventNames.MetricsStream, entries, trim, ct), "append metrics events", cancellationToken))
                {
                    return appended;
                }
                appended = Published(entries.Count);
            }
            _appendDelay = FirstAppendDelay;
            return appended;
        }
        finally
        {
            firstAttempted();
            Volatile.Write(ref _unpublishedCount, _unpublished.Count);
        }
    }

    /// <summary>The oldest <paramref name="count"/> unpublished batches are in the stream: releases their frames; returns the newest one's open time.</summary>
    private long Published(int count)
    {
        var newest = _unpublished[count - 1].OpenTime;
        for (var i = 0; i < count; i++)
        {
            _unpublishedBytes -= _unpublished[i].Items.Length;
            _unpublished[i].Items.Dispose();
        }
        _unpublished.RemoveRange(0, count);
        return newest;
    }

    /// <summary>
    /// After the events and the candles: the newest published open time (what a restart re-publishes after; never
    /// ahead of the store: every appended batch is stored by now), then the live frames.
    /// </summary>
    private async Task PublishAsync(List<WriteBatch> batches, long? appended, CancellationToken cancellationToken)
    {
        if (appended is { } last)
        {
            await RetryAsync(ct => store.SetPublishedOpenTimeAsync(last, ct), "record published time", cancellationToken);
        }
        // Live frames carry only the newest state, and from a fast replay at most five times a second:
        // older ones would be stale on arrival (the stream above has every candle).
        if (!status.RealTime && time.GetElapsedTime(_lastLive) < LiveInterval && _channel.Reader.Count > 0)
        {
            return;
        }
        _lastLive = time.GetTimestamp();
        // Each symbol once (its newest state), in the order of first appearance.
        _liveSeen.Clear();
        _liveSymbols.Clear();
        foreach (var b in batches)
        {
            foreach (var (symbol, _) in b.Candles)
            {
                if (_liveSeen.Add(symbol))
                {
                    _liveSymbols.Add(symbol);
                }
            }
        }
        await live.PublishClosedAsync(_liveSymbols, cancellationToken);
    }

    /// <summary>One attempt; a failure is logged and starts (or lengthens) the backoff before the next append.</summary>
    private async Task<bool> TryAsync(Func<CancellationToken, Task> action, string what, CancellationToken cancellationToken)
    {
        try
        {
            await action(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAppendFailed(logger, what, _unpublished.Count, _appendDelay, ex.Message);
            _nextAppend = time.GetTimestamp() + (long)(_appendDelay.TotalSeconds * time.TimestampFrequency);
            _appendDelay = TimeSpan.FromMilliseconds(Math.Min(_appendDelay.TotalMilliseconds * 2, 10_000));
            return false;
        }
    }

    private async Task RetryAsync(Func<CancellationToken, Task> action, string what, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRetry(logger, what, attempt, ex.Message);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 10_000));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {What} (attempt {Attempt}): {Error}; retrying")]
    private static partial void LogRetry(ILogger logger, string what, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {What} ({Unpublished} minutes unpublished, candles are still stored): {Error}; next attempt in {Delay}")]
    private static partial void LogAppendFailed(ILogger logger, string what, int unpublished, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Redis event stream is registered: metrics events are not published")]
    private static partial void LogNoStream(ILogger logger);
}
