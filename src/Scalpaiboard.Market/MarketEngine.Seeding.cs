using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market;

public sealed partial class MarketEngine
{
    /// <summary>
    /// Seeds a symbol's <paramref name="timeframe"/> indicators with closed bars from before its 1m history, e.g. 90
    /// days of 4h/8h/1d bars, so that a daily RSI is there with the first candle instead of weeks later. Each bar is
    /// committed exactly as a bar close during <see cref="OnClosedCandle(string, in Candle)"/> commits it, so an
    /// engine seeded with the bars that its own <see cref="BarBuilder"/> would have built from earlier 1m candles holds
    /// bit for bit the same indicators as one that was fed those candles (from its second candle on also the same
    /// previous indicators; at the first candle they are unavailable, as for every new symbol).
    /// <para>
    /// Allowed only before the symbol's first 1m candle. The bars must be aligned to the timeframe, strictly after the
    /// bars seeded before for this timeframe, and end at or before the bar of <paramref name="firstCandleOpenTime"/>
    /// (the open time of the first 1m candle that will follow; every seed of a symbol names the same one). Bars of a
    /// timeframe without indicators (<see cref="MarketEngineOptions.IndicatorTimeframes"/>) are checked, then ignored.
    /// </para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The symbol has candles already.</exception>
    /// <exception cref="ArgumentException">A bar is misaligned, out of order, too late, or not finite.</exception>
    public void SeedBars(string symbol, Timeframe timeframe, ReadOnlySpan<Candle> bars, long firstCandleOpenTime)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)timeframe, (uint)Timeframes.Count, nameof(timeframe));
        var ctx = GetOrAdd(symbol);
        if (ctx.State.LatestOpenTime != long.MinValue || ctx.Bars.HasForming)
        {
            throw new InvalidOperationException($"{symbol} has 1m candles already: bars can only be seeded before its first candle.");
        }

        var k = Array.IndexOf(ctx.IndicatorTimeframes, timeframe);
        var mark = ctx.Seeds; // Reset(symbol) forgets it with the indicators
        if (mark is not null && mark.FirstCandleOpenTime != firstCandleOpenTime)
        {
            throw new ArgumentException(
                $"{symbol} was seeded for a first 1m candle at {mark.FirstCandleOpenTime}, not {firstCandleOpenTime}.", nameof(firstCandleOpenTime));
        }

        var last = CheckBars(symbol, timeframe, bars, firstCandleOpenTime, mark?.LastOpenTime[(int)timeframe] ?? long.MinValue);
        if (bars.IsEmpty)
        {
            return;
        }
        mark = ctx.Seeds ??= new SeedMark(firstCandleOpenTime);
        mark.LastOpenTime[(int)timeframe] = last;
        if (k < 0)
        {
            return;
        }
        // CommitBar, not IndicatorKernel.Commit: the SIMD lanes the peek reads are refreshed from the committed state.
        foreach (ref readonly var bar in bars)
        {
            ctx.CommitBar(k, bar);
        }
    }

    /// <summary>
    /// Checks bars as <see cref="SeedBars"/> would before seeding them into a symbol with no seeds yet (aligned, in
    /// order, ending at or before the bar of <paramref name="firstCandleOpenTime"/>, finite), without an engine:
    /// e.g. before storing a fetched history that will be seeded later.
    /// </summary>
    /// <exception cref="ArgumentException">A bar is misaligned, out of order, too late, or not finite.</exception>
    public static void CheckSeedBars(string symbol, Timeframe timeframe, ReadOnlySpan<Candle> bars, long firstCandleOpenTime)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)timeframe, (uint)Timeframes.Count, nameof(timeframe));
        CheckBars(symbol, timeframe, bars, firstCandleOpenTime, long.MinValue);
    }

    /// <summary>The checks of <see cref="SeedBars"/> after a bar at <paramref name="last"/>; returns the last bar's open time.</summary>
    private static long CheckBars(string symbol, Timeframe timeframe, ReadOnlySpan<Candle> bars, long firstCandleOpenTime, long last)
    {
        var duration = timeframe.DurationMs();
        var limit = timeframe.AlignedOpen(firstCandleOpenTime);
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var bar = ref bars[i];
            if (timeframe.AlignedOpen(bar.OpenTime) != bar.OpenTime)
            {
                throw new ArgumentException($"{symbol} {timeframe.Name()} bar {i} opens at {bar.OpenTime}, not at a {timeframe.Name()} boundary.", nameof(bars));
            }
            if (bar.OpenTime <= last)
            {
                throw new ArgumentException($"{symbol} {timeframe.Name()} bar {i} opens at {bar.OpenTime}, not after the previous bar at {last}: bars must come oldest first, once each.", nameof(bars));
            }
            if (bar.OpenTime + duration > limit)
            {
                throw new ArgumentException($"{symbol} {timeframe.Name()} bar {i} opens at {bar.OpenTime} and ends after {limit}, the start of the bar the first 1m candle ({firstCandleOpenTime}) falls into.", nameof(bars));
            }
            if (!double.IsFinite(bar.Open) || !double.IsFinite(bar.High) || !double.IsFinite(bar.Low) || !double.IsFinite(bar.Close)
                || !double.IsFinite(bar.Volume) || !double.IsFinite(bar.QuoteVolume))
            {
                throw new ArgumentException($"{symbol} {timeframe.Name()} bar {i} at {bar.OpenTime} has a value that is not a finite number.", nameof(bars));
            }
            last = bar.OpenTime;
        }
        return last;
    }

    /// <summary>True when bars were seeded for the symbol (and not forgotten by <see cref="Reset"/> since).</summary>
    public bool IsSeeded(string symbol) => _symbols.TryGetValue(symbol, out var ctx) && ctx.Seeds is not null;

    /// <summary>A symbol's seeds: the first 1m candle they were checked against, and per timeframe the last seeded open time.</summary>
    private sealed class SeedMark(long firstCandleOpenTime)
    {
        public long FirstCandleOpenTime { get; } = firstCandleOpenTime;

        public long[] LastOpenTime { get; } = Enumerable.Repeat(long.MinValue, Timeframes.Count).ToArray();
    }
}
