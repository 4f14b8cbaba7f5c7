using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Keeps <c>ingest.bars</c> holding every closed 4h/8h/1d bar: a bar is closed once a stored 1m candle of a later
/// period exists (the market engine closes it on that candle), and is then built from the stored 1m candles by a
/// <see cref="BarBuilder"/> of its own (same candles, same order, same arithmetic: the same bits as the bar the engine
/// committed; never SQL sums) and upserted. Runs every few seconds once the start-up rebuild is done (an in-memory
/// check per symbol; a query, reading each candle once, only when a 4h boundary was passed), and on demand for the
/// rebuild and the retention.
/// </summary>
public sealed partial class BarRecorder(CandleStore candleStore, BarStore store, MarketState state, TimeProvider time, ILogger<BarRecorder> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, Track> _tracks = new(StringComparer.Ordinal);
    private Dictionary<(string Symbol, Timeframe Timeframe), long>? _latest;

    /// <summary>Completes once the feed's start-up rebuild (which catches up the bars itself) is done.</summary>
    public Task Ready => _ready.Task;

    public void MarkReady() => _ready.TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Ready.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RecordClosedAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex.Message);
            }
            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    /// <summary>Records the bars closed by every symbol's newest stored 1m candle; returns how many were written.</summary>
    public async Task<int> RecordClosedAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var s in state.All)
        {
            long stored;
            lock (s.Gate)
            {
                stored = s.StoredOpenTime;
            }
            if (stored != long.MinValue)
            {
                written += await CatchUpAsync(s.Symbol, stored, cancellationToken);
            }
        }
        return written;
    }

    /// <summary>
    /// Records every bar of <paramref name="symbol"/> that ends at or before the start of the 4h bar containing
    /// <paramref name="upTo"/> (so every bar before <paramref name="upTo"/>'s bar, in each timeframe) and is not stored
    /// yet, from the stored 1m candles. The caller vouches that the 1m candles before that are final (a later one is
    /// stored). Each stored candle is read once: the symbol's <see cref="BarBuilder"/> carries the forming bars from
    /// one call to the next. Returns how many bars were written.
    /// </summary>
    public async Task<int> CatchUpAsync(string symbol, long upTo, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var track = await TrackAsync(symbol, cancellationToken);
            var boundary = Timeframe.H4.AlignedOpen(upTo);
            if (boundary <= track.ReadFrom)
            {
                return 0; // no bar boundary passed since the last read: nothing can have closed
            }
            var candles = await candleStore.ReadCandlesAsync(symbol, track.ReadFrom, boundary, cancellationToken);
            var bars = new List<SymbolBar>();
            var builder = track.Builder;
            foreach (var c in candles)
            {
                var closed = builder.Add(c);
                if (!closed.IsEmpty)
                {
                    foreach (var tf in BarStore.Timeframes)
                    {
                        if (closed.Contains(tf))
                        {
                            track.Take(symbol, tf, builder.Closed(tf), bars);
                        }
                    }
                }
            }
            if (builder.HasForming)
            {
                // Forming bars whose period ended before the boundary hold all their candles already.
                foreach (var tf in BarStore.Timeframes)
                {
                    ref readonly var forming = ref builder.Forming(tf);
                    if (forming.OpenTime + tf.DurationMs() <= boundary)
                    {
                        track.Take(symbol, tf, forming, bars);
                    }
                }
            }
            await store.UpsertAsync(bars, cancellationToken);
            track.ReadFrom = boundary;
            foreach (var (_, tf, b) in bars)
            {
                _latest![(symbol, tf)] = b.OpenTime;
            }
            return bars.Count;
        }
        catch
        {
            // The builder may hold candles whose bars were not stored: start over from the table's state next time.
            _tracks.Remove(symbol);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Tells the recorder about bars stored by someone else (the seeds), so it continues after them.</summary>
    public async Task NoteAsync(string symbol, Timeframe timeframe, long openTime, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _latest ??= await store.LatestOpenTimesAsync(cancellationToken);
            if (!_latest.TryGetValue((symbol, timeframe), out var last) || openTime > last)
            {
                _latest[(symbol, timeframe)] = openTime;
            }
            _tracks.Remove(symbol); // rebuilt from the table's state on its next use
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Track> TrackAsync(string symbol, CancellationToken cancellationToken)
    {
        if (_tracks.TryGetValue(symbol, out var track))
        {
            return track;
        }
        _latest ??= await store.LatestOpenTimesAsync(cancellationToken);
        var next = new long[Timeframes.Count];
        var from = long.MaxValue;
        foreach (var tf in BarStore.Timeframes)
        {
            next[(int)tf] = _latest.TryGetValue((symbol, tf), out var last) ? last + tf.DurationMs() : long.MinValue;
            from = Math.Min(from, next[(int)tf]);
        }
        // From the oldest unrecorded bar of any timeframe (a bar boundary), or from the symbol's first candle.
        track = new Track(next, from);
        _tracks[symbol] = track;
        return track;
    }

    /// <summary>A symbol's recording state: the next bar to record per timeframe, where the next read starts, the bars.</summary>
    private sealed class Track(long[] next, long readFrom)
    {
        public BarBuilder Builder { get; } = new();

        public long ReadFrom { get; set; } = readFrom;

        /// <summary>Adds the bar unless it is before the next one to record (stored already, or emitted while forming).</summary>
        public void Take(string symbol, Timeframe tf, in Candle bar, List<SymbolBar> bars)
        {
            if (bar.OpenTime < next[(int)tf])
            {
                return;
            }
            bars.Add(new SymbolBar(symbol, tf, bar));
            next[(int)tf] = bar.OpenTime + tf.DurationMs();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording closed bars failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
