using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>
/// ROC, Donchian, Keltner, SuperTrend, parabolic SAR and OBV are live: at every 1m candle, for every timeframe, the
/// engine's values are what the batch implementations (<c>scalp indicators</c>) give for the last bar of the series
/// of that timeframe's closed bars followed by the forming bar, through every warm-up, after gaps and flat minutes.
/// </summary>
public sealed class LiveTrendIndicatorsTests
{
    [Theory]
    [InlineData(11, 2400)]
    [InlineData(12, 2400)]
    public void Live_values_equal_the_batch_implementations_on_every_timeframe(int seed, int minutes)
    {
        Timeframe[] timeframes = [Timeframe.M1, .. MarketEngineOptions.DefaultIndicatorTimeframes];
        var engine = new MarketEngine(new MarketEngineOptions { IndicatorTimeframes = timeframes });
        var bars = new BarBuilder();
        var closedBars = timeframes.Select(_ => new List<Quote>()).ToArray();
        var random = new Random(seed);
        var time = DateTimeOffset.Parse("2026-01-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var price = 100d;
        var checkedValues = new int[timeframes.Length];
        for (var m = 0; m < minutes; m++)
        {
            time += Candle.MinuteMs * (random.Next(300) == 0 ? 1 + random.Next(120) : 1);
            var open = price;
            // Trending stretches, so SuperTrend and the SAR flip both ways.
            var drift = Math.Sin(m / 97d) * 0.0015;
            price *= Math.Exp(drift + ((random.NextDouble() - 0.5) * 0.004));
            var flat = random.Next(40) == 0;
            var high = flat ? open : Math.Max(open, price) * (1 + (random.NextDouble() * 0.001));
            var low = flat ? open : Math.Min(open, price) * (1 - (random.NextDouble() * 0.001));
            var close = flat ? open : price;
            var volume = flat || random.Next(30) == 0 ? 0 : random.NextDouble() * 1000;
            var candle = new Candle(time, open, high, low, close, volume, volume * close, 1 + random.Next(50), volume / 2, volume * close / 2);
            price = close;

            var update = engine.OnClosedCandle("AUSDT", candle);
            var closed = bars.Add(candle);
            for (var k = 0; k < timeframes.Length; k++)
            {
                var tf = timeframes[k];
                if (closed.Contains(tf))
                {
                    closedBars[k].Add(Quote.FromCandle(bars.Closed(tf)));
                }

                List<Quote> series = [.. closedBars[k], Quote.FromCandle(bars.Forming(tf))];
                var live = update.Snapshot!.Indicators[(int)tf];
                var where = $"minute {m}, {tf}, bar {series.Count - 1}";
                checkedValues[k] += Check(series, live, where);
            }
        }

        // Every value was checked with a value (not only NaN against null) on every timeframe, 1d included.
        Assert.All(checkedValues, c => Assert.True(c > 0));
    }

    /// <summary>Compares the live values with the batch ones of the series' last bar; returns how many were defined.</summary>
    private static int Check(List<Quote> series, in IndicatorValues live, string where)
    {
        var i = series.Count - 1;
        var roc = Roc.Calculate(series, 20)[i];
        var donchian = Donchian.Calculate(series, 20)[i];
        var keltner = Keltner.Calculate(series, 20, 2, 10)[i];
        var superTrend = SuperTrend.Calculate(series, 14, 3)[i];
        var sar = ParabolicSar.Calculate(series, 0.02, 0.2)[i];
        var obv = Obv.Calculate(series)[i];
        double? direction = superTrend.SuperTrend is null ? null : superTrend.LowerBand is null ? -1 : 1;
        var defined = 0;
        defined += Same(roc.Roc, live.Roc20, "Roc20", where);
        defined += Same(donchian.UpperBand, live.DonchianUpper20, "DonchianUpper20", where);
        defined += Same(donchian.LowerBand, live.DonchianLower20, "DonchianLower20", where);
        defined += Same(keltner.UpperBand, live.KeltnerUpper, "KeltnerUpper", where);
        defined += Same(keltner.LowerBand, live.KeltnerLower, "KeltnerLower", where);
        defined += Same(superTrend.SuperTrend, live.SuperTrend, "SuperTrend", where);
        defined += Same(direction, live.SuperTrendDirection, "SuperTrendDirection", where);
        defined += Same(sar.Sar, live.Psar, "Psar", where);
        defined += Same(obv.Obv, live.Obv, "Obv", where);
        return defined;
    }

    private static int Same(double? expected, double actual, string field, string where)
    {
        if (expected is not { } e)
        {
            Assert.True(double.IsNaN(actual), $"{where}: {field} expected unavailable, got {actual:R}");
            return 0;
        }

        // As StreamingMatchesBatchTests: the batch ATR/EMA sum in another order than the streaming steps.
        Assert.True(Math.Abs(e - actual) <= 1e-7 * Math.Max(1, Math.Abs(e)), $"{where}: {field} expected {e:R}, got {actual:R}");
        return 1;
    }
}
