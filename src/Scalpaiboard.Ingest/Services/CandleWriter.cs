using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

/// <summary>Closed candles of one open time with their metrics, on their way to PostgreSQL and the stream.</summary>
/// <param name="Items">The minute's metrics frame (publish time not yet stamped) in a pooled buffer the writer releases; the
/// engine may still be writing it while the writer stores the candles.</param>
/// <param name="Republish">Already stored and counted by an earlier run: written again (idempotent) and published, not counted.</param>
public sealed record WriteBatch(long OpenTime, IReadOnlyList<SymbolCandle> Candles, PendingFrame Items, bool Republish = false);

/// <summary>
/// A batch's metrics frame, possibly still being written by the engine when the writer already stores the candles.
/// Completed once by the pipeline (or failed, if the engine threw); the writer awaits it before the XADD.
/// </summary>
public sealed class PendingFrame
{
    private readonly TaskCompletionSource<MetricsFrameWriter> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MetricsFrameWriter? _frame;

    public static PendingFrame Ready(MetricsFrameWriter frame)
    {
        var p = new PendingFrame();
        p.Set(frame);
        return p;
    }

    public Task<MetricsFrameWriter> Task => _done.Task;

    public void Set(MetricsFrameWriter frame)
    {
        Volatile.Write(ref _frame, frame);
        _done.TrySetResult(frame);
    }

    public void Fail(Exception exception) => _done.TrySetException(exception);

    /// <summary>Returns the frame's buffer to the pool (a frame still being written is left to the GC).</summary>
    public void Release() => Interlocked.Exchange(ref _frame, null)?.Dispose();
}

/// <summary>
/// The background writer: takes batches from a bounded channel (back-pressure on the feed), writes whatever has
/// queued up in one COPY + upsert, and only then publishes each batch's metrics event to the Redis stream and the
/// live metrics/candle frames. A failed write or append is retried (with backoff) before anything newer goes out,
/// so the stream never runs ahead of the store.
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
    private static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(200);
    private long _lastLive;
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
                    await RetryAsync(ct => store.UpsertAsync(candles, ct), "store candles", stoppingToken);
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
                    b.Items.Release();
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

    private async Task PublishAsync(List<WriteBatch> batches, CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            // The live frames below read the symbols' state: wait until the engine is done with these candles.
            foreach (var b in batches)
            {
                await b.Items.Task.WaitAsync(cancellationToken);
            }
        }
        else
        {
            var maxLength = options.Value.EffectiveStreamMaxLength;
            // One entry per open time, in order, each awaited before the next (the stream never runs ahead of the
            // store, and entries appear in candle order); the frame is XADDed from its pooled buffer as it is.
            foreach (var b in batches)
            {
                // The engine may still be writing this frame (its candles were stored meanwhile); if it failed, so
                // does the writer: nothing after it is published, and the restart re-publishes from publish_state.
                var frame = (await b.Items.Task.WaitAsync(cancellationToken)).Complete(time.GetUtcNow().ToUnixTimeMilliseconds());
                await RetryAsync(ct => Append(frame, maxLength, ct), "append metrics event", cancellationToken);
            }
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
        var newest = new Dictionary<string, SymbolMetrics>(StringComparer.Ordinal);
        foreach (var b in batches)
        {
            foreach (var (symbol, _) in b.Candles)
            {
                if (!newest.ContainsKey(symbol) && state.TryGet(symbol, out var s))
                {
                    lock (s.Gate)
                    {
                        if (s.MetricsDto is { } dto)
                        {
                            newest[symbol] = dto;
                        }
                    }
                }
            }
        }
        await live.PublishClosedAsync(newest.Values, cancellationToken);
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
