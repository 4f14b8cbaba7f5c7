using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Alerts.Tests.Services;

public sealed class MetricsBatchReaderTests
{
    [Fact]
    public void Reads_the_ingest_shape_null_as_unavailable_and_ignores_unknown_fields()
    {
        var json = """
            {"openTime":1772409600000,"ts":5,"extra":{"x":1},"items":[
              {"symbol":"btcusdt","openTime":1772409600000,"price":65000.5,"previousPrice":null,"candle":{"openTime":1,"close":2},
               "windows":{"5m":{"change":1.25,"quoteVolume":1000,"trades":7,"mystery":3},"1d":{"change":null,"quoteVolume":null}},
               "indicators":{"1h":{"rsi14":55.5,"macdSignal":-1,"unknown":4},"9x":{"rsi14":1}},
               "previousIndicators":{"1h":{"rsi14":50}},"presets":["futures_pioneer_bull"]},
              {"openTime":1772409600000},
              {"symbol":"ETHUSDT","openTime":1772409600000,"price":3000,"change_15m":-2.5,"quoteVolume":{"1h":12345}}
            ]}
            """;
        var batch = MetricsBatchReader.Read(json);
        Assert.Equal(1772409600000, batch.OpenTime);
        Assert.Equal(2, batch.Items.Count);

        var btc = batch.Items[0];
        Assert.Equal("BTCUSDT", btc.Symbol);
        Assert.Equal(65000.5, btc.Price);
        Assert.True(double.IsNaN(btc.PreviousPrice));
        Assert.Equal(1.25, btc.Change[(int)Window.M5]);
        Assert.Equal(1000, btc.QuoteVolume[(int)Window.M5]);
        Assert.Equal(7, btc.Trades[(int)Window.M5]);
        Assert.True(double.IsNaN(btc.Change[(int)Window.D1]));
        Assert.True(double.IsNaN(btc.Change[(int)Window.H1]));
        Assert.Equal(55.5, btc.Indicators[(int)Timeframe.H1].Rsi14);
        Assert.Equal(-1, btc.Indicators[(int)Timeframe.H1].MacdSignal);
        Assert.True(double.IsNaN(btc.Indicators[(int)Timeframe.H1].Macd));
        Assert.Equal(50, btc.PreviousIndicators[(int)Timeframe.H1].Rsi14);

        var eth = batch.Items[1];
        Assert.Equal(-2.5, eth.Change[(int)Window.M15]);
        Assert.Equal(12345, eth.QuoteVolume[(int)Window.H1]);
    }
}
