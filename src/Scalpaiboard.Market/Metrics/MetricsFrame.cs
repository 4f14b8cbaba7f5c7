using System.Buffers.Binary;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// The binary <c>market.metrics</c> stream entry (field <c>data</c>): every symbol's metrics at the close of the 1m
/// candles that opened at one minute. Little-endian throughout:
/// <code>
/// header  magic "SPMF" (4 bytes) | version u16 (= 1) | flags u16 (0) | openTime i64 | ts i64 (publish time, Unix ms)
///         | item count u32 | field count u16 | field names: (length u8, ASCII name) x field count
/// item    symbol (length u8, UTF-8) | openTime i64 | fired presets u32 (bit i = PresetType i) | value f64 x field count
/// </code>
/// The field table names every value of an item, in order, once per entry: a reader maps the names it knows to
/// <see cref="MetricsSnapshot"/> slots (and the candle), skips the others and leaves the slots nobody wrote NaN, so
/// producer and consumers can add or drop fields independently. NaN means unavailable. Field names:
/// <c>price</c>, <c>previousPrice</c>, <c>marketCap</c>; <c>candle.open|high|low|close|volume|quoteVolume|trades|takerBuyVolume|takerBuyQuoteVolume</c>;
/// <c>&lt;metric&gt;_&lt;window&gt;</c> with metric in change, quoteVolume, baseVolume, open, high, low, trades and window
/// 5m..1d; <c>&lt;indicator&gt;_&lt;timeframe&gt;</c> (the camelCase field names of <see cref="IndicatorValues"/>,
/// timeframe 1m..1d) and the same with the prefix <c>prev.</c> for the values one candle earlier; the derivatives
/// fields by their names in <see cref="DerivativesValues.Names"/> (<c>openInterest</c>, <c>fundingRate</c>, ...).
/// A new version number is only for a change a version-1 reader would misread (layout, not fields).
/// </summary>
public static class MetricsFrame
{
    public const ushort Version = 1;

    /// <summary>Bytes before the field table: magic, version, flags, openTime, ts, item count, field count.</summary>
    public const int FixedHeaderLength = 30;

    /// <summary>Upper bounds a reader enforces before allocating anything.</summary>
    public const int MaxItems = 100_000;

    public const int MaxFields = 4096;

    public static ReadOnlySpan<byte> Magic => "SPMF"u8;

    /// <summary>The camelCase names of the <see cref="IndicatorValues"/> fields, in field order.</summary>
    public static readonly string[] IndicatorNames =
    [
        "sma20", "ema20", "ema50", "rsi14", "macd", "macdSignal", "macdHistogram", "bbUpper", "bbMiddle", "bbLower",
        "bbPercentB", "bbWidth", "atr14", "atrPercent", "stochK", "stochD", "adx14", "cci20", "williamsR14", "vwap", "vcp",
        "pivotPp", "pivotR1", "pivotS1", "roc20", "donchianUpper20", "donchianLower20", "keltnerUpper", "keltnerLower",
        "superTrend", "superTrendDirection", "psar", "obv",
    ];

    /// <summary>The per-window metrics, in the order of <see cref="FieldKind"/> Window0..Window6.</summary>
    public static readonly string[] WindowMetricNames = ["change", "quoteVolume", "baseVolume", "open", "high", "low", "trades"];

    public static readonly string[] CandleNames =
        ["open", "high", "low", "close", "volume", "quoteVolume", "trades", "takerBuyVolume", "takerBuyQuoteVolume"];

    /// <summary>True when <paramref name="data"/> starts with the frame's magic (a JSON entry starts with <c>{</c>).</summary>
    public static bool IsFrame(ReadOnlySpan<byte> data) => data.Length >= Magic.Length && data[..Magic.Length].SequenceEqual(Magic);

    /// <summary>Where a named value goes: a snapshot slot, the candle, or nowhere (unknown name).</summary>
    public readonly record struct Slot(FieldKind Kind, int Index);

    public enum FieldKind : byte
    {
        Unknown = 0,
        Price,
        PreviousPrice,
        MarketCap,
        Candle,
        /// <summary>Index = metric * Windows.Count + window (metric: <see cref="WindowMetricNames"/>).</summary>
        Window,
        /// <summary>Index = timeframe * <see cref="IndicatorNames"/>.Length + field of <see cref="IndicatorValues"/>.</summary>
        Indicator,
        PreviousIndicator,
        /// <summary>Index = field of <see cref="DerivativesValues"/>.</summary>
        Derivative,
    }

    private static readonly Dictionary<string, Slot> Slots = BuildSlots();

    /// <summary>The slot a field name maps to (<see cref="FieldKind.Unknown"/> for a name this version does not know).</summary>
    public static Slot Resolve(string name) => Slots.TryGetValue(name, out var slot) ? slot : default;

    private static Dictionary<string, Slot> BuildSlots()
    {
        if (IndicatorNames.Length * sizeof(double) != System.Runtime.CompilerServices.Unsafe.SizeOf<IndicatorValues>())
        {
            throw new InvalidOperationException("MetricsFrame.IndicatorNames must name every IndicatorValues field, in order.");
        }
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal)
        {
            ["price"] = new(FieldKind.Price, 0),
            ["previousPrice"] = new(FieldKind.PreviousPrice, 0),
            ["marketCap"] = new(FieldKind.MarketCap, 0),
        };
        for (var i = 0; i < DerivativesValues.Names.Length; i++)
        {
            slots[DerivativesValues.Names[i]] = new(FieldKind.Derivative, i);
        }
        for (var i = 0; i < CandleNames.Length; i++)
        {
            slots["candle." + CandleNames[i]] = new(FieldKind.Candle, i);
        }
        for (var m = 0; m < WindowMetricNames.Length; m++)
        {
            for (var w = 0; w < Windows.Count; w++)
            {
                slots[WindowMetricNames[m] + "_" + Windows.Names[w]] = new(FieldKind.Window, (m * Windows.Count) + w);
            }
        }
        for (var t = 0; t < Timeframes.Count; t++)
        {
            for (var f = 0; f < IndicatorNames.Length; f++)
            {
                var name = IndicatorNames[f] + "_" + Timeframes.Names[t];
                slots[name] = new(FieldKind.Indicator, (t * IndicatorNames.Length) + f);
                slots["prev." + name] = new(FieldKind.PreviousIndicator, (t * IndicatorNames.Length) + f);
            }
        }
        return slots;
    }

    /// <summary>The header's item count (patched by <see cref="MetricsFrameWriter.Complete"/>) and its publish time.</summary>
    internal static void Patch(Span<byte> frame, long ts, int count)
    {
        BinaryPrimitives.WriteInt64LittleEndian(frame[16..], ts);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[24..], (uint)count);
    }
}

/// <summary>A frame that cannot be read: truncated, wrong magic or version, or counts out of bounds.</summary>
public sealed class MetricsFrameException(string message) : FormatException(message);
