using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Keeps <c>ingest.bars</c> holding every closed 4h/8h/1d bar: a bar is closed once a stored 1m candle of a later
/// period exists (the market engine closes it on that candle), and is then aggregated from the stored 1m candles with
/// the engine's own <see cref="BarBuilder"/> arithmetic (same candles, same order: the same bits as the bar the engine
/// committed; never SQL sums) and upserted. Runs every few seconds once the start-up rebuild is done (cheap in-memory
/// check per symbol; a query only when a bar boundary was crossed), and on demand for the rebuild and the retention.
/// </summary>
public sealed partial class BarRecorder(BarStore store, MarketState state, TimeProvider time, ILogger<BarRecorder> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
    /// Records every bar of <paramref name="symbol"/> that opens before the bar containing <paramref name="upTo"/>
    /// (per timeframe) and is not stored yet, from the stored 1m candles. The caller vouches that the 1m candles before
    /// <paramref name="upTo"/> are final (a later one is stored). Returns how many bars were written.
    /// </summary>
    public async Task<int> CatchUpAsync(string symbol, long upTo, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _latest ??= await store.LatestOpenTimesAsync(cancellationToken);
            long from = long.MaxValue, to = long.MinValue;
            var start = new long[BarStore.Timeframes.Length];
            var end = new long[BarStore.Timeframes.Length];
            for (var i = 0; i < BarStore.Timeframes.Length; i++)
            {
                var tf = BarStore.Timeframes[i];
                start[i] = _latest.TryGetValue((symbol, tf), out var last) ? last + tf.DurationMs() : long.MinValue;
                end[i] = tf.AlignedOpen(upTo);
                if (start[i] < end[i])
                {
                    from = Math.Min(from, start[i]);
                    to = Math.Max(to, end[i]);
                }
            }
            if (from == long.MaxValue)
            {
                return 0;
            }
            if (from == long.MinValue)
            {
                // nothing recorded yet: from the symbol's oldest stored candle
                if (await store.FirstCandleOpenTimeAsync(symbol, long.MinValue, cancellationToken) is not { } first || first >= to)
                {
                    return 0;
                }
                from = first;
            }
            var candles = await store.ReadCandlesAsync(symbol, from, to, cancellationToken);
            if (candles.Count == 0)
            {
                return 0;
            }
            var bars = new List<SymbolBar>();
            var aggregated = new List<Candle>();
            for (var i = 0; i < BarStore.Timeframes.Length; i++)
            {
                if (start[i] >= end[i])
                {
                    continue;
                }
                var tf = BarStore.Timeframes[i];
                var lo = LowerBound(candles, start[i]);
                var hi = LowerBound(candles, end[i]);
                aggregated.Clear();
                BarBuilder.Aggregate(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(candles)[lo..hi], tf, aggregated);
                foreach (var b in aggregated)
                {
                    bars.Add(new SymbolBar(symbol, tf, b));
                }
            }
            await store.UpsertAsync(bars, cancellationToken);
            foreach (var (s, tf, b) in bars)
            {
                NoteLocked(s, tf, b.OpenTime);
            }
            return bars.Count;
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
            NoteLocked(symbol, timeframe, openTime);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void NoteLocked(string symbol, Timeframe timeframe, long openTime)
    {
        if (!_latest!.TryGetValue((symbol, timeframe), out var last) || openTime > last)
        {
            _latest[(symbol, timeframe)] = openTime;
        }
    }

    private static int LowerBound(List<Candle> candles, long openTime)
    {
        int lo = 0, hi = candles.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (candles[mid].OpenTime < openTime)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording closed bars failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
