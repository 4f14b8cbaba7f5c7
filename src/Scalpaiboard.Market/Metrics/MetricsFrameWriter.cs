using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// Writes one <see cref="MetricsFrame"/> into a pooled buffer: <see cref="Begin"/> (header and field table),
/// <see cref="Add"/> per symbol, <see cref="Complete"/> (stamps the publish time and the item count). Nothing is
/// allocated per item; the buffer grows by renting a larger array. Not thread-safe; reusable after
/// <see cref="Begin"/>, dispose to return the buffer.
/// </summary>
public sealed class MetricsFrameWriter : IDisposable
{
    /// <summary>Indicators carried for these timeframes: the ones user alerts and the stored signal metrics use.</summary>
    private static readonly Timeframe[] IndicatorTimeframes = [Timeframe.M5, Timeframe.M15, Timeframe.H1, Timeframe.H4, Timeframe.H8, Timeframe.D1];

    /// <summary>
    /// Current values: RSI/MACD/Bollinger/SuperTrend/Donchian conditions and <c>bbPercentB</c> of the stored metrics.
    /// </summary>
    private static readonly string[] CurrentIndicators =
        ["rsi14", "macd", "macdSignal", "bbUpper", "bbLower", "bbPercentB", "superTrendDirection", "donchianUpper20", "donchianLower20"];

    /// <summary>One candle earlier: only what the crossing conditions compare with.</summary>
    private static readonly string[] PreviousIndicators =
        ["rsi14", "macd", "macdSignal", "bbUpper", "bbLower", "superTrendDirection", "donchianUpper20", "donchianLower20"];

    private const int IndicatorFieldsPerTimeframe = 9 + 8;

    /// <summary>
    /// Of the per-window metrics, what the presets and the alert conditions read: the change and the quote volume (the
    /// first two of <see cref="MetricsFrame.WindowMetricNames"/>). The rolling open/high/low, base volume and trades,
    /// and the candle itself, are not carried: Alerts reads none of them, and they were a fifth of every entry.
    /// </summary>
    private const int WindowMetricsCarried = 2;

    /// <summary>3 scalars + 2 window metrics x 6 windows + 6 timeframes x (9 current + 8 previous) + the derivatives.</summary>
    private const int FieldCount = 3 + (WindowMetricsCarried * Windows.Count) + (6 * IndicatorFieldsPerTimeframe) + DerivativesValues.Count;

    private static readonly string[] Names = BuildNames();
    private static readonly byte[] Header = BuildHeader();

    private readonly PooledBuffer _bytes;
    private int _count;

    public MetricsFrameWriter(int capacity = 64 * 1024) => _bytes = new PooledBuffer(Math.Max(capacity, Header.Length));

    /// <summary>The field table this writer puts in every frame, in value order.</summary>
    public static IReadOnlyList<string> FieldNames => Names;

    /// <summary>Bytes of one item for a symbol of <paramref name="symbolBytes"/> UTF-8 bytes.</summary>
    public static int ItemLength(int symbolBytes) => 1 + symbolBytes + 8 + 4 + (8 * Names.Length);

    public int Count => _count;

    public int Length => _bytes.Length;

    public ReadOnlySpan<byte> WrittenSpan => _bytes.WrittenSpan;

    public ReadOnlyMemory<byte> WrittenMemory => _bytes.WrittenMemory;

    /// <summary>Starts a frame for the candles that opened at <paramref name="openTime"/> (drops anything written before).</summary>
    public void Begin(long openTime)
    {
        _bytes.Clear();
        _count = 0;
        var header = _bytes.GetSpan(Header.Length);
        Header.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], openTime);
        _bytes.Advance(Header.Length);
    }

    /// <summary>Appends one symbol: its snapshot at the close of its candle and the presets that fired (bit i = PresetType i).</summary>
    public void Add(MetricsSnapshot s, int presets)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (_bytes.Length == 0)
        {
            throw new InvalidOperationException("Begin the frame before adding items.");
        }
        var symbolBytes = Encoding.UTF8.GetByteCount(s.Symbol);
        if (symbolBytes is 0 or > byte.MaxValue)
        {
            throw new ArgumentException($"A symbol must be 1 to 255 UTF-8 bytes, '{s.Symbol}' is {symbolBytes}.", nameof(s));
        }
        var o = _bytes.GetSpan(ItemLength(symbolBytes));
        o[0] = (byte)symbolBytes;
        Encoding.UTF8.GetBytes(s.Symbol, o[1..]);
        var p = 1 + symbolBytes;
        BinaryPrimitives.WriteInt64LittleEndian(o[p..], s.OpenTime);
        BinaryPrimitives.WriteUInt32LittleEndian(o[(p + 8)..], (uint)presets);
        p += 12;
        // Gather the values in the order of Names (BuildNames), then copy them out in one go.
        Span<double> v = stackalloc double[FieldCount];
        v[0] = s.Price;
        v[1] = s.PreviousPrice;
        v[2] = s.MarketCap;
        var k = 3;
        for (var m = 0; m < WindowMetricsCarried; m++)
        {
            s.WindowMetric(m).AsSpan(0, Windows.Count).CopyTo(v[k..]);
            k += Windows.Count;
        }
        var nowAll = s.Indicators;
        var beforeAll = s.PreviousIndicators;
        foreach (var tf in IndicatorTimeframes)
        {
            ref readonly var now = ref nowAll[(int)tf];
            ref readonly var before = ref beforeAll[(int)tf];
            v[k] = now.Rsi14;
            v[k + 1] = now.Macd;
            v[k + 2] = now.MacdSignal;
            v[k + 3] = now.BbUpper;
            v[k + 4] = now.BbLower;
            v[k + 5] = now.BbPercentB;
            v[k + 6] = now.SuperTrendDirection;
            v[k + 7] = now.DonchianUpper20;
            v[k + 8] = now.DonchianLower20;
            v[k + 9] = before.Rsi14;
            v[k + 10] = before.Macd;
            v[k + 11] = before.MacdSignal;
            v[k + 12] = before.BbUpper;
            v[k + 13] = before.BbLower;
            v[k + 14] = before.SuperTrendDirection;
            v[k + 15] = before.DonchianUpper20;
            v[k + 16] = before.DonchianLower20;
            k += IndicatorFieldsPerTimeframe;
        }
        s.Derivatives.AsSpan().CopyTo(v[k..]);
        for (var i = 0; i < v.Length; i++)
        {
            if (!double.IsFinite(v[i]))
            {
                v[i] = double.NaN;
            }
        }
        var values = o.Slice(p, 8 * FieldCount);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(v).CopyTo(values);
        }
        else
        {
            for (var i = 0; i < v.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(values[(8 * i)..], v[i]);
            }
        }
        p += 8 * FieldCount;
        _bytes.Advance(p);
        _count++;
    }

    /// <summary>Stamps the publish time and the item count; the frame is <see cref="WrittenMemory"/> until the next <see cref="Begin"/>.</summary>
    public ReadOnlyMemory<byte> Complete(long ts)
    {
        if (_bytes.Length == 0)
        {
            throw new InvalidOperationException("Begin the frame before completing it.");
        }
        MetricsFrame.Patch(_bytes.WrittenSpanForUpdate, ts, _count);
        return WrittenMemory;
    }

    public void Dispose() => _bytes.Dispose();

    private static string[] BuildNames()
    {
        var names = new List<string> { "price", "previousPrice", "marketCap" };
        foreach (var metric in MetricsFrame.WindowMetricNames.Take(WindowMetricsCarried))
        {
            names.AddRange(Windows.Names.Select(w => metric + "_" + w));
        }
        foreach (var tf in IndicatorTimeframes)
        {
            names.AddRange(CurrentIndicators.Select(f => f + "_" + tf.Name()));
            names.AddRange(PreviousIndicators.Select(f => "prev." + f + "_" + tf.Name()));
        }
        names.AddRange(DerivativesValues.Names);
        if (names.Count != FieldCount || names.Distinct().Count() != FieldCount || names.Any(n => MetricsFrame.Resolve(n).Kind == MetricsFrame.FieldKind.Unknown))
        {
            throw new InvalidOperationException("The frame writer's field table does not match the values it writes.");
        }
        return [.. names];
    }

    private static byte[] BuildHeader()
    {
        var length = MetricsFrame.FixedHeaderLength + Names.Sum(n => 1 + n.Length);
        var h = new byte[length];
        MetricsFrame.Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(4), MetricsFrame.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(28), (ushort)Names.Length);
        var p = MetricsFrame.FixedHeaderLength;
        foreach (var name in Names)
        {
            h[p++] = (byte)name.Length;
            p += Encoding.ASCII.GetBytes(name, h.AsSpan(p));
        }
        return h;
    }
}
