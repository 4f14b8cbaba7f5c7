using System.Text.Json;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;

using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Services;

/// <summary>One entry of <c>market.metrics</c>: the candle minute, the publish time and a snapshot per symbol.</summary>
public sealed record MetricsBatch(long OpenTime, long Ts, IReadOnlyList<MetricsSnapshot> Items);

/// <summary>
/// Reads a <c>market.metrics</c> entry: the binary frame (<see cref="ReadEntry"/>), or the former JSON batch,
/// kept as a fallback for entries written before the frame. The JSON reader: the ingest's metrics batch JSON (<c>{"openTime","ts","items":[snapshot...]}</c>) into market-engine
/// snapshots. Tolerant by design: unknown fields are ignored, null means unavailable (NaN), and per-window values
/// may come flat (<c>change_5m</c>), nested by metric (<c>"change": {"5m": ..}</c>) or nested by window
/// (<c>"windows": {"5m": {"change": ..}}</c>); indicators per timeframe (<c>"indicators": {"1h": {"rsi14": ..}}</c>).
/// A batch of 500 symbols is about 3 MB, so this is one forward pass of <see cref="Utf8JsonReader"/> over the UTF-8
/// bytes (pooled buffer), matching property names as bytes: no document tree, no string per property name.
/// </summary>
public static class MetricsBatchReader
{
    private static readonly byte[][] WindowNames = [.. MarketWindows.Names.Select(System.Text.Encoding.UTF8.GetBytes)];
    private static readonly byte[][] TimeframeNames = [.. Timeframes.Names.Select(System.Text.Encoding.UTF8.GetBytes)];

    public static MetricsBatch Read(string json)
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(json.Length);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = System.Text.Encoding.UTF8.GetBytes(json, buffer);
            return Read(buffer.AsSpan(0, length));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A stream entry's <c>data</c>: the binary <see cref="MetricsFrame"/> the ingest writes, or (an entry left in a
    /// persistent Redis by an ingest of before the frame) the former JSON batch, recognised by its first byte
    /// <c>{</c>. Throws <see cref="MetricsFrameException"/> or <see cref="JsonException"/> for anything unreadable.
    /// </summary>
    public static MetricsBatch ReadEntry(ReadOnlySpan<byte> data)
    {
        if (!MetricsFrame.IsFrame(data) && data.TrimStart(" \t\r\n"u8) is [(byte)'{', ..])
        {
            return Read(data);
        }
        var frame = MetricsFrameReader.Read(data);
        var items = frame.Items;
        for (var i = 0; i < items.Count; i++)
        {
            // As the JSON reader: symbols are matched upper-case (the ingest writes them so: no new string then).
            items[i].Symbol = items[i].Symbol.ToUpperInvariant();
        }
        return new MetricsBatch(frame.OpenTime, frame.Ts, items);
    }

    /// <summary>The former JSON batch (UTF-8).</summary>
    public static MetricsBatch Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A metrics batch is a JSON object.");
        }
        var items = new List<MetricsSnapshot>();
        long? openTime = null, ts = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("items"u8) && reader.TokenType == JsonTokenType.StartArray)
            {
                items.Clear();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (ReadSnapshot(ref reader) is { } s)
                        {
                            items.Add(s);
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else if (name.SequenceEqual("openTime"u8))
            {
                openTime = Long(ref reader);
            }
            else if (name.SequenceEqual("ts"u8))
            {
                ts = Long(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
        if (reader.Read())
        {
            throw new JsonException("Unexpected content after the metrics batch.");
        }
        return new MetricsBatch(openTime ?? (items.Count > 0 ? items[0].OpenTime : 0), ts ?? 0, items);
    }

    /// <summary>Reads one snapshot object (the reader is on its StartObject; ends on its EndObject); null without symbol or openTime.</summary>
    private static MetricsSnapshot? ReadSnapshot(ref Utf8JsonReader reader)
    {
        var s = new MetricsSnapshot();
        string? symbol = null;
        long? openTime = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("symbol"u8))
            {
                symbol = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
                continue;
            }
            if (name.SequenceEqual("openTime"u8))
            {
                openTime = Long(ref reader);
                continue;
            }
            if (name.SequenceEqual("price"u8) || name.SequenceEqual("close"u8))
            {
                s.Price = Num(ref reader);
                continue;
            }
            if (name.SequenceEqual("previousPrice"u8) || name.SequenceEqual("previousClose"u8))
            {
                s.PreviousPrice = Num(ref reader);
                continue;
            }
            if (name.SequenceEqual("marketCap"u8))
            {
                s.MarketCap = Num(ref reader);
                continue;
            }
            if (name.SequenceEqual("indicators"u8))
            {
                ReadIndicators(ref reader, s.Indicators);
                continue;
            }
            if (name.SequenceEqual("previousIndicators"u8))
            {
                ReadIndicators(ref reader, s.PreviousIndicators);
                continue;
            }
            if (name.SequenceEqual("windows"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var window = WindowOf(Name(ref reader));
                    reader.Read();
                    if (window < 0 || reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var metric = Metric(Name(ref reader));
                        reader.Read();
                        SetWindowMetric(s, metric, window, Num(ref reader));
                    }
                }
                continue;
            }
            var us = name.LastIndexOf((byte)'_');
            int flat;
            if (us > 0 && (flat = WindowOf(name[(us + 1)..])) >= 0)
            {
                SetWindowMetric(s, Metric(name[..us]), flat, Num(ref reader));
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                var metric = Metric(name);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var window = WindowOf(Name(ref reader));
                    reader.Read();
                    if (window >= 0)
                    {
                        SetWindowMetric(s, metric, window, Num(ref reader));
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
        if (string.IsNullOrEmpty(symbol) || openTime is null)
        {
            return null;
        }
        s.Symbol = symbol.ToUpperInvariant();
        s.OpenTime = openTime.Value;
        return s;
    }

    /// <summary>The per-window metrics a snapshot keeps, by name (-1: ignored).</summary>
    private static int Metric(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("change"u8) ? 0
        : name.SequenceEqual("quoteVolume"u8) || name.SequenceEqual("volume"u8) ? 1
        : name.SequenceEqual("baseVolume"u8) ? 2
        : name.SequenceEqual("open"u8) ? 3
        : name.SequenceEqual("high"u8) ? 4
        : name.SequenceEqual("low"u8) ? 5
        : name.SequenceEqual("trades"u8) ? 6
        : -1;

    private static void SetWindowMetric(MetricsSnapshot s, int metric, int window, double value)
    {
        if (metric >= 0)
        {
            s.WindowMetric(metric)[window] = value;
        }
    }

    /// <summary>Window names match case-insensitively, as <see cref="MarketWindows.TryParse"/> does.</summary>
    private static int WindowOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < WindowNames.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, WindowNames[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static int TimeframeOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < TimeframeNames.Length; i++)
        {
            if (name.SequenceEqual(TimeframeNames[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static void ReadIndicators(ref Utf8JsonReader reader, IndicatorValues[] target)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var timeframe = TimeframeOf(Name(ref reader));
            reader.Read();
            if (timeframe < 0 || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            var values = IndicatorValues.Unavailable;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Name(ref reader);
                reader.Read();
                IndicatorFields.Set(ref values, field, Num(ref reader));
            }
            target[timeframe] = values;
        }
    }

    /// <summary>The current property name as UTF-8 (escaped names, which the ingest never writes, are unescaped into a new array).</summary>
    private static ReadOnlySpan<byte> Name(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

    /// <summary>A number, or a numeric string; anything else (null, object...) is unavailable. Skips the value.</summary>
    private static double Num(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var d))
                {
                    throw new FormatException("A number in the metrics batch cannot be represented as a double.");
                }
                return d;
            case JsonTokenType.String:
                return double.TryParse(reader.GetString(), System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN;
            default:
                reader.Skip();
                return double.NaN;
        }
    }

    private static long? Long(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var l))
        {
            return l;
        }
        reader.Skip();
        return null;
    }
}

/// <summary>The JSON names of <see cref="IndicatorValues"/> fields (camelCase of the field names).</summary>
public static class IndicatorFields
{
    public static readonly string[] Names =
    [
        "sma20", "ema20", "ema50", "rsi14", "macd", "macdSignal", "macdHistogram", "bbUpper", "bbMiddle", "bbLower",
        "bbPercentB", "bbWidth", "atr14", "atrPercent", "stochK", "stochD", "adx14", "cci20", "williamsR14", "vwap", "vcp",
        "pivotPp", "pivotR1", "pivotS1",
    ];

    /// <summary>The same as <see cref="Set(ref IndicatorValues, string, double)"/> for a UTF-8 name.</summary>
    public static void Set(ref IndicatorValues v, ReadOnlySpan<byte> name, double value)
    {
        switch (name)
        {
            case var n when n.SequenceEqual("sma20"u8): v.Sma20 = value; break;
            case var n when n.SequenceEqual("ema20"u8): v.Ema20 = value; break;
            case var n when n.SequenceEqual("ema50"u8): v.Ema50 = value; break;
            case var n when n.SequenceEqual("rsi14"u8) || n.SequenceEqual("rsi"u8): v.Rsi14 = value; break;
            case var n when n.SequenceEqual("macd"u8): v.Macd = value; break;
            case var n when n.SequenceEqual("macdSignal"u8): v.MacdSignal = value; break;
            case var n when n.SequenceEqual("macdHistogram"u8): v.MacdHistogram = value; break;
            case var n when n.SequenceEqual("bbUpper"u8): v.BbUpper = value; break;
            case var n when n.SequenceEqual("bbMiddle"u8): v.BbMiddle = value; break;
            case var n when n.SequenceEqual("bbLower"u8): v.BbLower = value; break;
            case var n when n.SequenceEqual("bbPercentB"u8): v.BbPercentB = value; break;
            case var n when n.SequenceEqual("bbWidth"u8): v.BbWidth = value; break;
            case var n when n.SequenceEqual("atr14"u8): v.Atr14 = value; break;
            case var n when n.SequenceEqual("atrPercent"u8): v.AtrPercent = value; break;
            case var n when n.SequenceEqual("stochK"u8): v.StochK = value; break;
            case var n when n.SequenceEqual("stochD"u8): v.StochD = value; break;
            case var n when n.SequenceEqual("adx14"u8): v.Adx14 = value; break;
            case var n when n.SequenceEqual("cci20"u8): v.Cci20 = value; break;
            case var n when n.SequenceEqual("williamsR14"u8): v.WilliamsR14 = value; break;
            case var n when n.SequenceEqual("vwap"u8): v.Vwap = value; break;
            case var n when n.SequenceEqual("vcp"u8): v.Vcp = value; break;
            case var n when n.SequenceEqual("pivotPp"u8): v.PivotPp = value; break;
            case var n when n.SequenceEqual("pivotR1"u8): v.PivotR1 = value; break;
            case var n when n.SequenceEqual("pivotS1"u8): v.PivotS1 = value; break;
            case var n when n.SequenceEqual("roc20"u8): v.Roc20 = value; break;
            case var n when n.SequenceEqual("donchianUpper20"u8): v.DonchianUpper20 = value; break;
            case var n when n.SequenceEqual("donchianLower20"u8): v.DonchianLower20 = value; break;
            case var n when n.SequenceEqual("keltnerUpper"u8): v.KeltnerUpper = value; break;
            case var n when n.SequenceEqual("keltnerLower"u8): v.KeltnerLower = value; break;
            case var n when n.SequenceEqual("superTrend"u8): v.SuperTrend = value; break;
            case var n when n.SequenceEqual("superTrendDirection"u8): v.SuperTrendDirection = value; break;
            case var n when n.SequenceEqual("psar"u8): v.Psar = value; break;
            case var n when n.SequenceEqual("obv"u8): v.Obv = value; break;
        }
    }

    public static void Set(ref IndicatorValues v, string name, double value)
    {
        switch (name)
        {
            case "sma20": v.Sma20 = value; break;
            case "ema20": v.Ema20 = value; break;
            case "ema50": v.Ema50 = value; break;
            case "rsi14" or "rsi": v.Rsi14 = value; break;
            case "macd": v.Macd = value; break;
            case "macdSignal": v.MacdSignal = value; break;
            case "macdHistogram": v.MacdHistogram = value; break;
            case "bbUpper": v.BbUpper = value; break;
            case "bbMiddle": v.BbMiddle = value; break;
            case "bbLower": v.BbLower = value; break;
            case "bbPercentB": v.BbPercentB = value; break;
            case "bbWidth": v.BbWidth = value; break;
            case "atr14": v.Atr14 = value; break;
            case "atrPercent": v.AtrPercent = value; break;
            case "stochK": v.StochK = value; break;
            case "stochD": v.StochD = value; break;
            case "adx14": v.Adx14 = value; break;
            case "cci20": v.Cci20 = value; break;
            case "williamsR14": v.WilliamsR14 = value; break;
            case "vwap": v.Vwap = value; break;
            case "vcp": v.Vcp = value; break;
            case "pivotPp": v.PivotPp = value; break;
            case "pivotR1": v.PivotR1 = value; break;
            case "pivotS1": v.PivotS1 = value; break;
            case "roc20": v.Roc20 = value; break;
            case "donchianUpper20": v.DonchianUpper20 = value; break;
            case "donchianLower20": v.DonchianLower20 = value; break;
            case "keltnerUpper": v.KeltnerUpper = value; break;
            case "keltnerLower": v.KeltnerLower = value; break;
            case "superTrend": v.SuperTrend = value; break;
            case "superTrendDirection": v.SuperTrendDirection = value; break;
            case "psar": v.Psar = value; break;
            case "obv": v.Obv = value; break;
        }
    }
}
