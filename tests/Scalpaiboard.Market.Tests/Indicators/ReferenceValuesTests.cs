using Scalpaiboard.Market.Indicators;
using static Scalpaiboard.Market.Tests.Indicators.Run;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>
/// The values Skender.Stock.Indicators v2 asserts in its own unit tests (DaveSkender/Stock.Indicators,
/// tests/indicators/**/*.Tests.cs) on its standard data set, at the precision it asserts them, including the
/// warm-up counts. Each is checked for the batch and the streaming form.
/// </summary>
public sealed class ReferenceValuesTests
{
    private static readonly Quote[] Q = TestQuotes.Default;

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Sma_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Sma.Calculate(q, 20), () => new Sma(20).Add);
        Assert.Equal(483, r.Count(x => x.Sma != null));
        Assert.Null(r[18].Sma);
        Near(214.5250, r[19].Sma, 4);
        Near(215.0310, r[24].Sma, 4);
        Near(234.9350, r[149].Sma, 4);
        Near(255.5500, r[249].Sma, 4);
        Near(251.8600, r[501].Sma, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Ema_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Ema.Calculate(q, 20), () => new Ema(20).Add);
        Assert.Equal(483, r.Count(x => x.Ema != null));
        Assert.Null(r[18].Ema);
        Near(216.6228, r[29].Ema, 4);
        Near(255.3873, r[249].Ema, 4);
        Near(249.3519, r[501].Ema, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Rsi_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Rsi.Calculate(q, 14), () => new Rsi(14).Add);
        Assert.Equal(488, r.Count(x => x.Rsi != null));
        Assert.Null(r[13].Rsi);
        Near(62.0541, r[14].Rsi, 4);
        Near(70.9368, r[249].Rsi, 4);
        Near(42.0773, r[501].Rsi, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Macd_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Macd.Calculate(q, 12, 26, 9), () => new Macd(12, 26, 9).Add);
        Assert.Equal(477, r.Count(x => x.Macd != null));
        Assert.Equal(469, r.Count(x => x.Signal != null));
        Assert.Equal(469, r.Count(x => x.Histogram != null));
        Assert.Null(r[24].Macd);
        Assert.Null(r[32].Signal);
        Near(1.7203, r[49].Macd, 4);
        Near(1.9675, r[49].Signal, 4);
        Near(-0.2472, r[49].Histogram, 4);
        Near(224.1840, r[49].FastEma, 4);
        Near(222.4637, r[49].SlowEma, 4);
        Near(2.2353, r[249].Macd, 4);
        Near(2.3141, r[249].Signal, 4);
        Near(-0.0789, r[249].Histogram, 4);
        Near(256.6780, r[249].FastEma, 4);
        Near(254.4428, r[249].SlowEma, 4);
        Near(-6.2198, r[501].Macd, 4);
        Near(-5.8569, r[501].Signal, 4);
        Near(-0.3629, r[501].Histogram, 4);
        Near(245.4957, r[501].FastEma, 4);
        Near(251.7155, r[501].SlowEma, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void BollingerBands_matches_reference(Form form)
    {
        var r = Results(form, Q, q => BollingerBands.Calculate(q, 20, 2), () => new BollingerBands(20, 2).Add);
        Assert.Equal(483, r.Count(x => x.Sma != null));
        Assert.Equal(483, r.Count(x => x.UpperBand != null));
        Assert.Equal(483, r.Count(x => x.LowerBand != null));
        Assert.Equal(483, r.Count(x => x.PercentB != null));
        Assert.Equal(483, r.Count(x => x.ZScore != null));
        Assert.Equal(483, r.Count(x => x.Width != null));
        Near(255.5500, r[249].Sma, 4);
        Near(259.5642, r[249].UpperBand, 4);
        Near(251.5358, r[249].LowerBand, 4);
        Near(0.803923, r[249].PercentB, 6);
        Near(1.215692, r[249].ZScore, 6);
        Near(0.031416, r[249].Width, 6);
        Near(251.8600, r[501].Sma, 4);
        Near(273.7004, r[501].UpperBand, 4);
        Near(230.0196, r[501].LowerBand, 4);
        Near(0.349362, r[501].PercentB, 6);
        Near(-0.602552, r[501].ZScore, 6);
        Near(0.173433, r[501].Width, 6);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Atr_matches_reference(Form form)
    {
        // Skender 2.5+ (the latest v2): no TR on the first bar, first ATR at bar 14 (older 2.x seeded at bar 13).
        var r = Results(form, Q, q => Atr.Calculate(q, 14), () => new Atr(14).Add);
        Assert.Equal(488, r.Count(x => x.Atr != null));
        Assert.Equal(501, r.Count(x => x.Tr != null));
        Assert.Null(r[0].Tr);
        Near(1.45, r[13].Tr, 8);
        Assert.Null(r[13].Atr);
        Assert.Null(r[13].Atrp);
        Near(1.82, r[14].Tr, 8);
        Near(1.3364, r[14].Atr, 4);
        Near(0.6215, r[14].Atrp, 4);
        Near(0.88, r[24].Tr, 8);
        Near(1.3034, r[24].Atr, 4);
        Near(0.6026, r[24].Atrp, 4);
        Near(0.58, r[249].Tr, 8);
        Near(1.3381, r[249].Atr, 4);
        Near(0.5187, r[249].Atrp, 4);
        Near(2.67, r[501].Tr, 8);
        Near(6.1497, r[501].Atr, 4);
        Near(2.5072, r[501].Atrp, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Stoch_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Stoch.Calculate(q, 14, 3, 3), () => new Stoch(14, 3, 3).Add);
        Assert.Equal(487, r.Count(x => x.Oscillator != null));
        Assert.Equal(485, r.Count(x => x.Signal != null));
        Assert.Equal(485, r.Count(x => x.PercentJ != null));
        Near(81.1253, r[15].Oscillator, 4);
        Assert.Null(r[15].Signal);
        Assert.Null(r[15].PercentJ);
        Near(92.1307, r[17].Oscillator, 4);
        Near(88.4995, r[17].Signal, 4);
        Near(99.3929, r[17].PercentJ, 4);
        Near(81.6870, r[149].Oscillator, 4);
        Near(79.7935, r[149].Signal, 4);
        Near(85.4741, r[149].PercentJ, 4);
        Near(83.2020, r[249].K, 4);
        Near(83.0813, r[249].D, 4);
        Near(83.4435, r[249].J, 4);
        Near(43.1353, r[501].Oscillator, 4);
        Near(35.5674, r[501].Signal, 4);
        Near(58.2712, r[501].PercentJ, 4);
        Assert.All(r, x => Assert.InRange(x.Oscillator ?? 0, 0, 100));
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Stoch_fast_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Stoch.Calculate(q, 5, 10, 1), () => new Stoch(5, 10, 1).Add);
        Near(25.0353, r[487].Oscillator, 4);
        Near(60.5706, r[487].Signal, 4);
        Near(91.6233, r[501].Oscillator, 4);
        Near(36.0608, r[501].Signal, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Adx_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Adx.Calculate(q, 14), () => new Adx(14).Add);
        Assert.Equal(488, r.Count(x => x.Dx != null));
        Assert.Equal(475, r.Count(x => x.Adx != null));
        Assert.Equal(461, r.Count(x => x.Adxr != null));
        Assert.Null(r[13].Pdi);
        Assert.Null(r[13].Mdi);
        Assert.Null(r[13].Dx);
        Near(21.9669, r[14].Pdi, 4);
        Near(18.5462, r[14].Mdi, 4);
        Near(8.4433, r[14].Dx, 4);
        Assert.Null(r[14].Adx);
        Near(21.0361, r[19].Pdi, 4);
        Near(25.0124, r[19].Mdi, 4);
        Near(8.6351, r[19].Dx, 4);
        Assert.Null(r[26].Adx);
        Near(15.9459, r[27].Adx, 4);
        Near(37.9719, r[29].Pdi, 4);
        Near(14.1658, r[29].Mdi, 4);
        Near(45.6600, r[29].Dx, 4);
        Near(19.7949, r[29].Adx, 4);
        Assert.Null(r[39].Adxr);
        Assert.Null(r[40].Adxr);
        Near(29.6824, r[41].Adxr, 4);
        Near(32.3167, r[248].Pdi, 4);
        Near(18.2471, r[248].Mdi, 4);
        Near(27.8255, r[248].Dx, 4);
        Near(30.5903, r[248].Adx, 4);
        Near(29.2101, r[248].Adxr, 4);
        Near(17.7565, r[501].Pdi, 4);
        Near(31.1510, r[501].Mdi, 4);
        Near(27.3873, r[501].Dx, 4);
        Near(34.2987, r[501].Adx, 4);
        Near(30.6945, r[501].Adxr, 4);
    }

    /// <summary>
    /// ADXR = (ADX + the ADX 14 bars earlier) / 2, so its first value is at bar 41 (the first ADX is at 27); the library
    /// put it at 40 (the ADX 13 bars earlier) before 2.7.1. The values are the library's own results file
    /// (tests/indicators/_testdata/results/adx.standard.json), to 1e-9 relative.
    /// </summary>
    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Adxr_first_value_is_at_bar_41(Form form)
    {
        var r = Results(form, Q, q => Adx.Calculate(q, 14), () => new Adx(14).Add);
        Assert.Equal(41, Array.FindIndex(r, x => x.Adxr != null));
        Assert.Equal(29.682374580467233, r[41].Adxr!.Value, 1e-9 * 29.68);
        Assert.Equal(30.74813101286184, r[42].Adxr!.Value, 1e-9 * 30.75);
        Assert.Equal((r[41].Adx!.Value + r[27].Adx!.Value) / 2, r[41].Adxr!.Value, 1e-12);
        Assert.Equal(29.210070120612077, r[248].Adxr!.Value, 1e-9 * 29.21);
        Assert.Equal(30.69454831069241, r[501].Adxr!.Value, 1e-9 * 30.69);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Cci_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Cci.Calculate(q, 20), () => new Cci(20).Add);
        Assert.Equal(483, r.Count(x => x.Cci != null));
        Assert.Null(r[18].Cci);
        Near(-52.9946, r[501].Cci, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void WilliamsR_matches_reference(Form form)
    {
        var r = Results(form, Q, q => WilliamsR.Calculate(q, 14), () => new WilliamsR(14).Add);
        Assert.Equal(489, r.Count(x => x.WilliamsR != null));
        Assert.Null(r[12].WilliamsR);
        Near(-19.8211, r[343].WilliamsR, 4);
        Near(-52.0121, r[501].WilliamsR, 4);
        Assert.All(r, x => Assert.InRange(x.WilliamsR ?? -50, -100, 0));
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Roc_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Roc.Calculate(q, 20), () => new Roc(20).Add);
        Assert.Equal(482, r.Count(x => x.Momentum != null));
        Assert.Equal(482, r.Count(x => x.Roc != null));
        Assert.Null(r[19].Roc);
        Near(4.96, r[49].Momentum, 4);
        Near(2.2465, r[49].Roc, 4);
        Near(6.25, r[249].Momentum, 4);
        Near(2.4827, r[249].Roc, 4);
        Near(-22.05, r[501].Momentum, 4);
        Near(-8.2482, r[501].Roc, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Donchian_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Donchian.Calculate(q, 20), () => new Donchian(20).Add);
        Assert.Equal(482, r.Count(x => x.Centerline != null));
        Assert.Equal(482, r.Count(x => x.UpperBand != null));
        Assert.Equal(482, r.Count(x => x.LowerBand != null));
        Assert.Equal(482, r.Count(x => x.Width != null));
        Assert.Equal(default, r[19]);
        Near(214.2700, r[20].Centerline, 4);
        Near(217.0200, r[20].UpperBand, 4);
        Near(211.5200, r[20].LowerBand, 4);
        Near(0.025669, r[20].Width, 6);
        Near(254.2850, r[249].Centerline, 4);
        Near(258.7000, r[249].UpperBand, 4);
        Near(249.8700, r[249].LowerBand, 4);
        Near(0.034725, r[249].Width, 6);
        Near(265.5350, r[485].Centerline, 4);
        Near(274.3900, r[485].UpperBand, 4);
        Near(256.6800, r[485].LowerBand, 4);
        Near(0.066696, r[485].Width, 6);
        Near(251.5050, r[501].Centerline, 4);
        Near(273.5900, r[501].UpperBand, 4);
        Near(229.4200, r[501].LowerBand, 4);
        Near(0.175623, r[501].Width, 6);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Keltner_matches_reference(Form form)
    {
        var r = Results(form, Q, q => Keltner.Calculate(q, 20, 2, 10), () => new Keltner(20, 2, 10).Add);
        Assert.Equal(502 - 20 + 1, r.Count(x => x.Centerline != null));
        Assert.Equal(502 - 20 + 1, r.Count(x => x.UpperBand != null));
        Assert.Equal(502 - 20 + 1, r.Count(x => x.LowerBand != null));
        Assert.Equal(502 - 20 + 1, r.Count(x => x.Width != null));
        Near(275.4260, r[485].UpperBand, 4);
        Near(265.4599, r[485].Centerline, 4);
        Near(255.4938, r[485].LowerBand, 4);
        Near(0.075085, r[485].Width, 6);
        Near(262.1873, r[501].UpperBand, 4);
        Near(249.3519, r[501].Centerline, 4);
        Near(236.5165, r[501].LowerBand, 4);
        Near(0.102950, r[501].Width, 6);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void SuperTrend_matches_reference(Form form)
    {
        var r = Results(form, Q, q => SuperTrend.Calculate(q, 14, 3), () => new SuperTrend(14, 3).Add);
        Assert.Equal(488, r.Count(x => x.SuperTrend != null));
        Assert.Equal(default, r[13]);
        Near(210.6157, r[14].SuperTrend, 4);
        Assert.Null(r[14].UpperBand);
        Assert.Equal(r[14].SuperTrend, r[14].LowerBand);
        Near(232.8520, r[151].SuperTrend, 4);
        Assert.Null(r[151].UpperBand);
        Assert.Equal(r[151].SuperTrend, r[151].LowerBand);
        Near(237.6436, r[152].SuperTrend, 4);
        Assert.Equal(r[152].SuperTrend, r[152].UpperBand);
        Assert.Null(r[152].LowerBand);
        Near(253.8008, r[249].SuperTrend, 4);
        Assert.Null(r[249].UpperBand);
        Near(250.7954, r[501].SuperTrend, 4);
        Assert.Equal(r[501].SuperTrend, r[501].UpperBand);
        Assert.Null(r[501].LowerBand);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void ParabolicSar_matches_reference(Form form)
    {
        var r = Results(form, Q, q => ParabolicSar.Calculate(q, 0.02, 0.2), () => new ParabolicSar(0.02, 0.2).Add);
        Assert.Equal(488, r.Count(x => x.Sar != null));
        Assert.Equal(default, r[13]);
        Near(212.83, r[14].Sar, 4);
        Assert.True(r[14].IsReversal);
        Near(212.9924, r[16].Sar, 4);
        Assert.False(r[16].IsReversal);
        Near(228.3600, r[94].Sar, 4);
        Assert.False(r[94].IsReversal);
        Near(229.7662, r[501].Sar, 4);
        Assert.False(r[501].IsReversal);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void ParabolicSar_with_initial_factor_matches_reference(Form form)
    {
        var r = Results(form, Q, q => ParabolicSar.Calculate(q, 0.02, 0.2, 0.01), () => new ParabolicSar(0.02, 0.2, 0.01).Add);
        Assert.Equal(488, r.Count(x => x.Sar != null));
        Near(212.83, r[14].Sar, 4);
        Assert.True(r[14].IsReversal);
        Near(212.9518, r[16].Sar, 4);
        Near(228.36, r[94].Sar, 4);
        Near(273.4148, r[486].Sar, 4);
        Near(246.73, r[501].Sar, 4);
    }

    [Fact]
    public void ParabolicSar_without_a_reversal_stays_null()
    {
        var r = ParabolicSar.Calculate(Q.Take(10).ToArray());
        Assert.All(r, x => Assert.Null(x.Sar));
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Obv_matches_reference(Form form)
    {
        var r = Results(form, Q, Obv.Calculate, () => new Obv().Add);
        Assert.Equal(502, r.Count(x => x.Obv != null));
        Assert.Equal(1780918888d, r[249].Obv);
        Assert.Equal(539843504d, r[501].Obv);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Vwap_matches_reference_on_intraday(Form form)
    {
        var day = TestQuotes.Intraday.Take(391).ToArray();
        var r = Results(form, day, Vwap.Calculate, () => new Vwap().Add);
        Assert.Equal(391, r.Count(x => x.Vwap != null));
        Near(367.4800, r[0].Vwap, 4);
        Near(367.4223, r[1].Vwap, 4);
        Near(367.9494, r[369].Vwap, 4);
        Near(368.1804, r[390].Vwap, 4);
    }

    [Theory]
    [InlineData(Form.Batch)]
    [InlineData(Form.Streaming)]
    public void Vwap_is_anchored_at_the_first_bar_on_daily_data(Form form)
    {
        var r = Results(form, Q, Vwap.Calculate, () => new Vwap().Add);
        Assert.Equal(502, r.Count(x => x.Vwap != null));
        Assert.Equal(Q[0].TypicalPrice, r[0].Vwap!.Value, 10);
    }
}
