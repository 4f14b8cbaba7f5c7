using System.Text.Json;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;
using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>
/// One symbol's snapshot as the ingest publishes it (windows nested by window name; null = unavailable), with the
/// derivatives fields by their DERIVATIVES.md names (<c>fundingRate</c>, ...; the frame only, the others unavailable).
/// </summary>
public sealed record FeedItem(string Symbol, double Price, double? PreviousPrice = null, IReadOnlyDictionary<string, (double? Change, double? QuoteVolume)>? Windows = null,
    IReadOnlyDictionary<string, double>? Derivatives = null);

/// <summary>
/// Writes metrics batches to the real <c>market.metrics</c> stream as the ingest does (the binary frame of the shared
/// <see cref="MetricsFrameWriter"/>), or in the former JSON shape (<see cref="AppendJsonAsync"/>: entries an older
/// ingest left in Redis).
/// </summary>
public static class MetricsFeed
{
    public static readonly long T0 = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static long Minute(int i) => T0 + i * 60_000L;

    /// <summary>Windows for which only futures_pioneer_bull holds (c_5m 1.5, c_15m 2, v_5m 100, v_15m 150).</summary>
    public static readonly IReadOnlyDictionary<string, (double?, double?)> PioneerBull = new Dictionary<string, (double?, double?)>
    {
        ["5m"] = (1.5, 100_000), ["15m"] = (2.0, 150_000),
    };

    /// <summary>Windows for which no preset holds.</summary>
    public static readonly IReadOnlyDictionary<string, (double?, double?)> Quiet = new Dictionary<string, (double?, double?)>
    {
        ["5m"] = (0.1, 100_000), ["15m"] = (0.1, 300_000),
    };

    public static string BatchJson(long openTime, IEnumerable<FeedItem> items)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("openTime", openTime);
            w.WriteNumber("ts", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            w.WriteStartArray("items");
            foreach (var item in items)
            {
                w.WriteStartObject();
                w.WriteString("symbol", item.Symbol);
                w.WriteNumber("openTime", openTime);
                w.WriteNumber("price", item.Price);
                if (item.PreviousPrice is { } p)
                {
                    w.WriteNumber("previousPrice", p);
                }
                else
                {
                    w.WriteNull("previousPrice");
                }
                w.WriteStartObject("candle");
                w.WriteNumber("openTime", openTime);
                w.WriteNumber("close", item.Price);
                w.WriteEndObject();
                w.WriteStartObject("windows");
                foreach (var name in new[] { "5m", "15m", "1h", "4h", "8h", "1d" })
                {
                    w.WriteStartObject(name);
                    var has = item.Windows is not null && item.Windows.TryGetValue(name, out var v);
                    (double? c, double? q) = has ? item.Windows![name] : (null, null);
                    if (c is { } cv) { w.WriteNumber("change", cv); } else { w.WriteNull("change"); }
                    if (q is { } qv) { w.WriteNumber("quoteVolume", qv); } else { w.WriteNull("quoteVolume"); }
                    w.WriteNull("unknownField");
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteStartObject("indicators");
                w.WriteStartObject("1h");
                w.WriteNumber("rsi14", 55.5);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartArray("presets");
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The frame: what the JSON shape holds (RSI 55.5 on 1h, the candle's close), everything else unavailable.</summary>
    public static byte[] Frame(long openTime, IEnumerable<FeedItem> items)
    {
        using var writer = new MetricsFrameWriter();
        writer.Begin(openTime);
        foreach (var item in items)
        {
            var s = new MetricsSnapshot
            {
                Symbol = item.Symbol,
                OpenTime = openTime,
                Price = item.Price,
                PreviousPrice = item.PreviousPrice ?? double.NaN,
            };
            for (var w = 0; w < MarketWindows.Count; w++)
            {
                if (item.Windows is not null && item.Windows.TryGetValue(MarketWindows.Names[w], out var v))
                {
                    s.Change[w] = v.Change ?? double.NaN;
                    s.QuoteVolume[w] = v.QuoteVolume ?? double.NaN;
                }
            }
            s.Indicators[(int)Timeframe.H1].Rsi14 = 55.5;
            var derivatives = s.Derivatives.AsSpan();
            foreach (var (name, value) in item.Derivatives ?? new Dictionary<string, double>())
            {
                derivatives[Array.IndexOf(DerivativesValues.Names, name)] = value;
            }
            writer.Add(s, 0);
        }
        return writer.Complete(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToArray();
    }

    public static Task<string> AppendAsync(IEventStream stream, long openTime, params FeedItem[] items) =>
        stream.AppendBinaryAsync(EventNames.MetricsStream, [new KeyValuePair<string, ReadOnlyMemory<byte>>("data", Frame(openTime, items))], StreamTrim.None,
            CancellationToken.None);

    public static Task<string> AppendJsonAsync(IEventStream stream, long openTime, params FeedItem[] items) =>
        stream.AppendAsync(EventNames.MetricsStream, [new("data", BatchJson(openTime, items))], StreamTrim.None, CancellationToken.None);

    /// <summary>Minutes 0..n-1 of <paramref name="symbols"/>, every one meeting Pioneer Bull: fires at 0, 5, 10, ... (cooldown 5).</summary>
    public static async Task AppendPioneerRunAsync(IEventStream stream, int minutes, params string[] symbols)
    {
        for (var i = 0; i < minutes; i++)
        {
            await AppendAsync(stream, Minute(i), symbols.Select(s => new FeedItem(s, 100 + i, 99 + i, PioneerBull)).ToArray());
        }
    }
}
