using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Market.Tests;

public sealed class MetricsFrameTests
{
    private const long OpenTime = 1_767_225_600_000;

    /// <summary>A snapshot with a distinct value in every slot (value = seed + slot number), some NaN.</summary>
    private static MetricsSnapshot Snapshot(string symbol, double seed)
    {
        var s = new MetricsSnapshot { Symbol = symbol, OpenTime = OpenTime, Price = seed + 0.5, PreviousPrice = seed + 0.25, MarketCap = double.NaN };
        var n = 1;
        foreach (var a in new[] { s.Change, s.QuoteVolume, s.BaseVolume, s.Open, s.High, s.Low, s.Trades })
        {
            for (var w = 0; w < a.Length; w++)
            {
                a[w] = w == 5 && a == s.Trades ? double.NaN : seed + (n++ / 7.0);
            }
        }
        var now = MemoryMarshal.Cast<IndicatorValues, double>(s.Indicators.AsSpan());
        var before = MemoryMarshal.Cast<IndicatorValues, double>(s.PreviousIndicators.AsSpan());
        for (var i = 0; i < now.Length; i++)
        {
            now[i] = i % 11 == 3 ? double.NaN : seed - (i / 3.0);
            before[i] = seed + (i / 13.0);
        }
        return s;
    }

    private static byte[] Write(params (MetricsSnapshot S, int Presets)[] items)
    {
        using var w = new MetricsFrameWriter(16);
        w.Begin(OpenTime);
        foreach (var (s, p) in items)
        {
            w.Add(s, p);
        }
        return w.Complete(OpenTime + 60_123).ToArray();
    }

    [Fact]
    public void Every_carried_field_round_trips_bit_for_bit_and_the_others_stay_unavailable()
    {
        var s = Snapshot("BTCUSDT", 100);
        var frame = Write((s, 0b101));
        var batch = MetricsFrameReader.Read(frame);

        Assert.Equal(OpenTime, batch.OpenTime);
        Assert.Equal(OpenTime + 60_123, batch.Ts);
        var r = Assert.Single(batch.Items);
        Assert.Equal("BTCUSDT", r.Symbol);
        Assert.Equal(OpenTime, r.OpenTime);
        Assert.Equal(0b101, batch.Presets[0]);
        Assert.Equal(s.Price, r.Price);
        Assert.Equal(s.PreviousPrice, r.PreviousPrice);
        Assert.True(double.IsNaN(r.MarketCap));
        Assert.Equal(s.Change, r.Change);
        Assert.Equal(s.QuoteVolume, r.QuoteVolume);
        // The rolling open/high/low, base volume and trades are not carried (Alerts reads none of them), nor the candle.
        foreach (var notCarried in new[] { r.BaseVolume, r.Open, r.High, r.Low, r.Trades })
        {
            Assert.All(notCarried, v => Assert.True(double.IsNaN(v)));
        }
        Assert.True(double.IsNaN(batch.Candles[0].Close));

        // Indicators: what the frame carries is exact; every other slot is NaN (never zero).
        var carried = MetricsFrameWriter.FieldNames.ToHashSet();
        for (var t = 0; t < Timeframes.Count; t++)
        {
            var want = MemoryMarshal.Cast<IndicatorValues, double>(s.Indicators.AsSpan(t, 1));
            var got = MemoryMarshal.Cast<IndicatorValues, double>(r.Indicators.AsSpan(t, 1));
            var wantPrev = MemoryMarshal.Cast<IndicatorValues, double>(s.PreviousIndicators.AsSpan(t, 1));
            var gotPrev = MemoryMarshal.Cast<IndicatorValues, double>(r.PreviousIndicators.AsSpan(t, 1));
            for (var f = 0; f < MetricsFrame.IndicatorNames.Length; f++)
            {
                var name = MetricsFrame.IndicatorNames[f] + "_" + Timeframes.Names[t];
                Assert.Equal(carried.Contains(name) ? want[f] : double.NaN, got[f]);
                Assert.Equal(carried.Contains("prev." + name) ? wantPrev[f] : double.NaN, gotPrev[f]);
            }
        }
        // What Alerts evaluates is among them: RSI, MACD and its signal, the Bollinger bands now and before, %B now.
        foreach (var tf in new[] { "5m", "15m", "1h", "4h", "8h", "1d" })
        {
            foreach (var f in new[] { "rsi14", "macd", "macdSignal", "bbUpper", "bbLower" })
            {
                Assert.Contains(f + "_" + tf, carried);
                Assert.Contains("prev." + f + "_" + tf, carried);
            }
            Assert.Contains("bbPercentB_" + tf, carried);
        }

        Assert.Equal(OpenTime, batch.Candles[0].OpenTime);
    }

    [Fact]
    public void Many_symbols_keep_their_order_and_values_and_infinities_become_unavailable()
    {
        var items = Enumerable.Range(0, 600).Select(i =>
        {
            var s = Snapshot($"S{i:D4}USDT", i * 3.5);
            s.OpenTime = OpenTime - (i % 2) * 60_000; // a republished older candle may share the entry
            return (s, i);
        }).ToArray();
        items[7].s.Price = double.PositiveInfinity;
        items[8].s.Change[2] = double.NegativeInfinity;
        var frame = Write(items);
        Assert.Equal(MetricsFrame.FixedHeaderLength + MetricsFrameWriter.FieldNames.Sum(n => 1 + n.Length) + (600 * MetricsFrameWriter.ItemLength(9)),
            frame.Length);
        var batch = MetricsFrameReader.Read(frame);
        Assert.Equal(600, batch.Items.Count);
        for (var i = 0; i < 600; i++)
        {
            var (s, p) = items[i];
            var r = batch.Items[i];
            Assert.Equal(s.Symbol, r.Symbol);
            Assert.Equal(s.OpenTime, r.OpenTime);
            Assert.Equal(p, batch.Presets[i]);
            Assert.Equal(i == 7 ? double.NaN : s.Price, r.Price);
            Assert.Equal(s.Change[5], r.Change[5]);
            Assert.Equal(s.Indicators[(int)Timeframe.H4].Rsi14, r.Indicators[(int)Timeframe.H4].Rsi14);
            Assert.Equal(s.PreviousIndicators[(int)Timeframe.D1].BbLower, r.PreviousIndicators[(int)Timeframe.D1].BbLower);
        }
        Assert.True(double.IsNaN(batch.Items[8].Change[2]));
    }

    [Fact]
    public void An_empty_frame_and_a_non_ascii_symbol_are_fine()
    {
        Assert.Empty(MetricsFrameReader.Read(Write()).Items);
        var s = Snapshot("币安人生USDT", 1);
        Assert.Equal("币安人生USDT", Assert.Single(MetricsFrameReader.Read(Write((s, 0))).Items).Symbol);
    }

    [Fact]
    public void The_writer_is_reusable_and_does_not_allocate_per_item()
    {
        var s = Snapshot("ETHUSDT", 5);
        using var w = new MetricsFrameWriter(64 * 1024);
        w.Begin(OpenTime);
        w.Add(s, 1); // warm-up (JIT)
        w.Begin(OpenTime + 60_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            w.Add(s, 0);
        }
        w.Complete(1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var batch = MetricsFrameReader.Read(w.WrittenSpan);
        Assert.Equal(50, batch.Items.Count);
        Assert.Equal(OpenTime + 60_000, batch.OpenTime);
    }

    /// <summary>A frame from a newer ingest: unknown fields are skipped, fields it no longer sends stay NaN.</summary>
    [Fact]
    public void Unknown_fields_are_ignored_and_missing_ones_left_unavailable()
    {
        string[] names = ["futureMetric", "price", "rsi14_1m", "prev.macd_1h", "change_4h", "candle.takerBuyVolume", "weird\u00e9"];
        var o = new List<byte>();
        o.AddRange("SPMF"u8.ToArray());
        o.AddRange(U16(1));
        o.AddRange(U16(0));
        o.AddRange(I64(OpenTime));
        o.AddRange(I64(42));
        o.AddRange(U32(1));
        o.AddRange(U16((ushort)names.Length));
        foreach (var n in names)
        {
            var b = Encoding.UTF8.GetBytes(n);
            o.Add((byte)b.Length);
            o.AddRange(b);
        }
        o.Add(3);
        o.AddRange("XYZ"u8.ToArray());
        o.AddRange(I64(OpenTime));
        o.AddRange(U32(0));
        foreach (var v in new[] { 9.0, 1.5, 70.0, -0.25, 3.75, 8.0, 11.0 })
        {
            o.AddRange(F64(v));
        }
        var batch = MetricsFrameReader.Read(o.ToArray());
        var r = Assert.Single(batch.Items);
        Assert.Equal(1.5, r.Price);
        Assert.Equal(70.0, r.Indicators[(int)Timeframe.M1].Rsi14);
        Assert.Equal(-0.25, r.PreviousIndicators[(int)Timeframe.H1].Macd);
        Assert.Equal(3.75, r.Change[(int)Window.H4]);
        Assert.Equal(8.0, batch.Candles[0].TakerBuyVolume);
        Assert.True(double.IsNaN(r.PreviousPrice));
        Assert.True(double.IsNaN(r.QuoteVolume[(int)Window.H4]));
        Assert.True(double.IsNaN(r.Indicators[(int)Timeframe.H1].Rsi14));
        Assert.True(double.IsNaN(batch.Candles[0].Close));
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "empty", "truncated" },
        { "short header", "truncated" },
        { "json", "Not a metrics frame" },
        { "version 2", "version 2 is not supported" },
        { "absurd item count", "items (at most" },
        { "absurd field count", "fields (at most" },
        { "field table cut", "truncated in the field table" },
        { "items cut", "truncated" },
        { "last item cut", "truncated" },
        { "trailing bytes", "unexpected bytes" },
        { "empty symbol", "empty symbol" },
        { "count larger than items", "truncated" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_frames_are_rejected_with_a_clear_message(string kind, string message)
    {
        var good = Write((Snapshot("BTCUSDT", 1), 0), (Snapshot("ETHUSDT", 2), 0));
        var header = MetricsFrame.FixedHeaderLength;
        var bad = kind switch
        {
            "empty" => [],
            "short header" => good[..20],
            "json" => "{\"openTime\":1,\"ts\":2,\"items\":[]}"u8.ToArray(),
            "version 2" => Patched(good, 4, U16(2)),
            "absurd item count" => Patched(good, 24, U32(uint.MaxValue)),
            "absurd field count" => Patched(good, 28, U16(60_000)),
            "field table cut" => good[..(header + 10)],
            "items cut" => good[..(good.Length - MetricsFrameWriter.ItemLength(7) - 5)],
            "last item cut" => good[..^1],
            "trailing bytes" => [.. good, 0],
            "empty symbol" => Patched(good, good.Length - (2 * MetricsFrameWriter.ItemLength(7)), [0]),
            "count larger than items" => Patched(good, 24, U32(3)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var ex = Assert.Throws<MetricsFrameException>(() => MetricsFrameReader.Read(bad));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(ex);
    }

    /// <summary>Every prefix and random byte flips of a valid frame: a <see cref="MetricsFrameException"/> or a frame, never another exception.</summary>
    [Fact]
    public void Corrupted_frames_never_crash_the_reader()
    {
        var good = Write((Snapshot("BTCUSDT", 1), 0), (Snapshot("ETHUSDT", 2), 3));
        for (var n = 0; n < good.Length; n += 7)
        {
            Assert.Throws<MetricsFrameException>(() => MetricsFrameReader.Read(good.AsSpan(0, n)));
        }
        var random = new Random(3);
        for (var i = 0; i < 2000; i++)
        {
            var bad = good.ToArray();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                bad[random.Next(Math.Min(bad.Length, 400))] = (byte)random.Next(256);
            }
            try
            {
                MetricsFrameReader.Read(bad);
            }
            catch (MetricsFrameException)
            {
            }
        }
    }

    [Fact]
    public void A_symbol_longer_than_255_bytes_is_refused_by_the_writer()
    {
        using var w = new MetricsFrameWriter();
        w.Begin(OpenTime);
        Assert.Throws<ArgumentException>(() => w.Add(Snapshot(new string('A', 256), 1), 0));
        Assert.Throws<ArgumentException>(() => w.Add(Snapshot("", 1), 0));
    }

    private static byte[] Patched(byte[] frame, int at, byte[] bytes)
    {
        var copy = frame.ToArray();
        bytes.CopyTo(copy, at);
        return copy;
    }

    private static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    private static byte[] I64(long v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return b;
    }

    private static byte[] F64(double v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, v);
        return b;
    }
}
