using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// Everything known about one symbol at the close of one 1m candle: price, the rolling windows of SIGNALS.md,
/// and the headline indicators per timeframe. Reused between candles (no per-candle allocation); copy with
/// <see cref="CopyTo"/> to keep one. NaN means unavailable.
/// </summary>
public sealed class MetricsSnapshot
{
    public string Symbol { get; set; } = "";

    /// <summary>Open time (Unix ms) of the 1m candle whose close this snapshot describes.</summary>
    public long OpenTime { get; set; }

    /// <summary>Close of that candle.</summary>
    public double Price { get; set; } = double.NaN;

    /// <summary>Close of the previous candle (for crossing conditions); NaN if unknown.</summary>
    public double PreviousPrice { get; set; } = double.NaN;

    /// <summary>Market capitalisation in USD when a source knows it; NaN otherwise (presets then skip the cap bounds).</summary>
    public double MarketCap { get; set; } = double.NaN;

    /// <summary>change_T in percent, indexed by <see cref="Window"/>.</summary>
    public double[] Change { get; } = Filled(Windows.Count);

    /// <summary>volume_T: quote volume (USDT) summed over the window, indexed by <see cref="Window"/>.</summary>
    public double[] QuoteVolume { get; } = Filled(Windows.Count);

    /// <summary>Base-asset volume summed over the window.</summary>
    public double[] BaseVolume { get; } = Filled(Windows.Count);

    /// <summary>Rolling-bar open/high/low and trade count over the window.</summary>
    public double[] Open { get; } = Filled(Windows.Count);
    public double[] High { get; } = Filled(Windows.Count);
    public double[] Low { get; } = Filled(Windows.Count);
    public double[] Trades { get; } = Filled(Windows.Count);

    /// <summary>
    /// The per-window metric arrays by index, in the order of <see cref="MetricsFrame.WindowMetricNames"/>: change,
    /// quoteVolume, baseVolume, open, high, low, trades.
    /// </summary>
    public double[] WindowMetric(int metric) => metric switch
    {
        0 => Change,
        1 => QuoteVolume,
        2 => BaseVolume,
        3 => Open,
        4 => High,
        5 => Low,
        6 => Trades,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "a window metric index is 0 to 6"),
    };

    /// <summary>Headline indicators per chart timeframe, indexed by <see cref="Timeframe"/>.</summary>
    public IndicatorValues[] Indicators { get; private set; } = NewIndicators();

    /// <summary>The same indicators one candle earlier, for crossing conditions (RSI cross, MACD cross).</summary>
    public IndicatorValues[] PreviousIndicators { get; private set; } = NewIndicators();

    private DerivativesValues _derivatives = DerivativesValues.Unavailable;

    /// <summary>Open interest, funding, ratios and liquidations at the candle's close (../docs/DERIVATIVES.md).</summary>
    public ref DerivativesValues Derivatives => ref _derivatives;

    /// <summary>
    /// Makes the current indicators the previous ones by swapping the two arrays (no copy); the new current
    /// array still holds values two candles old until the engine overwrites every element.
    /// </summary>
    internal void ShiftIndicators() => (Indicators, PreviousIndicators) = (PreviousIndicators, Indicators);

    public void CopyTo(MetricsSnapshot target)
    {
        target.Symbol = Symbol;
        target.OpenTime = OpenTime;
        target.Price = Price;
        target.PreviousPrice = PreviousPrice;
        target.MarketCap = MarketCap;
        Change.CopyTo(target.Change, 0);
        QuoteVolume.CopyTo(target.QuoteVolume, 0);
        BaseVolume.CopyTo(target.BaseVolume, 0);
        Open.CopyTo(target.Open, 0);
        High.CopyTo(target.High, 0);
        Low.CopyTo(target.Low, 0);
        Trades.CopyTo(target.Trades, 0);
        Indicators.CopyTo(target.Indicators, 0);
        PreviousIndicators.CopyTo(target.PreviousIndicators, 0);
        target._derivatives = _derivatives;
    }

    public MetricsSnapshot Clone()
    {
        var copy = new MetricsSnapshot();
        CopyTo(copy);
        return copy;
    }

    private static double[] Filled(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }

    private static IndicatorValues[] NewIndicators()
    {
        var a = new IndicatorValues[Timeframes.Count];
        Array.Fill(a, IndicatorValues.Unavailable);
        return a;
    }
}
