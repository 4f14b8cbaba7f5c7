namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Streaming headline indicators of one timeframe for one symbol. Closed bars are committed with
/// <see cref="OnBarClosed"/>; <see cref="Compute"/> gives the values as if the forming bar closed now, without
/// committing it. Both are O(1) and allocation-free (CCI walks its fixed 20-bar ring).
/// Definitions are those of the single indicators (Skender-compatible), bit for bit; NaN while warming up.
/// Vwap is the rolling VWAP of the last 20 bars (this one included); Vcp uses it as its weighted average;
/// the pivot levels are the standard ones of the previous committed bar of this timeframe.
/// The trend indicators (ROC(20), Donchian(20), Keltner(20, 2, 10), SuperTrend(14, 3), parabolic SAR(0.02, 0.2),
/// OBV) are the single indicators' values too, from a third struct (<see cref="IndicatorTrendState"/>).
/// State: three plain structs (<see cref="IndicatorPeekState"/>, read on every peek, <see cref="IndicatorCommitState"/>,
/// touched only when a bar closes, and <see cref="IndicatorTrendState"/>), about 2.1 KB in all; the market engine
/// keeps the same structs of all timeframes of a symbol in three contiguous arrays.
/// </summary>
public sealed class TimeframeIndicators
{
    private IndicatorPeekState _peek;
    private IndicatorCommitState _commit;
    private IndicatorTrendState _trend;

    public TimeframeIndicators() => IndicatorKernel.Reset(ref _peek, ref _commit, ref _trend);

    /// <summary>Bars committed since construction or the last <see cref="Reset"/>.</summary>
    public long BarCount => _commit.BarCount;

    public void OnBarClosed(in Candle bar) => IndicatorKernel.Commit(ref _peek, ref _commit, ref _trend, bar);

    public void Compute(in Candle forming, ref IndicatorValues values)
    {
        IndicatorKernel.Compute(in _peek, forming.High, forming.Low, forming.Close, forming.Volume, ref values);
        IndicatorKernel.ComputeTrend(in _trend, forming.High, forming.Low, forming.Close, forming.Volume, ref values);
    }

    public void Reset() => IndicatorKernel.Reset(ref _peek, ref _commit, ref _trend);
}
