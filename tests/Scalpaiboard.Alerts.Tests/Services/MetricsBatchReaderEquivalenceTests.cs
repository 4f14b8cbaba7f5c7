using System.Globalization;
using System.Text;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Alerts.Tests.Benchmarks;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;
using Scalpaiboard.Market.Signals.Alerts;

namespace Scalpaiboard.Alerts.Tests.Services;

/// <summary>The streaming reader reads every input exactly as the former JsonDocument reader did.</summary>
public sealed class MetricsBatchReaderEquivalenceTests
{
    /// <summary>
    /// The ingest's frame of a real engine market (indicators on every timeframe) gives Alerts exactly what the engine's
    /// snapshot gives: the same presets, every user alert condition type on every window/timeframe and direction, and
    /// the same stored metrics JSON.
    /// </summary>
    [Fact]
    public void The_frame_of_a_real_engine_market_evaluates_exactly_like_the_engine_snapshot()
    {
        var market = new SyntheticMarket(20, seed: 3, MetricsFeed.T0, regimeRate: 0.05, derivatives: true);
        for (var i = 0; i < 300; i++)
        {
            market.Step(frame: false);
        }
        var presets = new PresetEvaluator();
        var conditions = new List<AlertCondition>();
        foreach (var type in Enum.GetValues<AlertConditionType>())
        {
            foreach (var w in Enum.GetValues<Window>())
            {
                foreach (var d in Enum.GetValues<CrossDirection>())
                {
                    var tf = (Timeframe)((int)w + 1);
                    conditions.Add(new AlertCondition(type, type switch
                    {
                        AlertConditionType.RsiAbove or AlertConditionType.RsiBelow or AlertConditionType.RsiCross => 50,
                        AlertConditionType.VolumeAbove => 1_000_000,
                        AlertConditionType.PriceAbove or AlertConditionType.PriceBelow or AlertConditionType.PriceCross => market.Price(0),
                        AlertConditionType.FundingAbove or AlertConditionType.FundingBelow => 0.0001,
                        AlertConditionType.LiquidationsAbove => 20_000,
                        _ => 0.1,
                    }, w, tf, d, Side: (int)d == 0 ? null : (Scalpaiboard.Market.Derivatives.LiquidationSide)((int)d - 1)));
                }
            }
        }
        int met = 0, fired = 0;
        var metDerivatives = new HashSet<AlertConditionType>();
        var metTrend = new HashSet<AlertConditionType>();
        var json = "";
        for (var i = 0; i < 60; i++)
        {
            var engine = new List<MetricsSnapshot>();
            var frame = market.Step(frame: true, engine)!;
            var batch = MetricsBatchReader.ReadEntry(frame);
            Assert.Equal(engine.Count, batch.Items.Count);
            for (var k = 0; k < engine.Count; k++)
            {
                var (want, got) = (engine[k], batch.Items[k]);
                Assert.Equal((want.Symbol, want.OpenTime), (got.Symbol, got.OpenTime));
                var mask = presets.Evaluate(want);
                Assert.Equal(mask, presets.Evaluate(got));
                fired += mask.Count;
                foreach (var c in conditions)
                {
                    var m = c.IsMet(want);
                    Assert.True(m == c.IsMet(got), $"{c} on {want.Symbol} at {want.OpenTime}");
                    met += m ? 1 : 0;
                    if (m && c.Type is >= AlertConditionType.FundingAbove and <= AlertConditionType.LiquidationsAbove)
                    {
                        metDerivatives.Add(c.Type);
                    }
                    if (m && c.Type is AlertConditionType.SupertrendFlip or AlertConditionType.DonchianBreakout)
                    {
                        metTrend.Add(c.Type);
                    }
                }
                json = MetricsJson.Write(got);
                Assert.Equal(MetricsJson.Write(want), json);
            }
        }
        Assert.True(met > 100 && fired > 0, $"the comparison must see conditions hold ({met}) and presets fire ({fired})");
        Assert.Equal(5, metDerivatives.Count); // every derivatives condition held somewhere
        Assert.Equal(2, metTrend.Count); // supertrend_flip and donchian_breakout too
        Assert.Contains("\"fundingRate\":", json, StringComparison.Ordinal);
        Assert.Contains("\"liquidationsLong_1h\":", json, StringComparison.Ordinal);
    }

    /// <summary>An entry an ingest of before the frame left in Redis is still read (JSON fallback on its first byte).</summary>
    [Fact]
    public void A_former_JSON_entry_is_still_read()
    {
        var json = MetricsFeed.BatchJson(MetricsFeed.T0, [new FeedItem("aaausdt", 100, 99, MetricsFeed.PioneerBull)]);
        var batch = MetricsBatchReader.ReadEntry(Encoding.UTF8.GetBytes("  " + json));
        var s = Assert.Single(batch.Items);
        Assert.Equal(("AAAUSDT", MetricsFeed.T0, 100.0, 1.5), (s.Symbol, s.OpenTime, s.Price, s.Change[0]));
        Assert.Throws<MetricsFrameException>(() => MetricsBatchReader.ReadEntry("SPMF"u8));
        Assert.Throws<MetricsFrameException>(() => MetricsBatchReader.ReadEntry([0xFF, 0x00]));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => MetricsBatchReader.ReadEntry("{oops"u8));
    }

    [Fact]
    public void Reads_random_shapes_like_the_reference()
    {
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var json = RandomBatch(random);
            MetricsBatch expected;
            try
            {
                expected = ReferenceMetricsBatchReader.Read(json);
            }
            catch (FormatException)
            {
                Assert.Throws<FormatException>(() => MetricsBatchReader.Read(json));
                continue;
            }
            AssertSame(expected, MetricsBatchReader.Read(json));
        }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"items\":[")]
    [InlineData("{} trailing")]
    [InlineData("[1,2]")]
    public void Malformed_entries_are_json_errors(string json) => Assert.ThrowsAny<System.Text.Json.JsonException>(() => MetricsBatchReader.Read(json));

    private static readonly string[] Metrics = ["change", "quoteVolume", "volume", "baseVolume", "open", "high", "low", "trades", "mystery"];
    private static readonly string[] WindowNames = ["5m", "15m", "1h", "4h", "8h", "1d", "1D", "1H", "2h", "1m"];
    private static readonly string[] TimeframeNames = ["1m", "5m", "15m", "1h", "4h", "8h", "1d", "1H", "9x"];

    private static string RandomBatch(Random r)
    {
        var sb = new StringBuilder("{");
        var root = new List<string>();
        if (r.Next(4) > 0)
        {
            root.Add($"\"openTime\":{Value(r, integer: true)}");
        }
        root.Add($"\"ts\":{Value(r, integer: true)}");
        root.Add("\"extra\":{\"x\":[1,{\"y\":2}]}");
        var items = new List<string>();
        for (var i = r.Next(6); i > 0; i--)
        {
            items.Add(r.Next(12) == 0 ? Value(r) : Item(r));
        }
        root.Add($"\"items\":[{string.Join(',', items)}]");
        if (r.Next(10) == 0)
        {
            root.Add("\"items\":[]");
        }
        Shuffle(r, root);
        sb.Append(string.Join(',', root)).Append('}');
        return sb.ToString();
    }

    private static string Item(Random r)
    {
        var props = new List<string>();
        if (r.Next(10) > 0)
        {
            props.Add(r.Next(15) == 0 ? "\"symbol\":5" : r.Next(15) == 0 ? "\"symbol\":\"\"" : $"\"symbol\":\"{(r.Next(2) == 0 ? "btcusdt" : "ETHUSDT")}\"");
        }
        if (r.Next(10) > 0)
        {
            props.Add($"\"openTime\":{(r.Next(15) == 0 ? "\"1\"" : Value(r, integer: true))}");
        }
        foreach (var name in new[] { "price", "close", "previousPrice", "previousClose", "marketCap" })
        {
            if (r.Next(3) == 0)
            {
                props.Add($"\"{name}\":{Value(r)}");
            }
        }
        if (r.Next(2) == 0)
        {
            props.Add($"\"windows\":{{{string.Join(',', Enumerable.Range(0, r.Next(5)).Select(_ =>
                $"\"{Pick(r, WindowNames)}\":" + (r.Next(8) == 0 ? Value(r) : $"{{{string.Join(',', Enumerable.Range(0, r.Next(5)).Select(_ => $"\"{Pick(r, Metrics)}\":{Value(r)}"))}}}")))}}}");
        }
        for (var i = r.Next(4); i > 0; i--)
        {
            props.Add(r.Next(2) == 0
                ? $"\"{Pick(r, Metrics)}_{Pick(r, WindowNames)}\":{Value(r)}"
                : $"\"{Pick(r, Metrics)}\":{{{string.Join(',', Enumerable.Range(0, r.Next(4)).Select(_ => $"\"{Pick(r, WindowNames)}\":{Value(r)}"))}}}");
        }
        foreach (var name in new[] { "indicators", "previousIndicators" })
        {
            if (r.Next(2) == 0)
            {
                props.Add($"\"{name}\":" + (r.Next(8) == 0 ? Value(r) : $"{{{string.Join(',', Enumerable.Range(0, r.Next(4)).Select(_ =>
                    $"\"{Pick(r, TimeframeNames)}\":" + (r.Next(8) == 0 ? Value(r) : $"{{{string.Join(',', Enumerable.Range(0, r.Next(6)).Select(_ =>
                        $"\"{(r.Next(10) == 0 ? "rsi" : r.Next(10) == 0 ? "nope" : Pick(r, IndicatorFields.Names))}\":{Value(r)}"))}}}")))}}}"));
            }
        }
        if (r.Next(4) == 0)
        {
            props.Add("\"candle\":{\"openTime\":1,\"close\":2,\"5m\":3}");
        }
        if (r.Next(6) == 0)
        {
            props.Add("\"pr\\u0069ce\":42.5");
        }
        if (r.Next(6) == 0 && props.Count > 0)
        {
            props.Add(props[r.Next(props.Count)].Replace("1", "2", StringComparison.Ordinal)); // a duplicate key
        }
        Shuffle(r, props);
        return "{" + string.Join(',', props) + "}";
    }

    private static string Value(Random r, bool integer = false) => r.Next(integer ? 12 : 10) switch
    {
        0 => "null",
        1 => "\"12.5\"",
        2 => "\"abc\"",
        3 => "true",
        4 => "{\"a\":1}",
        5 => "[1,2]",
        6 => "1e5",
        7 => (r.NextDouble() * 200 - 100).ToString("R", CultureInfo.InvariantCulture),
        8 when !integer && r.Next(20) == 0 => "1e400",
        _ => r.NextInt64(-5, 2_000_000_000_000).ToString(CultureInfo.InvariantCulture),
    };

    private static string Pick(Random r, string[] values) => values[r.Next(values.Length)];

    private static void Shuffle(Random r, List<string> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = r.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static void AssertSame(MetricsBatch expected, MetricsBatch actual)
    {
        Assert.Equal(expected.OpenTime, actual.OpenTime);
        Assert.Equal(expected.Ts, actual.Ts);
        Assert.Equal(expected.Items.Count, actual.Items.Count);
        for (var i = 0; i < expected.Items.Count; i++)
        {
            var e = expected.Items[i];
            var a = actual.Items[i];
            Assert.Equal(e.Symbol, a.Symbol);
            Assert.Equal(e.OpenTime, a.OpenTime);
            Assert.Equal(Bits([e.Price, e.PreviousPrice, e.MarketCap]), Bits([a.Price, a.PreviousPrice, a.MarketCap]));
            Assert.Equal(Bits([.. e.Change, .. e.QuoteVolume, .. e.BaseVolume, .. e.Open, .. e.High, .. e.Low, .. e.Trades]),
                Bits([.. a.Change, .. a.QuoteVolume, .. a.BaseVolume, .. a.Open, .. a.High, .. a.Low, .. a.Trades]));
            Assert.Equal(e.Indicators, a.Indicators);
            Assert.Equal(e.PreviousIndicators, a.PreviousIndicators);
        }
    }

    private static long[] Bits(double[] values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];
}
