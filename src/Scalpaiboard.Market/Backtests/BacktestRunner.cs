using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Market.Backtests;

/// <summary>
/// Runs a backtest (BACKTEST.md): every symbol's candles through a <see cref="MarketEngine"/> of its own, candle by
/// candle through <see cref="MarketEngine.OnClosedCandle(string, in Candle)"/> as live ingest and <c>scalp scan</c>
/// feed it (so the signals and their cooldown are the same), and the rule's signals of the period through a
/// <see cref="TradeSimulator"/>. Candles before <see cref="BacktestParameters.From"/> only warm the engine up (their
/// signals are not traded, their cooldown carries into the period); candles from <see cref="BacktestParameters.To"/>
/// on are not fed. Symbols are independent, so they run in parallel, one symbol per worker at a time; the trades
/// are then merged in exit-time-then-symbol order and summarised. No I/O: the series bring their candles.
/// </summary>
public sealed class BacktestRunner
{
    /// <summary>Candles between progress updates (and cancellation checks) of a worker.</summary>
    private const int Batch = 8192;

    private readonly BacktestParameters _parameters;
    private readonly MarketEngineOptions _engineOptions;

    /// <param name="parameters">The backtest's inputs; <see cref="ArgumentException"/> when they do not validate.</param>
    /// <param name="thresholds">The presets' thresholds (default: SIGNALS.md's).</param>
    public BacktestRunner(BacktestParameters parameters, PresetThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var errors = parameters.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Name} {e.Message}")), nameof(parameters));
        }
        _parameters = parameters;
        _engineOptions = EngineOptions(parameters, thresholds);
    }

    /// <summary>Workers running symbols at the same time (default: one per core).</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Where the workers run (default: the thread pool); a service gives threads of lower priority, for example.</summary>
    public TaskScheduler? Scheduler { get; init; }

    /// <summary>Least time between two progress callbacks.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The engine as a backtest runs it: the presets' thresholds and the backtest's cooldown, without indicators,
    /// which no preset reads (SIGNALS.md's presets are conditions on the rolling windows), so the signals are those
    /// of an engine that computes them (<c>BacktestRunnerTests</c> checks it against <c>scalp scan</c>'s engine).
    /// </summary>
    public static MarketEngineOptions EngineOptions(BacktestParameters parameters, PresetThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new MarketEngineOptions
        {
            Thresholds = thresholds ?? new PresetThresholds(),
            Cooldown = TimeSpan.FromMinutes(parameters.CooldownMinutes),
            ComputeIndicators = false,
        };
    }

    /// <summary>Runs the backtest over <paramref name="series"/> (one per symbol; symbols must be distinct).</summary>
    /// <param name="onProgress">Called now and then from the workers, one call at a time, and once at the end.</param>
    /// <param name="cancellationToken">Stops the workers within a few thousand candles; the run then throws
    /// <see cref="OperationCanceledException"/>.</param>
    public BacktestResult Run(
        IReadOnlyList<BacktestSeries> series,
        Action<BacktestProgress>? onProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        long expected = 0;
        foreach (var s in series)
        {
            ArgumentNullException.ThrowIfNull(s);
            if (!distinct.Add(s.Symbol))
            {
                throw new ArgumentException($"symbol {s.Symbol} is given twice", nameof(series));
            }
            expected += Math.Max(0, s.ExpectedCandles);
        }

        var run = new RunProgress(expected, onProgress, ProgressInterval);
        var outcomes = new SymbolOutcome[series.Count];
        // The longest series first, so the last one to finish is short and no core idles long at the end.
        var order = Enumerable.Range(0, series.Count).OrderByDescending(i => series[i].ExpectedCandles).ToArray();
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, MaxDegreeOfParallelism),
            CancellationToken = cancellationToken,
            TaskScheduler = Scheduler ?? TaskScheduler.Default,
        };
        try
        {
            Parallel.ForEach(Partitioner.Create(order, EnumerablePartitionerOptions.NoBuffering), options,
                i => outcomes[i] = RunSymbol(series[i], run, cancellationToken));
        }
        catch (AggregateException e)
        {
            var first = e.Flatten().InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException)
                ?? e.Flatten().InnerExceptions[0];
            ExceptionDispatchInfo.Throw(first);
        }
        cancellationToken.ThrowIfCancellationRequested();
        run.Report(final: true);
        return Merge(outcomes, run.Candles);
    }

    private SymbolOutcome RunSymbol(BacktestSeries series, RunProgress run, CancellationToken cancellationToken)
    {
        var symbol = series.Symbol;
        var engine = new MarketEngine(_engineOptions);
        var simulator = new TradeSimulator(symbol, _parameters);
        var rule = _parameters.Rule;
        var from = _parameters.From ?? long.MinValue;
        var to = _parameters.To ?? long.MaxValue;
        long read = 0;
        var pending = 0;
        foreach (var candle in series.Candles())
        {
            pending++;
            if (candle.OpenTime < to)
            {
                var update = engine.OnClosedCandle(symbol, candle);
                if (candle.OpenTime >= from && update.Status.IsAccepted())
                {
                    simulator.OnCandle(candle, update.Fired.Contains(rule));
                }
            }
            if (pending == Batch)
            {
                read += pending;
                run.Add(pending);
                pending = 0;
                if (cancellationToken.IsCancellationRequested)
                {
                    return SymbolOutcome.Cancelled;
                }
            }
        }
        read += pending;
        run.Add(pending);
        run.Finished(read - Math.Max(0, series.ExpectedCandles));
        simulator.Finish();
        return new SymbolOutcome(simulator.Trades, simulator.Signals, simulator.SkippedSignals, simulator.FirstOpenTime,
            simulator.LastOpenTime, engine.Rejected, engine.Duplicates, engine.Gaps);
    }

    private BacktestResult Merge(SymbolOutcome[] outcomes, long candles)
    {
        var trades = new List<BacktestTrade>();
        int signals = 0, skipped = 0;
        long? first = null, last = null;
        long rejected = 0, duplicates = 0, gaps = 0;
        foreach (var o in outcomes)
        {
            trades.AddRange(o.Trades);
            signals += o.Signals;
            skipped += o.Skipped;
            if (o.FirstOpenTime is { } f && (first is null || f < first))
            {
                first = f;
            }
            if (o.LastOpenTime is { } l && (last is null || l > last))
            {
                last = l;
            }
            rejected += o.Rejected;
            duplicates += o.Duplicates;
            gaps += o.Gaps;
        }
        trades.Sort(BacktestTrade.CompareByExit);

        var start = _parameters.From ?? first;
        var end = _parameters.To ?? (last is { } t ? t + Candle.MinuteMs : null);
        var summary = BacktestStatistics.Summarize(trades, skipped, start, end);
        return new BacktestResult(_parameters, trades, summary, BacktestStatistics.EquityCurve(trades), signals,
            outcomes.Length, candles, start, end, rejected, duplicates, gaps);
    }

    private sealed record SymbolOutcome(
        IReadOnlyList<BacktestTrade> Trades,
        int Signals,
        int Skipped,
        long? FirstOpenTime,
        long? LastOpenTime,
        long Rejected,
        long Duplicates,
        long Gaps)
    {
        public static readonly SymbolOutcome Cancelled = new([], 0, 0, null, null, 0, 0, 0);
    }

    /// <summary>The candle count of a run, shared by its workers, and the throttled, serialised progress callback.</summary>
    private sealed class RunProgress(long expected, Action<BacktestProgress>? onProgress, TimeSpan interval)
    {
        private readonly Lock _gate = new();
        private readonly long _intervalMs = Math.Max(0, (long)interval.TotalMilliseconds);
        private long _candles;
        private long _expected = expected;
        private long _nextReport = Environment.TickCount64 + (long)interval.TotalMilliseconds;

        public long Candles => Interlocked.Read(ref _candles);

        public void Add(int candles)
        {
            Interlocked.Add(ref _candles, candles);
            if (onProgress is null)
            {
                return;
            }
            var due = Interlocked.Read(ref _nextReport);
            var now = Environment.TickCount64;
            if (now >= due && Interlocked.CompareExchange(ref _nextReport, now + _intervalMs, due) == due)
            {
                Report(final: false);
            }
        }

        /// <summary>A symbol is done: its estimate is replaced by what it really held.</summary>
        public void Finished(long estimateError) => Interlocked.Add(ref _expected, estimateError);

        public void Report(bool final)
        {
            if (onProgress is null)
            {
                return;
            }
            lock (_gate)
            {
                var candles = Candles;
                var expected = final ? candles : Math.Max(Interlocked.Read(ref _expected), candles);
                onProgress(new BacktestProgress(candles, expected));
            }
        }
    }
}
