namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// The headline indicators of one timeframe at one moment, as the screener, the metrics API and user alerts
/// use them. <see cref="double.NaN"/> means unavailable (warm-up or missing history), never zero.
/// Computed on calendar-aligned bars of the timeframe, the last one being the forming bar.
/// </summary>
public struct IndicatorValues
{
    public double Sma20;
    public double Ema20;
    public double Ema50;
    public double Rsi14;
    public double Macd;
    public double MacdSignal;
    public double MacdHistogram;
    public double BbUpper;
    public double BbMiddle;
    public double BbLower;
    public double BbPercentB;
    public double BbWidth;
    public double Atr14;
    /// <summary>ATR as a percent of the close.</summary>
    public double AtrPercent;
    public double StochK;
    public double StochD;
    public double Adx14;
    public double Cci20;
    public double WilliamsR14;
    public double Vwap;
    public double Vcp;
    /// <summary>Standard pivot points (PP, R1, S1) from the previous completed bar of the same timeframe.</summary>
    public double PivotPp;
    public double PivotR1;
    public double PivotS1;
    /// <summary>ROC(20): 100 * (close - close 20 bars ago) / close 20 bars ago.</summary>
    public double Roc20;
    /// <summary>Donchian(20): highest high and lowest low of the 20 bars before this one.</summary>
    public double DonchianUpper20;
    public double DonchianLower20;
    /// <summary>Keltner(20, 2, 10): EMA(20) +/- 2 * ATR(10).</summary>
    public double KeltnerUpper;
    public double KeltnerLower;
    /// <summary>SuperTrend(14, 3): the active band; <see cref="SuperTrendDirection"/> is +1 (up trend) or -1 (down trend).</summary>
    public double SuperTrend;
    public double SuperTrendDirection;
    /// <summary>Parabolic SAR(0.02, 0.2); NaN up to and including its first reversal.</summary>
    public double Psar;
    /// <summary>On-balance volume since the first bar this state saw.</summary>
    public double Obv;

    public static IndicatorValues Unavailable => new()
    {
        Sma20 = double.NaN, Ema20 = double.NaN, Ema50 = double.NaN, Rsi14 = double.NaN, Macd = double.NaN,
        MacdSignal = double.NaN, MacdHistogram = double.NaN, BbUpper = double.NaN, BbMiddle = double.NaN,
        BbLower = double.NaN, BbPercentB = double.NaN, BbWidth = double.NaN, Atr14 = double.NaN,
        AtrPercent = double.NaN, StochK = double.NaN, StochD = double.NaN, Adx14 = double.NaN, Cci20 = double.NaN,
        WilliamsR14 = double.NaN, Vwap = double.NaN, Vcp = double.NaN, PivotPp = double.NaN, PivotR1 = double.NaN,
        PivotS1 = double.NaN, Roc20 = double.NaN, DonchianUpper20 = double.NaN, DonchianLower20 = double.NaN,
        KeltnerUpper = double.NaN, KeltnerLower = double.NaN, SuperTrend = double.NaN, SuperTrendDirection = double.NaN,
        Psar = double.NaN, Obv = double.NaN,
    };
}
