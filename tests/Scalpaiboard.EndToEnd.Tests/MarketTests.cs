using System.Text.Json.Nodes;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>Ingest's replay of the sample as the REST contract shows it: feed status, symbols, aggregated bars.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(10)]
public sealed class MarketTests(SystemFixture system)
{
    [Fact]
    public async Task Replay_completes_with_every_row_of_the_sample_ingested()
    {
        var status = await system.FeedStatusAsync();
        Assert.Equal("replay", (string?)status["feed"]);
        Assert.Equal("completed", (string?)status["state"]);
        Assert.Equal(system.Sample.RowCount, (long)status["candlesIngested"]!);
        Assert.Equal(system.Sample.Symbols.Count, (int)status["symbols"]!);
    }

    [Fact]
    public async Task Symbols_and_screener_list_every_replayed_symbol()
    {
        var symbols = await Api.GetAsync(system.Gateway, "/api/symbols");
        var listed = symbols.AsArray().Select(s => s is JsonValue ? (string?)s : (string?)s?["symbol"]).ToHashSet();
        Assert.Superset(system.Sample.Symbols.ToHashSet(), listed!);

        var coins = await Api.GetAsync(system.Gateway, "/api/coins?page=1&pageSize=100&sortBy=quoteVolume_1d&sortOrder=desc");
        Assert.Equal(system.Sample.Symbols.Count, (int)coins["total"]!);
        var rows = coins["data"]!.AsArray();
        Assert.Equal(system.Sample.Symbols, rows.Select(c => (string)c!["symbol"]!).Order(StringComparer.Ordinal));
        var volumes = rows.Select(c => (double)c!["quoteVolume_1d"]!).ToList();
        Assert.Equal(volumes.OrderDescending(), volumes);
        // The last price is the last close of the files.
        foreach (var c in rows)
        {
            var symbol = (string)c!["symbol"]!;
            Assert.Equal(system.Sample.BySymbol[symbol][^1].Close, (double)c["price"]!, 9);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(11)]
    public async Task Hourly_four_hourly_and_daily_bars_equal_an_aggregation_of_the_files(int symbolIndex)
    {
        var symbol = system.Sample.Symbols[symbolIndex];
        foreach (var (timeframe, minutes) in new[] { ("1h", 60), ("4h", 240), ("1d", 1440) })
        {
            var want = system.Sample.Aggregate(symbol, minutes);
            var body = await Api.GetAsync(system.Gateway, $"/api/coins/{symbol}/candles?timeframe={timeframe}&limit=1000");
            Assert.Equal(symbol, (string?)body["symbol"]);
            Assert.Equal(timeframe, (string?)body["timeframe"]);
            var got = body["candles"]!.AsArray().Select(c => new Kline((long)c!["openTime"]!, (double)c["open"]!, (double)c["high"]!,
                (double)c["low"]!, (double)c["close"]!, (double)c["volume"]!, (double)c["quoteVolume"]!, (long)c["trades"]!)).ToList();
            Assert.Equal(want.Select(k => k.OpenTime), got.Select(k => k.OpenTime));
            foreach (var (w, g) in want.Zip(got))
            {
                var where = $"{symbol} {timeframe} {w.OpenTime}";
                Assert.True(Close(w.Open, g.Open) && Close(w.High, g.High) && Close(w.Low, g.Low) && Close(w.Close, g.Close)
                    && Close(w.Volume, g.Volume) && Close(w.QuoteVolume, g.QuoteVolume) && w.Trades == g.Trades,
                    $"{where}: want {w}, got {g}");
            }
        }
    }

    private static bool Close(double want, double got) => Math.Abs(want - got) <= 1e-6 * Math.Max(1.0, Math.Abs(want));
}
