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
/// it; once both are done it records the published open time and sends the live metrics/candle frames. A failed
/// write or append is retried (with backoff) before anything newer goes out, so the stream runs ahead of the store
/// by at most the round in flight: a crash in between loses those candles from the store, and the feed delivers them
/// again after the restart (it continues after the newest stored candle), which publishes them again (docs/ingest.md).
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

    public ValueTask EnqueueAsync(WriteBatch batch, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(batch, cancellationToken);

    /// <summary>Completes when everything enqueued before the call is stored and published.</summary>
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
            // The Alerts group exists from the first entry on, whoever starts first: nothing is appended unseen.
            try
            {
                await RetryAsync(ct => _stream.EnsureGroupAsync(EventNames.MetricsStream, EventNames.AlertsGroup, "0", ct),
                    "create the alerts consumer group", stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
        var batches = new List<WriteBatch>();
        var markers = new List<TaskCompletionSource>();
        var candles = new List<SymbolCandle>();
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
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
                    // The first event goes out first (the latency of a live minute), then the COPY runs on another
                    // thread while this one appends the rest: neither waits for the other.
                    Task? storing = null;
                    try
                    {
                        await AppendEventsAsync(batches, () => storing = Task.Run(() => StoreAsync(candles, stoppingToken), CancellationToken.None),
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
                    await storing!; // started by AppendEventsAsync once the first event was out (or at once without a stream)
                    MarkStored(batches);
                    await PublishAsync(batches, stoppingToken);
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
            finally
            {
                foreach (var b in batches)
                {
                    b.Items.Dispose();
                }
            }
            foreach (var m in markers)
            {
                m.TrySetResult();
            }
        }
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
    /// The round's events in order: the first open time's alone (the latency of a live minute), acknowledged before
    /// <paramref name="firstAppended"/> runs, then the rest (a replay's backlog) in batches of up to
    /// <see cref="MaxBatchBytes"/>, each one MULTI/EXEC round trip (<see cref="IEventStream.AppendBinaryBatchAsync"/>).
    /// Each call is retried until it succeeds before the next is sent, and a failed call leaves either none or all of
    /// its entries in the stream (nothing of it stays queued in the client): a later entry never precedes an earlier
    /// one, at worst a whole batch is there twice in a row. Each frame goes out from its pooled buffer as it is.
    /// </summary>
    private async Task AppendEventsAsync(List<WriteBatch> batches, Action firstAppended, CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            firstAppended();
            return;
        }
        var maxLength = options.Value.EffectiveStreamMaxLength;
        var first = batches[0].Items.Complete(time.GetUtcNow().ToUnixTimeMilliseconds());
        await RetryAsync(ct => Append(first, maxLength, ct), "append metrics event", cancellationToken);
        firstAppended();
        var entries = new List<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>>();
        for (var i = 1; i < batches.Count;)
        {
            entries.Clear();
            var bytes = 0L;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            for (; i < batches.Count && (entries.Count == 0 || bytes < MaxBatchBytes); i++)
            {
                var frame = batches[i].Items.Complete(now);
                bytes += frame.Length;
                entries.Add([new KeyValuePair<string, ReadOnlyMemory<byte>>("data", frame)]);
            }
            await RetryAsync(ct => _stream.AppendBinaryBatchAsync(EventNames.MetricsStream, entries, maxLength, ct), "append metrics events", cancellationToken);
        }
    }

    /// <summary>After the events and the candles: the newest published open time (what a restart re-publishes after), then the live frames.</summary>
    private async Task PublishAsync(List<WriteBatch> batches, CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            var last = batches[^1].OpenTime;
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

    private Task Append(ReadOnlyMemory<byte> frame, long maxLength, CancellationToken cancellationToken) =>
        _stream!.AppendBinaryAsync(EventNames.MetricsStream, [new KeyValuePair<string, ReadOnlyMemory<byte>>("data", frame)], maxLength, cancellationToken);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Redis event stream is registered: metrics events are not published")]
    private static partial void LogNoStream(ILogger logger);
}
