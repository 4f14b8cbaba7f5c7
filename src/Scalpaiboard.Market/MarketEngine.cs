using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Market;

/// <summary>Settings of a <see cref="MarketEngine"/>.</summary>
public sealed class MarketEngineOptions
{
    public PresetThresholds Thresholds { get; set; } = new();

    /// <summary>Preset cooldown per (symbol, type); default 5 minutes.</summary>
    public TimeSpan Cooldown { get; set; } = SignalCooldown.DefaultCooldown;

    /// <summary>Compute indicators at all (off only for callers that need the windows alone).</summary>
    public bool ComputeIndicators { get; set; } = true;

    /// <summary>
    /// The timeframes whose indicators are computed: by default those of the rolling windows (5m, 15m, 1h, 4h, 8h,
    /// 1d), which the API and the alert conditions use. 1m can be added; each timeframe costs about 2.2 KB per
    /// symbol and some tens of ns per candle. The others stay NaN in the snapshot.
    /// </summary>
    public IReadOnlyList<Timeframe> IndicatorTimeframes { get; set; } = DefaultIndicatorTimeframes;

    public static readonly IReadOnlyList<Timeframe> DefaultIndicatorTimeframes =
        [Timeframe.M5, Timeframe.M15, Timeframe.H1, Timeframe.H4, Timeframe.H8, Timeframe.D1];
}

/// <summary>The outcome of one closed candle.</summary>
/// <param name="Status">What the symbol's state did with the candle.</param>
/// <param name="Snapshot">The symbol's snapshot after the candle (reused: valid until the symbol's next candle;
/// <see cref="MetricsSnapshot.Clone"/> to keep it). Null when the candle was a duplicate or rejected.</param>
/// <param name="Held">Presets whose conditions hold on this candle.</param>
/// <param name="Fired">The held presets that fire, i.e. not cooling down.</param>
/// <param name="Bars">The symbol's aligned bars after the candle (the engine's own, valid like the snapshot: read them
/// before the symbol's next candle or under the caller's lock). Null when the candle was a duplicate or rejected.</param>
public readonly record struct MarketUpdate(CandleStatus Status, MetricsSnapshot? Snapshot, PresetMask Held, PresetMask Fired, BarBuilder? Bars = null);

/// <summary>
/// The market engine: per symbol the rolling windows (<see cref="SymbolState"/>), the aligned bars
/// (<see cref="BarBuilder"/>) and the indicators of every timeframe (<see cref="TimeframeIndicators"/>), then the
/// presets with their cooldown. Live ingest, replays, <c>scalp scan</c> and <c>scalp bench</c> all call
/// <see cref="OnClosedCandle(string, in Candle)"/>. O(1) and allocation-free per candle once a symbol is known.
/// Not thread-safe: feed it from one thread (or under a lock).
/// </summary>
public sealed partial class MarketEngine
{
    private readonly Dictionary<string, SymbolContext> _symbols = new(StringComparer.Ordinal);
    private readonly PresetEvaluator _evaluator;
    private readonly SignalCooldown _cooldown;
    private readonly Timeframe[] _indicatorTimeframes;
    private SymbolContext? _previous;
    private SymbolContext? _previousDerivatives;

    public MarketEngine() : this(new MarketEngineOptions())
    {
    }

    public MarketEngine(MarketEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _evaluator = new PresetEvaluator(options.Thresholds);
        _cooldown = new SignalCooldown(options.Cooldown);
        foreach (var tf in options.IndicatorTimeframes)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)tf, (uint)Timeframes.Count, nameof(options.IndicatorTimeframes));
        }
        _indicatorTimeframes = options.ComputeIndicators ? [.. options.IndicatorTimeframes.Distinct().Order()] : [];
    }

    public SignalCooldown Cooldown => _cooldown;

    public PresetEvaluator Evaluator => _evaluator;

    public int SymbolCount => _symbols.Count;

    public IEnumerable<string> Symbols => _symbols.Keys;

    public long Accepted { get; private set; }

    public long Rejected { get; private set; }

    public long Duplicates { get; private set; }

    public long Replacements { get; private set; }

    public long Gaps { get; private set; }

    public MarketUpdate OnClosedCandle(string symbol, in Candle candle)
    {
        // Feeds hand over a minute's candles in much the same symbol order every minute (replays, scan and bench
        // exactly so), so the symbol that followed the previous one last time is the likely one: checking it is one
        // string compare (usually of the same instance), where the dictionary costs a hash and a chain of dependent
        // loads (string, bucket, entry) that miss the cache with hundreds of symbols. A wrong guess falls back to it.
        var previous = _previous;
        var guess = previous?.Next;
        SymbolContext? ctx;
        if (guess is not null && string.Equals(guess.Symbol, symbol, StringComparison.Ordinal))
        {
            ctx = guess;
        }
        else
        {
            ctx = GetOrAdd(symbol);
        }

        if (previous is not null && !ReferenceEquals(guess, ctx))
        {
            previous.Next = ctx;
        }

        _previous = ctx;
        return Update(ctx, candle);
    }

    /// <summary>The latest snapshot of a symbol (reused instance; clone to keep).</summary>
    public bool TryGetSnapshot(string symbol, [NotNullWhen(true)] out MetricsSnapshot? snapshot)
    {
        if (_symbols.TryGetValue(symbol, out var ctx) && ctx.HasSnapshot)
        {
            snapshot = ctx.Snapshot;
            return true;
        }
        snapshot = null;
        return false;
    }

    /// <summary>The rolling-window state of a symbol, or null when it has never been seen.</summary>
    public SymbolState? GetState(string symbol) => _symbols.TryGetValue(symbol, out var ctx) ? ctx.State : null;

    /// <summary>The aligned bars of a symbol, or null when it has never been seen.</summary>
    public BarBuilder? GetBars(string symbol) => _symbols.TryGetValue(symbol, out var ctx) ? ctx.Bars : null;

    /// <summary>
    /// True when the feed reports liquidations (Binance's forced-order stream, the simulated feed): a window without
    /// one then totals 0. Otherwise (replays) the liquidation fields are unavailable.
    /// </summary>
    public bool TracksLiquidations { get; set; }

    /// <summary>
    /// Records a derivatives sample of a symbol (open interest, funding, mark price, a liquidation); the next candle
    /// closes read the values known at their close time. O(1) for samples in time order.
    /// </summary>
    public void OnDerivatives(in DerivativesUpdate update)
    {
        // As for candles, feeds send every symbol's samples in much the same order each time (Binance's arrays, the
        // simulated and replayed minutes): the symbol after the previous one last time is checked before the dictionary.
        var previous = _previousDerivatives;
        SymbolContext ctx;
        if (previous is not null && string.Equals(previous.Symbol, update.Symbol, StringComparison.Ordinal))
        {
            ctx = previous; // another sample of the same symbol
        }
        else
        {
            var guess = previous?.NextDerivatives;
            ctx = guess is not null && string.Equals(guess.Symbol, update.Symbol, StringComparison.Ordinal) ? guess : GetOrAdd(update.Symbol);
            if (previous is not null && !ReferenceEquals(guess, ctx))
            {
                previous.NextDerivatives = ctx;
            }
            _previousDerivatives = ctx;
        }
        var history = ctx.Derivatives ??= new DerivativesHistory();
        switch (update.Kind)
        {
            case DerivativesKind.OpenInterest:
                history.Add(update.OpenInterest);
                break;
            case DerivativesKind.Funding:
                history.Add(update.Funding);
                break;
            case DerivativesKind.MarkPrice:
                history.Add(update.Mark);
                break;
            default:
                history.Add(update.Liquidation);
                break;
        }
    }

    /// <summary>Known market cap in USD (NaN to forget it); the presets' cap bounds apply only when it is known.</summary>
    public void SetMarketCap(string symbol, double marketCap)
    {
        GetOrAdd(symbol).Snapshot.MarketCap = marketCap;
    }

    private SymbolContext GetOrAdd(string symbol)
    {
        if (!_symbols.TryGetValue(symbol, out var ctx))
        {
            ctx = new SymbolContext(symbol, _cooldown.For(symbol), _indicatorTimeframes);
            _symbols[symbol] = ctx;
        }
        return ctx;
    }

    /// <summary>Forgets a symbol's history (windows, bars, indicators), e.g. before rebuilding it from a store.</summary>
    public void Reset(string symbol)
    {
        if (_symbols.TryGetValue(symbol, out var ctx))
        {
            ctx.Reset();
        }
    }

    private MarketUpdate Update(SymbolContext ctx, in Candle candle)
    {
        ctx.State.PrefetchNext();
        PrefetchClosingBars(ctx, candle.OpenTime);
        PrefetchIndicatorBlocks(ctx);
        var status = ctx.State.Apply(candle);
        switch (status)
        {
            case CandleStatus.Duplicate:
                Duplicates++;
                return new MarketUpdate(status, null, PresetMask.None, PresetMask.None);
            case CandleStatus.Rejected:
                Rejected++;
                return new MarketUpdate(status, null, PresetMask.None, PresetMask.None);
            case CandleStatus.Replaced:
                Replacements++;
                break;
            case CandleStatus.AppendedAfterGap:
                Gaps++;
                break;
        }
        Accepted++;

        var snapshot = ctx.Snapshot;
        UpdateIndicators(ctx, candle, status);
        ctx.State.Fill(snapshot);
        if (ctx.Derivatives is not null || TracksLiquidations)
        {
            (ctx.Derivatives ??= new DerivativesHistory()).Evaluate(candle.OpenTime + Candle.MinuteMs, TracksLiquidations, ref snapshot.Derivatives);
        }
        ctx.HasSnapshot = true;

        var held = _evaluator.Evaluate(snapshot);
        var fired = held.IsEmpty ? held : ctx.Cooldown.Fire(held, candle.OpenTime);
        return new MarketUpdate(status, snapshot, held, fired, ctx.Bars);
    }

    /// <summary>
    /// Asks for the lines the indicators and the snapshot need late in the update: the indicator lanes (read in one
    /// sweep), the forming and previous bars, the snapshot's window arrays, and the indicator values the update will
    /// overwrite (the previous-indicators array, which the shift makes current). With hundreds of symbols they are out
    /// of the caches; asked for now, their misses overlap each other and the windows' update instead of each waiting
    /// in turn. Only hints: results do not depend on them.
    /// </summary>
    private static void PrefetchIndicatorBlocks(SymbolContext ctx)
    {
        var timeframes = ctx.IndicatorTimeframes;
        if (timeframes.Length == 0)
        {
            return;
        }

        CacheHints.Prefetch(ref Unsafe.AsRef(in ctx.Lanes.Data), ctx.Lanes.Stride * IndicatorLanes.FieldCount * sizeof(double));
        ctx.Bars.Prefetch();
        var snapshot = ctx.Snapshot;
        PrefetchWindowArray(snapshot.Change);
        PrefetchWindowArray(snapshot.QuoteVolume);
        PrefetchWindowArray(snapshot.BaseVolume);
        PrefetchWindowArray(snapshot.Open);
        PrefetchWindowArray(snapshot.High);
        PrefetchWindowArray(snapshot.Low);
        PrefetchWindowArray(snapshot.Trades);
        var target = snapshot.PreviousIndicators;
        CacheHints.Prefetch(ref target[(int)timeframes[0]], ((int)timeframes[^1] - (int)timeframes[0] + 1) * Unsafe.SizeOf<IndicatorValues>());
        if (ctx.Derivatives is { } derivatives)
        {
            CacheHints.Prefetch(ref snapshot.Derivatives);
            derivatives.Prefetch();
        }
    }

    private static void PrefetchWindowArray(double[] values) => CacheHints.Prefetch(ref values[0], values.Length * sizeof(double));

    /// <summary>
    /// When the candle closes bars (about 0.29 timeframes per candle on average, all symbols on the same minutes),
    /// asks for those timeframes' peek and commit state now: 1.6 KB each that nothing touched since the bar before
    /// (the peeks read the lanes), so with hundreds of symbols it is out of the caches, and without this the commit
    /// waits for it line after line. The windows' update runs in between. Only for the few lines a close needs;
    /// results do not depend on it.
    /// </summary>
    private static void PrefetchClosingBars(SymbolContext ctx, long openTime)
    {
        var timeframes = ctx.IndicatorTimeframes;
        if (timeframes.Length == 0)
        {
            return;
        }

        var closing = ctx.Bars.WouldClose(openTime);
        if (closing.IsEmpty)
        {
            return;
        }

        var peek = ctx.IndicatorPeek;
        var commit = ctx.IndicatorCommit;
        var trend = ctx.IndicatorTrend;
        for (var k = 0; k < timeframes.Length; k++)
        {
            if (closing.Contains(timeframes[k]))
            {
                CacheHints.Prefetch(ref peek[k]);
                CacheHints.Prefetch(ref commit[k]);
                CacheHints.Prefetch(ref trend[k]);
            }
        }
    }

    [SkipLocalsInit]
    private static void UpdateIndicators(SymbolContext ctx, in Candle candle, CandleStatus status)
    {
        var snapshot = ctx.Snapshot;
        var bars = ctx.Bars;
        var peek = ctx.IndicatorPeek;
        var timeframes = ctx.IndicatorTimeframes;
        if (status == CandleStatus.Replaced)
        {
            // The previous candle's values stay; bars already handed over are untouched by construction.
            bars.ReplaceLatest(candle);
        }
        else
        {
            if (status == CandleStatus.Appended && ctx.HasSnapshot)
            {
                snapshot.ShiftIndicators();
            }
            else
            {
                Array.Fill(snapshot.PreviousIndicators, IndicatorValues.Unavailable);
            }
            var closed = bars.Add(candle);
            if (!closed.IsEmpty)
            {
                for (var k = 0; k < timeframes.Length; k++)
                {
                    var tf = timeframes[k];
                    if (closed.Contains(tf))
                    {
                        ctx.CommitBar(k, bars.Closed(tf));
                    }
                }
            }
        }
        // Timeframes without indicators are not written: both arrays hold Unavailable there from the start (and
        // after Reset), and the engine never writes anything else into them.
        var current = snapshot.Indicators;
        if (timeframes.Length == 0)
        {
            return;
        }

        if (!IndicatorLaneKernel.IsSupported)
        {
            for (var k = 0; k < timeframes.Length; k++)
            {
                var tf = timeframes[k];
                ref readonly var forming = ref bars.Forming(tf);
                IndicatorKernel.Compute(in peek[k], forming.High, forming.Low, forming.Close, forming.Volume, ref current[(int)tf]);
                IndicatorKernel.ComputeTrend(in ctx.IndicatorTrend[k], forming.High, forming.Low, forming.Close, forming.Volume, ref current[(int)tf]);
            }
            return;
        }

        // All timeframes at once in SIMD lanes (IndicatorLanes): the forming bars in, the values out through
        // buffers on the stack. The input is zeroed (unused lanes of the last vector compute on zeros, never on
        // garbage that could be slow denormals); the output is not (SkipLocalsInit): only used lanes are read.
        var formingLanes = default(FormingLanes);
        for (var k = 0; k < timeframes.Length; k++)
        {
            ref readonly var forming = ref bars.Forming(timeframes[k]);
            formingLanes.High[k] = forming.High;
            formingLanes.Low[k] = forming.Low;
            formingLanes.Close[k] = forming.Close;
            formingLanes.Volume[k] = forming.Volume;
        }

        Unsafe.SkipInit(out IndicatorLaneValues values);
        IndicatorLaneKernel.Compute(in ctx.Lanes, in formingLanes, ref values);
        values.CopyTo(timeframes.Length, timeframes, current);
    }

    private sealed class SymbolContext
    {
        public SymbolContext(string symbol, SymbolCooldown cooldown, Timeframe[] indicatorTimeframes)
        {
            Symbol = symbol;
            Cooldown = cooldown;
            IndicatorTimeframes = indicatorTimeframes;
            // The indicator state of all timeframes in two contiguous blocks: what every candle reads, and what
            // only bar closes touch.
            IndicatorPeek = new IndicatorPeekState[indicatorTimeframes.Length];
            IndicatorCommit = new IndicatorCommitState[indicatorTimeframes.Length];
            IndicatorTrend = new IndicatorTrendState[indicatorTimeframes.Length];
            Lanes = new IndicatorLanes(indicatorTimeframes.Length);
            ResetIndicators();
            Snapshot = new MetricsSnapshot { Symbol = symbol };
        }

        /// <summary>The dictionary key (the snapshot's Symbol can be changed by its readers).</summary>
        public string Symbol { get; }

        public SymbolState State { get; } = new();

        public BarBuilder Bars { get; } = new();

        /// <summary>The timeframes with indicators, ascending; index k of the two state arrays is timeframe k here.</summary>
        public Timeframe[] IndicatorTimeframes { get; }

        public IndicatorPeekState[] IndicatorPeek { get; }

        public IndicatorCommitState[] IndicatorCommit { get; }

        /// <summary>The trend indicators' state (touched at bar closes; the lanes read what a peek needs of it).</summary>
        public IndicatorTrendState[] IndicatorTrend { get; }

        public MetricsSnapshot Snapshot { get; }

        public SymbolCooldown Cooldown { get; }

        public bool HasSnapshot { get; set; }

        /// <summary>Open interest, funding and liquidations (null until the first sample, or a feed that tracks liquidations).</summary>
        public DerivativesHistory? Derivatives { get; set; }

        /// <summary>
        /// What the peeks of all timeframes read, as SIMD lanes (lane k = timeframe k), derived from
        /// <see cref="IndicatorPeek"/> after each change of it (<see cref="CommitBar"/>, <see cref="Reset"/>). A field,
        /// not a property, so the kernel reads it in place; a struct inside this object, so a symbol's hot state is
        /// one allocation.
        /// </summary>
        public IndicatorLanes Lanes;

        /// <summary>The symbol updated after this one the last time (the guess at the next one).</summary>
        public SymbolContext? Next { get; set; }

        /// <summary>The symbol whose derivatives sample came after this one's the last time.</summary>
        public SymbolContext? NextDerivatives { get; set; }

        /// <summary>What <see cref="SeedBars"/> committed before the first candle (null: not seeded, or reset since).</summary>
        public SeedMark? Seeds { get; set; }

        public void Reset()
        {
            State.Reset();
            Bars.Reset();
            ResetIndicators();
            Seeds = null;
            Array.Fill(Snapshot.Indicators, IndicatorValues.Unavailable);
            Array.Fill(Snapshot.PreviousIndicators, IndicatorValues.Unavailable);
            HasSnapshot = false;
        }

        /// <summary>Commits a closed bar of timeframe k (index into <see cref="IndicatorTimeframes"/>) to its indicators.</summary>
        public void CommitBar(int k, in Candle bar)
        {
            IndicatorKernel.Commit(ref IndicatorPeek[k], ref IndicatorCommit[k], ref IndicatorTrend[k], bar);
            Lanes.Load(k, in IndicatorPeek[k]);
            Lanes.LoadTrend(k, in IndicatorTrend[k]);
        }

        private void ResetIndicators()
        {
            for (var k = 0; k < IndicatorPeek.Length; k++)
            {
                IndicatorKernel.Reset(ref IndicatorPeek[k], ref IndicatorCommit[k], ref IndicatorTrend[k]);
                Lanes.Load(k, in IndicatorPeek[k]);
                Lanes.LoadTrend(k, in IndicatorTrend[k]);
            }
        }
    }
}
