using System.Text.Json;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using MarketWindows = Scalpaiboard.Market.Metrics.Windows;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class EngineParityTests
{
    [Fact]
    public async Task Metrics_api_equals_the_market_engine_run_over_the_same_files()
    {
        var sample = SampleKlines.Load(IngestApp.SampleData);
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("parity");
        await using var app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "replay",
            ["Ingest:Replay:Path"] = IngestApp.SampleData,
            ["Ingest:RetentionDays"] = "36500",
        });
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(90));

        var engine = new MarketEngine();
        foreach (var k in sample.OrderBy(k => k.OpenTime).ThenBy(k => k.Symbol, StringComparer.Ordinal))
        {
            engine.OnClosedCandle(k.Symbol, new Candle(k.OpenTime, k.Open, k.High, k.Low, k.Close, k.Volume, k.QuoteVolume, k.Trades, k.TakerBuyVolume, k.TakerBuyQuoteVolume));
        }
        foreach (var symbol in sample.Select(k => k.Symbol).Distinct().Take(4))
        {
            Assert.True(engine.TryGetSnapshot(symbol, out var want));
            var got = await app.GetJsonAsync($"/api/metrics/{symbol}");
            Assert.Equal(want.OpenTime, got.GetProperty("openTime").GetInt64());
            Same(want.Price, got.GetProperty("price"), $"{symbol} price");
            for (var w = 0; w < MarketWindows.Count; w++)
            {
                var win = got.GetProperty("windows").GetProperty(MarketWindows.Names[w]);
                Same(want.Change[w], win.GetProperty("change"), $"{symbol} change_{MarketWindows.Names[w]}");
                Same(want.QuoteVolume[w], win.GetProperty("quoteVolume"), $"{symbol} quoteVolume_{MarketWindows.Names[w]}");
                Same(want.High[w], win.GetProperty("high"), $"{symbol} high_{MarketWindows.Names[w]}");
                Same(want.Low[w], win.GetProperty("low"), $"{symbol} low_{MarketWindows.Names[w]}");
            }
            var available = 0;
            for (var t = 0; t < Timeframes.Count; t++)
            {
                var block = got.GetProperty("indicators").GetProperty(Timeframes.Names[t]);
                var v = want.Indicators[t];
                foreach (var (name, value) in Fields(v))
                {
                    Same(value, block.GetProperty(name), $"{symbol} {Timeframes.Names[t]} {name}");
                    available += double.IsFinite(value) ? 1 : 0;
                }
            }
            Assert.True(available > 50, $"{symbol}: only {available} indicator values available");
        }
    }

    private static IEnumerable<(string, double)> Fields(IndicatorValues v) =>
    [
        ("sma20", v.Sma20), ("ema20", v.Ema20), ("ema50", v.Ema50), ("rsi14", v.Rsi14), ("macd", v.Macd),
        ("macdSignal", v.MacdSignal), ("macdHistogram", v.MacdHistogram), ("bbUpper", v.BbUpper), ("bbMiddle", v.BbMiddle),
        ("bbLower", v.BbLower), ("bbPercentB", v.BbPercentB), ("bbWidth", v.BbWidth), ("atr14", v.Atr14),
        ("atrPercent", v.AtrPercent), ("stochK", v.StochK), ("stochD", v.StochD), ("adx14", v.Adx14), ("cci20", v.Cci20),
        ("williamsR14", v.WilliamsR14), ("vwap", v.Vwap), ("vcp", v.Vcp), ("pivotPp", v.PivotPp), ("pivotR1", v.PivotR1),
        ("pivotS1", v.PivotS1), ("roc20", v.Roc20), ("donchianUpper20", v.DonchianUpper20),
        ("donchianLower20", v.DonchianLower20), ("keltnerUpper", v.KeltnerUpper), ("keltnerLower", v.KeltnerLower),
        ("superTrend", v.SuperTrend), ("superTrendDirection", v.SuperTrendDirection), ("psar", v.Psar), ("obv", v.Obv),
    ];

    private static void Same(double want, JsonElement got, string what)
    {
        if (!double.IsFinite(want))
        {
            Assert.True(got.ValueKind == JsonValueKind.Null, $"{what}: want unavailable, got {got}");
            return;
        }
        Assert.True(got.ValueKind == JsonValueKind.Number, $"{what}: want {want}, got {got}");
        Assert.True(Math.Abs(want - got.GetDouble()) <= 1e-9 * Math.Max(1, Math.Abs(want)), $"{what}: want {want}, got {got.GetDouble()}");
    }
}
