namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Streaming headline indicators of one timeframe for one symbol. Closed bars are committed with
/// <see cref="OnBarClosed"/>; <see cref="Compute"/> gives the values as if the forming bar closed now, without
/// committing it. Both are O(1) and allocation-free (CCI walks its fixed 20-bar ring).
/// Definitions are those of the single indicators (Skender-compatible); NaN while warming up.
/// Vwap is the rolling VWAP of the last 20 bars (this one included); Vcp uses it as its weighted average;
/// the pivot levels are the standard ones of the previous committed bar of this timeframe.
/// State: a few hundred doubles in small rings (about 3 KB per instance).
/// </summary>
public sealed class TimeframeIndicators
{
    private readonly Sma _sma20 = new(20);
    private readonly Ema _ema20 = new(20);
    private readonly Ema _ema50 = new(50);
    private readonly Rsi _rsi14 = new(14);
    private readonly Macd _macd = new(12, 26, 9);
    private readonly BollingerBands _bollinger = new(20, 2);
    private readonly Atr _atr14 = new(14);
    private readonly Stoch _stoch = new(14, 3, 3);
    private readonly Adx _adx14 = new(14);
    private readonly Cci _cci20 = new(20);
    private readonly WilliamsR _williamsR14 = new(14);
    private readonly RollingVwap _vwap20 = new(20);
    private bool _hasPrevious;
    private double _prevHigh;
    private double _prevLow;
    private double _prevClose;

    /// <summary>Bars committed since construction or the last <see cref="Reset"/>.</summary>
    public long BarCount { get; private set; }

    public void OnBarClosed(in Candle bar)
    {
        var q = Quote.FromCandle(bar);
        _sma20.Add(q);
        _ema20.Add(q);
        _ema50.Add(q);
        _rsi14.Add(q);
        _macd.Add(q);
        _bollinger.Add(q);
        _atr14.Add(q);
        _stoch.Add(q);
        _adx14.Add(q);
        _cci20.Add(q);
        _williamsR14.Add(q);
        _vwap20.Add(q);
        (_hasPrevious, _prevHigh, _prevLow, _prevClose) = (true, q.High, q.Low, q.Close);
        BarCount++;
    }

    public void Compute(in Candle forming, ref IndicatorValues values)
    {
        var q = Quote.FromCandle(forming);
        values.Sma20 = Num.V(_sma20.Peek(q).Sma);
        values.Ema20 = Num.V(_ema20.Peek(q).Ema);
        values.Ema50 = Num.V(_ema50.Peek(q).Ema);
        values.Rsi14 = Num.V(_rsi14.Peek(q).Rsi);

        var macd = _macd.Peek(q);
        values.Macd = Num.V(macd.Macd);
        values.MacdSignal = Num.V(macd.Signal);
        values.MacdHistogram = Num.V(macd.Histogram);

        var bb = _bollinger.Peek(q);
        values.BbUpper = Num.V(bb.UpperBand);
        values.BbMiddle = Num.V(bb.Sma);
        values.BbLower = Num.V(bb.LowerBand);
        values.BbPercentB = Num.V(bb.PercentB);
        values.BbWidth = Num.V(bb.Width);

        var atr = _atr14.Peek(q);
        values.Atr14 = Num.V(atr.Atr);
        values.AtrPercent = Num.V(atr.Atrp);

        var stoch = _stoch.Peek(q);
        values.StochK = Num.V(stoch.Oscillator);
        values.StochD = Num.V(stoch.Signal);
        values.Adx14 = Num.V(_adx14.Peek(q).Adx);
        values.Cci20 = Num.V(_cci20.Peek(q).Cci);
        values.WilliamsR14 = Num.V(_williamsR14.Peek(q).WilliamsR);

        values.Vwap = Num.V(_vwap20.Peek(q).Vwap);
        values.Vcp = Vcp.Value(q, values.Vwap);

        if (_hasPrevious)
        {
            var pp = (_prevHigh + _prevLow + _prevClose) / 3;
            values.PivotPp = pp;
            values.PivotR1 = (2 * pp) - _prevLow;
            values.PivotS1 = (2 * pp) - _prevHigh;
        }
        else
        {
            values.PivotPp = values.PivotR1 = values.PivotS1 = double.NaN;
        }
    }

    public void Reset()
    {
        _sma20.Reset();
        _ema20.Reset();
        _ema50.Reset();
        _rsi14.Reset();
        _macd.Reset();
        _bollinger.Reset();
        _atr14.Reset();
        _stoch.Reset();
        _adx14.Reset();
        _cci20.Reset();
        _williamsR14.Reset();
        _vwap20.Reset();
        _hasPrevious = false;
        _prevHigh = _prevLow = _prevClose = 0;
        BarCount = 0;
    }
}
