using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>Every streaming indicator updates and peeks without allocating (allocation is counted, not timed).</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Streaming_updates_and_peeks_do_not_allocate()
    {
        var sma = new Sma();
        var ema = new Ema();
        var rsi = new Rsi();
        var macd = new Macd();
        var bb = new BollingerBands();
        var atr = new Atr();
        var stoch = new Stoch();
        var adx = new Adx();
        var cci = new Cci();
        var wr = new WilliamsR();
        var roc = new Roc();
        var donchian = new Donchian();
        var keltner = new Keltner();
        var superTrend = new SuperTrend();
        var sar = new ParabolicSar();
        var obv = new Obv();
        var vwap = new Vwap();
        var rollingVwap = new RollingVwap();
        var vcp = new Vcp();
        var pivots = new PivotPoints(PivotWindow.Week, PivotPointType.Camarilla);
        var quotes = TestQuotes.Default;
        double sink = 0;

        void Step(in Quote q)
        {
            sink += (sma.Peek(q).Sma ?? 0) + (sma.Add(q).Sma ?? 0);
            sink += (ema.Peek(q).Ema ?? 0) + (ema.Add(q).Ema ?? 0);
            sink += (rsi.Peek(q).Rsi ?? 0) + (rsi.Add(q).Rsi ?? 0);
            sink += (macd.Peek(q).Signal ?? 0) + (macd.Add(q).Signal ?? 0);
            sink += (bb.Peek(q).ZScore ?? 0) + (bb.Add(q).ZScore ?? 0);
            sink += (atr.Peek(q).Atr ?? 0) + (atr.Add(q).Atr ?? 0);
            sink += (stoch.Peek(q).PercentJ ?? 0) + (stoch.Add(q).PercentJ ?? 0);
            sink += (adx.Peek(q).Adxr ?? 0) + (adx.Add(q).Adxr ?? 0);
            sink += (cci.Peek(q).Cci ?? 0) + (cci.Add(q).Cci ?? 0);
            sink += (wr.Peek(q).WilliamsR ?? 0) + (wr.Add(q).WilliamsR ?? 0);
            sink += (roc.Peek(q).Roc ?? 0) + (roc.Add(q).Roc ?? 0);
            sink += (donchian.Peek(q).Width ?? 0) + (donchian.Add(q).Width ?? 0);
            sink += (keltner.Peek(q).Width ?? 0) + (keltner.Add(q).Width ?? 0);
            sink += (superTrend.Peek(q).SuperTrend ?? 0) + (superTrend.Add(q).SuperTrend ?? 0);
            sink += (sar.Peek(q).Sar ?? 0) + (sar.Add(q).Sar ?? 0);
            sink += (obv.Peek(q).Obv ?? 0) + (obv.Add(q).Obv ?? 0);
            sink += (vwap.Peek(q).Vwap ?? 0) + (vwap.Add(q).Vwap ?? 0);
            sink += (rollingVwap.Peek(q).Vwap ?? 0) + (rollingVwap.Add(q).Vwap ?? 0);
            sink += (vcp.Peek(q).Vcp ?? 0) + (vcp.Add(q).Vcp ?? 0);
            sink += (pivots.Peek(q).R4 ?? 0) + (pivots.Add(q).R4 ?? 0);
        }

        for (var i = 0; i < 100; i++)
        {
            Step(quotes[i]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < quotes.Length; i++)
        {
            Step(quotes[i]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sink));
    }
}
