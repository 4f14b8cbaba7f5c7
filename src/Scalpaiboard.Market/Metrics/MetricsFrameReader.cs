using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Metrics;

/// <summary>One decoded <see cref="MetricsFrame"/>: a snapshot, the candle and the fired presets per symbol, in frame order.</summary>
public sealed class MetricsFrameBatch(long openTime, long ts, MetricsSnapshot[] items, Candle[] candles, int[] presets)
{
    public long OpenTime { get; } = openTime;

    /// <summary>Publish time (Unix ms).</summary>
    public long Ts { get; } = ts;

    public IReadOnlyList<MetricsSnapshot> Items { get; } = items;

    /// <summary>The closed candle of each item (fields the frame did not carry are NaN, trades 0).</summary>
    public IReadOnlyList<Candle> Candles { get; } = candles;

    /// <summary>The presets the ingest saw fire for each item (bit i = PresetType i).</summary>
    public IReadOnlyList<int> Presets { get; } = presets;
}

/// <summary>
/// Reads a <see cref="MetricsFrame"/> into new <see cref="MetricsSnapshot"/>s. The field table is resolved to
/// snapshot slots once per distinct table (cached), then each item is a bounds-checked pass over its values.
/// Anything that is not a complete, valid frame throws <see cref="MetricsFrameException"/> naming the problem.
/// </summary>
public static class MetricsFrameReader
{
    private sealed record TableCache(byte[] Table, MetricsFrame.Slot[] Slots);

    private static TableCache? _cache;

    public static MetricsFrameBatch Read(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < MetricsFrame.FixedHeaderLength)
        {
            throw new MetricsFrameException(
                $"Metrics frame truncated: {frame.Length} bytes, the header alone takes {MetricsFrame.FixedHeaderLength}.");
        }
        if (!MetricsFrame.IsFrame(frame))
        {
            throw new MetricsFrameException($"Not a metrics frame: starts with 0x{Convert.ToHexString(frame[..4])}, expected \"SPMF\".");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(frame[4..]);
        if (version != MetricsFrame.Version)
        {
            throw new MetricsFrameException($"Metrics frame version {version} is not supported (this reader knows version {MetricsFrame.Version}).");
        }
        var openTime = BinaryPrimitives.ReadInt64LittleEndian(frame[8..]);
        var ts = BinaryPrimitives.ReadInt64LittleEndian(frame[16..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(frame[24..]);
        var fieldCount = BinaryPrimitives.ReadUInt16LittleEndian(frame[28..]);
        if (count > MetricsFrame.MaxItems)
        {
            throw new MetricsFrameException($"Metrics frame claims {count} items (at most {MetricsFrame.MaxItems}).");
        }
        if (fieldCount > MetricsFrame.MaxFields)
        {
            throw new MetricsFrameException($"Metrics frame claims {fieldCount} fields (at most {MetricsFrame.MaxFields}).");
        }
        var p = MetricsFrame.FixedHeaderLength;
        var tableStart = p;
        for (var i = 0; i < fieldCount; i++)
        {
            if (p >= frame.Length || p + 1 + frame[p] > frame.Length)
            {
                throw new MetricsFrameException($"Metrics frame truncated in the field table (field {i} of {fieldCount}).");
            }
            if (frame[p] == 0)
            {
                throw new MetricsFrameException($"Metrics frame field {i} has an empty name.");
            }
            p += 1 + frame[p];
        }
        var slots = Slots(frame[tableStart..p], fieldCount);
        // Every item takes at least a 1-byte symbol, openTime, presets and its values: check before allocating.
        var minItem = 1L + 1 + 8 + 4 + (8L * fieldCount);
        if (count * minItem > frame.Length - p)
        {
            throw new MetricsFrameException(
                $"Metrics frame truncated: {count} items of {fieldCount} values need at least {count * minItem} bytes, {frame.Length - p} follow the header.");
        }
        var items = new MetricsSnapshot[count];
        var candles = new Candle[count];
        var presets = new int[count];
        for (var n = 0; n < count; n++)
        {
            var symbolLength = frame[p];
            if (symbolLength == 0)
            {
                throw new MetricsFrameException($"Metrics frame item {n} has an empty symbol.");
            }
            var itemLength = 1 + symbolLength + 12 + (8 * fieldCount);
            if (p + itemLength > frame.Length)
            {
                throw new MetricsFrameException($"Metrics frame truncated in item {n} of {count}.");
            }
            var item = frame.Slice(p, itemLength);
            var s = new MetricsSnapshot
            {
                Symbol = Encoding.UTF8.GetString(item.Slice(1, symbolLength)),
                OpenTime = BinaryPrimitives.ReadInt64LittleEndian(item[(1 + symbolLength)..]),
            };
            presets[n] = (int)BinaryPrimitives.ReadUInt32LittleEndian(item[(9 + symbolLength)..]);
            candles[n] = Fill(s, item[(13 + symbolLength)..], slots);
            items[n] = s;
            p += itemLength;
        }
        if (p != frame.Length)
        {
            throw new MetricsFrameException($"Metrics frame has {frame.Length - p} unexpected bytes after its {count} items.");
        }
        return new MetricsFrameBatch(openTime, ts, items, candles, presets);
    }

    private static Candle Fill(MetricsSnapshot s, ReadOnlySpan<byte> values, MetricsFrame.Slot[] slots)
    {
        Span<double> now = MemoryMarshal.Cast<IndicatorValues, double>(s.Indicators.AsSpan());
        Span<double> before = MemoryMarshal.Cast<IndicatorValues, double>(s.PreviousIndicators.AsSpan());
        var derivatives = s.Derivatives.AsSpan();
        double open = double.NaN, high = double.NaN, low = double.NaN, close = double.NaN, volume = double.NaN, quote = double.NaN,
            trades = double.NaN, takerBase = double.NaN, takerQuote = double.NaN;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            var v = BinaryPrimitives.ReadDoubleLittleEndian(values[(8 * i)..]);
            switch (slot.Kind)
            {
                case MetricsFrame.FieldKind.Price: s.Price = v; break;
                case MetricsFrame.FieldKind.PreviousPrice: s.PreviousPrice = v; break;
                case MetricsFrame.FieldKind.MarketCap: s.MarketCap = v; break;
                case MetricsFrame.FieldKind.Window:
                    s.WindowMetric(slot.Index / Windows.Count)[slot.Index % Windows.Count] = v;
                    break;
                case MetricsFrame.FieldKind.Indicator: now[slot.Index] = v; break;
                case MetricsFrame.FieldKind.PreviousIndicator: before[slot.Index] = v; break;
                case MetricsFrame.FieldKind.Derivative: derivatives[slot.Index] = v; break;
                case MetricsFrame.FieldKind.Candle:
                    switch (slot.Index)
                    {
                        case 0: open = v; break;
                        case 1: high = v; break;
                        case 2: low = v; break;
                        case 3: close = v; break;
                        case 4: volume = v; break;
                        case 5: quote = v; break;
                        case 6: trades = v; break;
                        case 7: takerBase = v; break;
                        default: takerQuote = v; break;
                    }
                    break;
            }
        }
        return new Candle(s.OpenTime, open, high, low, close, volume, quote, double.IsFinite(trades) ? (long)trades : 0, takerBase, takerQuote);
    }

    /// <summary>The slots of a field table; the last table seen is cached (the ingest always sends the same one).</summary>
    private static MetricsFrame.Slot[] Slots(ReadOnlySpan<byte> table, int fieldCount)
    {
        var cache = Volatile.Read(ref _cache);
        if (cache is not null && table.SequenceEqual(cache.Table))
        {
            return cache.Slots;
        }
        var slots = new MetricsFrame.Slot[fieldCount];
        var p = 0;
        for (var i = 0; i < fieldCount; i++)
        {
            var length = table[p];
            var name = table.Slice(p + 1, length);
            slots[i] = Ascii.IsValid(name) ? MetricsFrame.Resolve(Encoding.ASCII.GetString(name)) : default;
            p += 1 + length;
        }
        Volatile.Write(ref _cache, new TableCache(table.ToArray(), slots));
        return slots;
    }
}
