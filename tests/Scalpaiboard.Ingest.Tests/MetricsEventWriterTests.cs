using System.Text;
using System.Text.Json;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Tests;

public sealed class MetricsEventWriterTests
{
    [Fact]
    public void Hand_written_event_is_byte_identical_to_the_serialized_dto_over_the_sample()
    {
        var calculator = new MarketCalculator();
        var writer = new MetricsEventWriter();
        var snapshot = new MetricsSnapshot();
        var fired = new List<PresetType>();
        using var items = new JsonBuffer(1024);
        var dtos = new List<SymbolMetrics>();
        long groupTime = long.MinValue;
        int groups = 0, compared = 0, withPresets = 0;
        void Compare()
        {
            if (dtos.Count == 0)
            {
                return;
            }
            groups++;
            // Every 7th minute (the writer still sees every candle: its cache of the last blocks is exercised).
            if (groups % 7 == 0 || dtos.Any(d => d.Presets.Count > 0))
            {
                using var hand = new JsonBuffer();
                MetricsEventWriter.WriteEnvelopeStart(hand, groupTime, 1_777_000_000_123);
                hand.Write(items.WrittenSpan);
                MetricsEventWriter.WriteEnvelopeEnd(hand);
                var expected = JsonSerializer.Serialize(new MetricsBatchEvent(groupTime, 1_777_000_000_123, dtos), IngestJson.Options);
                Assert.Equal(expected, Encoding.UTF8.GetString(hand.WrittenSpan));
                compared++;
                withPresets += dtos.Count(d => d.Presets.Count > 0);
            }
            items.Clear();
            dtos.Clear();
        }
        foreach (var (symbol, candle) in new KlineCsvReader(IngestApp.SampleData).ReadAll())
        {
            if (candle.OpenTime != groupTime)
            {
                Compare();
                groupTime = candle.OpenTime;
            }
            if (!calculator.OnClosedCandle(symbol, candle, snapshot, fired))
            {
                continue;
            }
            if (items.Length > 0)
            {
                items.Write(","u8);
            }
            writer.WriteItem(items, snapshot, candle, fired);
            dtos.Add(SymbolMetrics.From(snapshot, candle, fired.Select(p => p.Key()).ToArray()));
        }
        Compare();
        Assert.True(compared > 400, $"compared {compared} minutes");
        Assert.True(withPresets > 0, "some compared items carry fired presets");
    }

    [Fact]
    public void Coin_row_json_is_what_serializing_the_field_dictionary_gives()
    {
        var random = new Random(5);
        for (var n = 0; n < 200; n++)
        {
            var values = new double[CoinFields.Names.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = random.Next(5) == 0 ? double.NaN : (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-6, 13));
            }
            var expected = JsonSerializer.Serialize(CoinFields.ToJson("SYM" + n + "USDT", values), new JsonSerializerOptions(JsonSerializerDefaults.Web));
            Assert.Equal(expected, Encoding.UTF8.GetString(new CoinRow("SYM" + n + "USDT", values).Json));
        }
    }
}
