using Scalpaiboard.Testing;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>
/// Plays the shared 12-symbol kline sample through the market engine the way the ingest does (one stream entry per
/// candle minute, every symbol's snapshot in the ingest's binary frame), so the Alerts service can be
/// compared with <c>klines-sample.expected-signals.csv</c> (what <c>scalp scan</c> must produce).
/// </summary>
public static class SampleReplay
{
    public static string SharedRoot => SharedData.Root;

    public static string KlinesFolder => Path.Combine(SharedRoot, "data", "klines-sample");

    public static string ExpectedCsv => Path.Combine(SharedRoot, "data", "klines-sample.expected-signals.csv");

    public static HashSet<(string Symbol, long OpenTime, string Rule)> Expected() =>
        File.ReadLines(ExpectedCsv).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
            .Select(p => (p[0], long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), p[2])).ToHashSet();

    /// <summary>The stream entries (field <c>data</c>: the ingest's binary frame) in publish order.</summary>
    public static List<byte[]> Batches()
    {
        var candles = KlineCsvReader.Read(KlinesFolder).ToList();
        candles.Sort((a, b) => a.Candle.OpenTime != b.Candle.OpenTime
            ? a.Candle.OpenTime.CompareTo(b.Candle.OpenTime)
            : string.CompareOrdinal(a.Symbol, b.Symbol));
        var engine = new MarketEngine(new MarketEngineOptions { ComputeIndicators = false });
        var batches = new List<byte[]>();
        using var writer = new MetricsFrameWriter();
        var i = 0;
        while (i < candles.Count)
        {
            var openTime = candles[i].Candle.OpenTime;
            writer.Begin(openTime);
            for (; i < candles.Count && candles[i].Candle.OpenTime == openTime; i++)
            {
                var update = engine.OnClosedCandle(candles[i].Symbol, candles[i].Candle);
                if (update.Snapshot is { } s)
                {
                    writer.Add(s, update.Fired.Bits);
                }
            }
            batches.Add(writer.Complete(0).ToArray());
        }
        return batches;
    }

    public static async Task AppendAsync(IEventStream stream, IEnumerable<byte[]> batches)
    {
        foreach (var b in batches)
        {
            await stream.AppendBinaryAsync(EventNames.MetricsStream, [new KeyValuePair<string, ReadOnlyMemory<byte>>("data", b)], StreamTrim.None, CancellationToken.None);
        }
    }
}
