using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Model;

/// <summary>
/// Writes the <c>market.metrics</c> event JSON straight from the engine's <see cref="MetricsSnapshot"/>, byte for
/// byte what <see cref="JsonSerializer"/> gives for <see cref="MetricsBatchEvent"/> with <see cref="IngestJson.Options"/>
/// (same names, order, null values left out, same number text), without building the DTO per candle. An indicator
/// block whose values are bit-identical to one of the symbol's two last written blocks (the previous candle's
/// values, now <c>previousIndicators</c>) is copied instead of formatted again. Not thread-safe: one writer per feed loop.
/// </summary>
public sealed class MetricsEventWriter
{
    private static readonly byte[][] WindowKeys = Keys(Market.Metrics.Windows.Names);
    private static readonly byte[][] TimeframeKeys = Keys(Timeframes.Names);
    private static readonly byte[][] IndicatorKeys =
        Keys(["sma20", "ema20", "ema50", "rsi14", "macd", "macdSignal", "macdHistogram", "bbUpper", "bbMiddle", "bbLower",
            "bbPercentB", "bbWidth", "atr14", "atrPercent", "stochK", "stochD", "adx14", "cci20", "williamsR14", "vwap", "vcp",
            "pivotPp", "pivotR1", "pivotS1"]);
    private static readonly byte[][] PresetValues = Enum.GetValues<PresetType>()
        .Select(p => JsonEncodedText.Encode(p.Key()).EncodedUtf8Bytes.ToArray()).ToArray();

    private readonly Dictionary<string, SymbolCache> _symbols = new(StringComparer.Ordinal);

    /// <summary>Appends one item of <c>items</c> (a <see cref="SymbolMetrics"/> object) for the candle just applied.</summary>
    public void WriteItem(JsonBuffer o, MetricsSnapshot s, in Candle candle, List<PresetType> fired)
    {
        if (!_symbols.TryGetValue(s.Symbol, out var cache))
        {
            _symbols[s.Symbol] = cache = new SymbolCache(JsonEncodedText.Encode(s.Symbol).EncodedUtf8Bytes.ToArray());
        }
        o.Write("{\"symbol\":\""u8);
        o.Write(cache.Symbol);
        o.Write("\",\"openTime\":"u8);
        o.WriteInteger(s.OpenTime);
        o.WriteOptional(",\"price\":"u8, s.Price);
        o.WriteOptional(",\"previousPrice\":"u8, s.PreviousPrice);
        o.WriteOptional(",\"marketCap\":"u8, s.MarketCap);
        o.Write(",\"candle\":{\"openTime\":"u8);
        o.WriteInteger(candle.OpenTime);
        o.Write(",\"open\":"u8);
        o.WriteNumber(candle.Open);
        o.Write(",\"high\":"u8);
        o.WriteNumber(candle.High);
        o.Write(",\"low\":"u8);
        o.WriteNumber(candle.Low);
        o.Write(",\"close\":"u8);
        o.WriteNumber(candle.Close);
        o.Write(",\"volume\":"u8);
        o.WriteNumber(candle.Volume);
        o.Write(",\"quoteVolume\":"u8);
        o.WriteNumber(candle.QuoteVolume);
        o.Write(",\"trades\":"u8);
        o.WriteInteger(candle.Trades);
        o.Write("},\"windows\":{"u8);
        for (var w = 0; w < Market.Metrics.Windows.Count; w++)
        {
            if (w > 0)
            {
                o.Write(","u8);
            }
            o.Write(WindowKeys[w]);
            o.Write(":{"u8);
            var first = true;
            o.WriteMember(ref first, "\"change\":"u8, s.Change[w]);
            o.WriteMember(ref first, "\"quoteVolume\":"u8, s.QuoteVolume[w]);
            o.WriteMember(ref first, "\"baseVolume\":"u8, s.BaseVolume[w]);
            o.WriteMember(ref first, "\"open\":"u8, s.Open[w]);
            o.WriteMember(ref first, "\"high\":"u8, s.High[w]);
            o.WriteMember(ref first, "\"low\":"u8, s.Low[w]);
            o.WriteMember(ref first, "\"trades\":"u8, s.Trades[w]);
            o.Write("}"u8);
        }
        o.Write("},\"indicators\":{"u8);
        for (var t = 0; t < Timeframes.Count; t++)
        {
            WriteIndicators(o, cache, t, s.Indicators[t]);
        }
        o.Write("},\"previousIndicators\":{"u8);
        for (var t = 0; t < Timeframes.Count; t++)
        {
            WriteIndicators(o, cache, t, s.PreviousIndicators[t]);
        }
        o.Write("},\"presets\":["u8);
        for (var i = 0; i < fired.Count; i++)
        {
            o.Write(i == 0 ? "\""u8 : ",\""u8);
            o.Write(PresetValues[(int)fired[i]]);
            o.Write("\""u8);
        }
        o.Write("]}"u8);
    }

    /// <summary>The envelope: <c>{"openTime":..,"ts":..,"items":[</c> + items + <c>]}</c>.</summary>
    public static void WriteEnvelopeStart(JsonBuffer o, long openTime, long ts)
    {
        o.Write("{\"openTime\":"u8);
        o.WriteInteger(openTime);
        o.Write(",\"ts\":"u8);
        o.WriteInteger(ts);
        o.Write(",\"items\":["u8);
    }

    public static void WriteEnvelopeEnd(JsonBuffer o) => o.Write("]}"u8);

    private static void WriteIndicators(JsonBuffer o, SymbolCache cache, int t, in IndicatorValues v)
    {
        if (t > 0)
        {
            o.Write(","u8);
        }
        o.Write(TimeframeKeys[t]);
        o.Write(":"u8);
        var bits = MemoryMarshal.AsBytes(new ReadOnlySpan<IndicatorValues>(in v));
        ref var a = ref cache.Blocks[2 * t];
        ref var b = ref cache.Blocks[(2 * t) + 1];
        if (a.Length > 0 && bits.SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<IndicatorValues>(in a.Values))))
        {
            o.Write(a.Json.AsSpan(0, a.Length));
            return;
        }
        if (b.Length > 0 && bits.SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<IndicatorValues>(in b.Values))))
        {
            o.Write(b.Json.AsSpan(0, b.Length));
            return;
        }
        // Format into the older slot, then copy it out.
        ref var slot = ref (a.Stamp <= b.Stamp ? ref a : ref b);
        slot.Values = v;
        slot.Stamp = ++cache.Clock;
        var start = o.Length;
        o.Write("{"u8);
        var first = true;
        ReadOnlySpan<double> values = MemoryMarshal.Cast<IndicatorValues, double>(new ReadOnlySpan<IndicatorValues>(in v));
        for (var i = 0; i < values.Length; i++)
        {
            o.WriteMember(ref first, IndicatorKeys[i], values[i]);
        }
        o.Write("}"u8);
        var written = o.WrittenSpan[start..];
        if (slot.Json is null || slot.Json.Length < written.Length)
        {
            slot.Json = new byte[Math.Max(256, written.Length * 2)];
        }
        written.CopyTo(slot.Json);
        slot.Length = written.Length;
    }

    private static byte[][] Keys(IEnumerable<string> names) =>
        names.Select(n => System.Text.Encoding.UTF8.GetBytes("\"" + JsonEncodedText.Encode(n).Value + "\"")).ToArray();

    private sealed class SymbolCache(byte[] symbol)
    {
        public byte[] Symbol { get; } = symbol;

        public Block[] Blocks { get; } = new Block[Timeframes.Count * 2];

        public long Clock;
    }

    private struct Block
    {
        public IndicatorValues Values;
        public byte[] Json;
        public int Length;
        public long Stamp;
    }
}

/// <summary>A growable UTF-8 buffer on pooled arrays for hand-written JSON.</summary>
public sealed class JsonBuffer : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public JsonBuffer(int capacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear() => _length = 0;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteNumber(double value)
    {
        Ensure(JsonNumber.MaxLength);
        _length += double.IsFinite(value) ? JsonNumber.Format(value, _buffer.AsSpan(_length)) : Null(_buffer.AsSpan(_length));
    }

    public void WriteInteger(long value)
    {
        Ensure(JsonNumber.MaxLength);
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary><paramref name="prefix"/> and the value, or nothing when it is unavailable (NaN).</summary>
    public void WriteOptional(ReadOnlySpan<byte> prefix, double value)
    {
        if (double.IsFinite(value))
        {
            Write(prefix);
            WriteNumber(value);
        }
    }

    /// <summary>An object member <c>"name":value</c> (name given with its quotes and colon or without the colon), skipped when unavailable.</summary>
    public void WriteMember(ref bool first, ReadOnlySpan<byte> name, double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }
        if (!first)
        {
            Write(","u8);
        }
        first = false;
        Write(name);
        if (name[^1] != (byte)':')
        {
            Write(":"u8);
        }
        WriteNumber(value);
    }

    /// <summary>The text as a string (the event stream takes strings); the JSON is ASCII unless a symbol is not.</summary>
    public string ToUtf8String() => System.Text.Encoding.UTF8.GetString(_buffer, 0, _length);

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _length = 0;
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    private static int Null(Span<byte> destination)
    {
        "null"u8.CopyTo(destination);
        return 4;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = bigger;
    }
}
