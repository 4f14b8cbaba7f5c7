using System.Buffers;
using System.Text.Json;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;
using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>
/// Plays the shared 12-symbol kline sample through the market engine the way the ingest does (one stream entry per
/// candle minute, every symbol's snapshot in the ingest's JSON shape, NaN as null), so the Alerts service can be
/// compared with <c>klines-sample.expected-signals.csv</c> (what <c>scalp scan</c> must produce).
/// </summary>
public static class SampleReplay
{
    public static string SharedRoot { get; } = Find();

    public static string KlinesFolder => Path.Combine(SharedRoot, "data", "klines-sample");

    public static string ExpectedCsv => Path.Combine(SharedRoot, "data", "klines-sample.expected-signals.csv");

    public static HashSet<(string Symbol, long OpenTime, string Rule)> Expected() =>
        File.ReadLines(ExpectedCsv).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
            .Select(p => (p[0], long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), p[2])).ToHashSet();

    /// <summary>The stream entries (field <c>data</c>) in publish order.</summary>
    public static List<string> Batches()
    {
        var candles = KlineCsvReader.Read(KlinesFolder).ToList();
        candles.Sort((a, b) => a.Candle.OpenTime != b.Candle.OpenTime
            ? a.Candle.OpenTime.CompareTo(b.Candle.OpenTime)
            : string.CompareOrdinal(a.Symbol, b.Symbol));
        var engine = new MarketEngine(new MarketEngineOptions { ComputeIndicators = false });
        var batches = new List<string>();
        var i = 0;
        while (i < candles.Count)
        {
            var openTime = candles[i].Candle.OpenTime;
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("openTime", openTime);
                w.WriteNumber("ts", 0);
                w.WriteStartArray("items");
                for (; i < candles.Count && candles[i].Candle.OpenTime == openTime; i++)
                {
                    var update = engine.OnClosedCandle(candles[i].Symbol, candles[i].Candle);
                    if (update.Snapshot is { } s)
                    {
                        WriteSnapshot(w, s);
                    }
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            batches.Add(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        return batches;
    }

    public static async Task AppendAsync(IEventStream stream, IEnumerable<string> batches)
    {
        foreach (var b in batches)
        {
            await stream.AppendAsync(EventNames.MetricsStream, [new("data", b)], 1_000_000, CancellationToken.None);
        }
    }

    private static void WriteSnapshot(Utf8JsonWriter w, MetricsSnapshot s)
    {
        w.WriteStartObject();
        w.WriteString("symbol", s.Symbol);
        w.WriteNumber("openTime", s.OpenTime);
        Number(w, "price", s.Price);
        Number(w, "previousPrice", s.PreviousPrice);
        w.WriteStartObject("windows");
        for (var k = 0; k < MarketWindows.Count; k++)
        {
            w.WriteStartObject(MarketWindows.Names[k]);
            Number(w, "change", s.Change[k]);
            Number(w, "quoteVolume", s.QuoteVolume[k]);
            Number(w, "baseVolume", s.BaseVolume[k]);
            Number(w, "open", s.Open[k]);
            Number(w, "high", s.High[k]);
            Number(w, "low", s.Low[k]);
            Number(w, "trades", s.Trades[k]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Find()
    {
        var env = Environment.GetEnvironmentVariable("SCALPAIBOARD_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data", "klines-sample")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("shared reference data not found: set SCALPAIBOARD_SHARED to the folder holding data/");
    }
}
