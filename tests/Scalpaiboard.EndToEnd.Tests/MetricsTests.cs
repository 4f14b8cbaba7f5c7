using System.Text.Json.Nodes;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>Rolling metrics and indicators after the replay, against values computed here from the files.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(15)]
public sealed class MetricsTests(SystemFixture system)
{
    [Fact]
    public async Task Windows_of_the_last_candle_equal_the_files()
    {
        var symbol = system.Sample.Symbols[6];
        var rows = system.Sample.BySymbol[symbol];
        var metrics = await Api.GetAsync(system.Gateway, $"/api/metrics/{symbol}");
        Assert.Equal(rows[^1].OpenTime, (long)metrics["openTime"]!);
        foreach (var (window, minutes) in new[] { ("5m", 5), ("1h", 60), ("1d", 1440) })
        {
            var w = metrics["windows"]![window]!;
            var span = rows.Skip(rows.Count - minutes).ToList();
            var quoteVolume = span.Sum(k => k.QuoteVolume);
            var change = (rows[^1].Close / rows[^(minutes + 1)].Close - 1) * 100;
            Assert.True(Math.Abs((double)w["quoteVolume"]! - quoteVolume) <= 1e-6 * quoteVolume, $"{window} quoteVolume {w["quoteVolume"]} want {quoteVolume}");
            Assert.True(Math.Abs((double)w["change"]! - change) <= 1e-6, $"{window} change {w["change"]} want {change}");
        }
    }

    [Theory]
    [InlineData("5m", 5)]
    [InlineData("15m", 15)]
    public async Task Rsi14_equals_wilders_rsi_of_the_aggregated_files(string timeframe, int minutes)
    {
        // Indicators are computed for the window timeframes (5m..1d; 1m is off by default, docs/market-engine.md).
        // The last candle of the sample closes a bar of each, so the value is that of the closed bars.
        var symbol = system.Sample.Symbols[6];
        var metrics = await Api.GetAsync(system.Gateway, $"/api/metrics/{symbol}");
        var rsi = metrics["indicators"]?[timeframe]?["rsi14"];
        Assert.True(rsi is JsonValue, $"GET /api/metrics/{symbol}: no indicators.{timeframe}.rsi14: {metrics["indicators"]?[timeframe]?.ToJsonString()}");
        var want = WilderRsi(system.Sample.Aggregate(symbol, minutes).Select(k => k.Close).ToList(), 14);
        Assert.Equal(want, (double)rsi!, 6);
    }

    [Fact]
    public async Task Screener_headline_rsi14_1h_is_there_after_two_days_of_data()
    {
        var coin = await Api.GetAsync(system.Gateway, $"/api/coins/{system.Sample.Symbols[6]}");
        Assert.True(coin["rsi14_1h"] is JsonValue v && (double)v is >= 0 and <= 100,
            $"GET /api/coins/{system.Sample.Symbols[6]}: rsi14_1h = {coin["rsi14_1h"]?.ToJsonString() ?? "absent"} after 48 closed 1h bars");
    }

    /// <summary>RSI with Wilder's smoothing, the first averages the simple mean of the first <paramref name="period"/> changes.</summary>
    private static double WilderRsi(IReadOnlyList<double> closes, int period)
    {
        double gain = 0, loss = 0;
        for (var i = 1; i <= period; i++)
        {
            var d = closes[i] - closes[i - 1];
            gain += Math.Max(d, 0);
            loss += Math.Max(-d, 0);
        }
        gain /= period;
        loss /= period;
        for (var i = period + 1; i < closes.Count; i++)
        {
            var d = closes[i] - closes[i - 1];
            gain = (gain * (period - 1) + Math.Max(d, 0)) / period;
            loss = (loss * (period - 1) + Math.Max(-d, 0)) / period;
        }
        return loss == 0 ? 100 : 100 - 100 / (1 + gain / loss);
    }
}
