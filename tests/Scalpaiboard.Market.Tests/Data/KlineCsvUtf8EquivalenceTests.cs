using System.Globalization;
using System.Text;
using Scalpaiboard.Market.Data;

namespace Scalpaiboard.Market.Tests.Data;

/// <summary>
/// The byte reader and parser (KlineCsvReader, KlineCsvParser.ParseUtf8) give exactly what the earlier
/// StreamReader.ReadLine + char parsing gave: the same candles bit for bit, the same errors (file, line, reason) and
/// the same progress count, on the sample data and on generated edge cases.
/// </summary>
public sealed class KlineCsvUtf8EquivalenceTests : IDisposable
{
    private const string Header =
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";

    private readonly string _dir = Directory.CreateTempSubdirectory("klines-utf8-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The reader as it was: StreamReader.ReadLine per row and the char parser, file by file.</summary>
    private static (List<(string Symbol, Candle Candle)> Candles, List<KlineReadError> Errors, long Chars) ReadTheOldWay(string path)
    {
        var candles = new List<(string, Candle)>();
        var errors = new List<KlineReadError>();
        long chars = 0;
        foreach (var file in KlineCsvReader.Discover(path))
        {
            using var reader = new StreamReader(file.Path);
            var lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                chars += line.Length + 1;
                switch (KlineCsvParser.Parse(line, out var candle, out var error))
                {
                    case KlineLineKind.Candle:
                        candles.Add((file.Symbol, candle));
                        break;
                    case KlineLineKind.Header when lineNumber == 1:
                    case KlineLineKind.Blank:
                        break;
                    case KlineLineKind.Header:
                        errors.Add(new KlineReadError(file.Path, lineNumber, "header row after the first line"));
                        break;
                    default:
                        errors.Add(new KlineReadError(file.Path, lineNumber, error ?? "malformed row"));
                        break;
                }
            }
        }
        return (candles, errors, chars);
    }

    private static void AssertSameAsOldWay(string path)
    {
        var (oldCandles, oldErrors, oldChars) = ReadTheOldWay(path);
        var errors = new List<KlineReadError>();
        var reader = new KlineCsvReader(path, errors.Add);
        var got = reader.ReadAll().ToList();

        // The merge order is the reader's; per symbol the candles must come in file order, as before.
        var expected = oldCandles.GroupBy(c => c.Symbol).ToDictionary(g => g.Key, g => g.Select(c => c.Candle).ToList());
        var actual = got.GroupBy(c => c.Symbol).ToDictionary(g => g.Key, g => g.Select(c => c.Candle).ToList());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (symbol, list) in expected)
        {
            Assert.Equal(list.Count, actual[symbol].Count);
            for (var i = 0; i < list.Count; i++)
            {
                AssertBitIdentical(list[i], actual[symbol][i]);
            }
        }
        Assert.Equal(oldErrors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line),
            errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line));
        Assert.Equal(oldChars, reader.BytesRead);
        Assert.Equal(oldErrors.Count, reader.MalformedRows);
    }

    private static void AssertBitIdentical(Candle expected, Candle actual)
    {
        Assert.Equal(expected.OpenTime, actual.OpenTime);
        Assert.Equal(expected.Trades, actual.Trades);
        double[] e = [expected.Open, expected.High, expected.Low, expected.Close, expected.Volume, expected.QuoteVolume, expected.TakerBuyVolume, expected.TakerBuyQuoteVolume];
        double[] a = [actual.Open, actual.High, actual.Low, actual.Close, actual.Volume, actual.QuoteVolume, actual.TakerBuyVolume, actual.TakerBuyQuoteVolume];
        Assert.Equal(e.Select(BitConverter.DoubleToInt64Bits), a.Select(BitConverter.DoubleToInt64Bits));
    }

    private static void AssertLineSame(string line)
    {
        var oldKind = KlineCsvParser.Parse(line, out var oldCandle, out var oldError);
        var kind = KlineCsvParser.ParseUtf8(Encoding.UTF8.GetBytes(line), out var candle, out var error);
        Assert.True(oldKind == kind, $"{line}: {oldKind} vs {kind}");
        Assert.Equal(oldError, error);
        AssertBitIdentical(oldCandle, candle);
    }

    [Fact]
    public void SampleData_ReadsExactlyAsBefore()
    {
        var sample = SharedData.Data("klines-sample");
        AssertSameAsOldWay(sample);
        Assert.True(KlineCsvReader.Read(sample).Any());
    }

    [Fact]
    public void SampleData_EveryLine_ParsesExactlyAsBefore()
    {
        foreach (var file in Directory.EnumerateFiles(SharedData.Data("klines-sample"), "*.csv"))
        {
            foreach (var line in File.ReadLines(file))
            {
                AssertLineSame(line);
            }
        }
    }

    /// <summary>Numbers the byte parser must read to the same double: exponents, many digits, halfway cases, signs, junk.</summary>
    public static readonly string[] Numbers =
    [
        "1", "0", "-0", "+0", "0.0", "-0.0", "1.5e3", "1E-5", "2.5e+2", "1e308", "1e309", "1e-400", "4.9e-324", "2.4703282292062328e-324",
        "0.1000000000000000055511151231257827021181583404541015625", "9007199254740993", "9007199254740992.5",
        "1.00000000000000011102230246251565404236316680908203125", "123456789012345678901234567890.123456789",
        "0.30000000000000004", "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        ".5", "5.", ".", "", " ", "1,5", "1.2.3", "1e", "e5", "--1", "+-1", "Infinity", "-Infinity", "NaN", "infinity", "nan", "0x10", "1_000",
        " 42.5 ", "\t7\t", "\v3\f", "12\u001f", "\u001c9", "\u00a01.5", "1.5\u0085", "\uff11", "1\u00a0", "é", "1e1000000000000", "000000000000000000000000000001.5",
        "9007199254740992", "9007199254740991", "0.9007199254740993", "900719925474099.3", "1234567890123456789", "12345678901234567890",
        "0.0000000000000000000001", "0.00000000000000000000001", "1234567.000000000000000000000", "0.3", "0.7", "2.675", "5e-324",
        "141.9863", "88.067", "12510.7315", "0.00000001", "99999999.99999999",
    ];

    public static readonly string[] Integers =
    [
        "123456789012345678", "1234567890123456789", "0", "1", "15", "-1", "+1", " 7", "7 ", "1.0", "1e3", "9223372036854775807", "9223372036854775808", "00000000000000000000061", "", "x", "\u0661",
    ];

    [Fact]
    public void GeneratedLines_ParseExactlyAsBefore()
    {
        var random = new Random(20260302);
        var lines = new List<string>
        {
            Header, " " + Header + " ", "OPEN_TIME,x", " open_time ", "open_time", "\uFEFF" + Header, "", " ", "\t", "\u00a0", ",,,,,,,,,,,", ",,,,,,,,,,,,", ",,,,,,,,,,,,,,,,,,,",
            "1772409600000,1,1,1,1,1,1772409659999,1,1,1,1,0,extra", "1772409600000,1,1,1,1,1,1772409659999,1,1,1,1",
            "1772409600000000,1,2,0.5,1,1,1772409659999999,1,1,1,1,0", "1772409600000,1,0.5,2,1,1,1772409659999,1,1,1,1,0",
            "1772409660000,1,1,1,1,1,1772409600000,1,1,1,1,0",
        };
        for (var i = 0; i < 20_000; i++)
        {
            var fields = new string[12];
            fields[0] = random.Next(4) switch
            {
                0 => Integers[random.Next(Integers.Length)],
                1 => (1_772_409_600_000_000L + (random.Next(1000) * 60_000_000L)).ToString(CultureInfo.InvariantCulture),
                _ => (1_772_409_600_000L + (random.Next(1000) * 60_000L)).ToString(CultureInfo.InvariantCulture),
            };
            for (var f = 1; f < 12; f++)
            {
                fields[f] = f switch
                {
                    6 => random.Next(3) == 0 ? Integers[random.Next(Integers.Length)] : "1772469659999",
                    8 => random.Next(3) == 0 ? Integers[random.Next(Integers.Length)] : random.Next(10_000).ToString(CultureInfo.InvariantCulture),
                    _ => RandomNumber(random),
                };
            }
            var line = string.Join(",", fields);
            if (random.Next(10) == 0)
            {
                line = " \t" + line + " ";
            }
            lines.Add(line);
        }
        foreach (var line in lines)
        {
            AssertLineSame(line);
        }
    }

    [Fact]
    public void PlainDecimals_NearTheFastPathLimits_ParseToTheSameDouble()
    {
        var random = new Random(53);
        for (var i = 0; i < 100_000; i++)
        {
            // Up to 2^53 + a bit, with 0 to 24 digits after the point.
            var m = random.NextInt64(0, (1L << 53) + 1000);
            if (random.Next(3) == 0)
            {
                m = (1L << 53) - 500 + random.Next(1000);
            }
            var digits = m.ToString(CultureInfo.InvariantCulture);
            var k = random.Next(0, 25);
            var text = k == 0 ? digits
                : k >= digits.Length ? "0." + new string('0', k - digits.Length) + digits
                : digits[..^k] + "." + digits[^k..];
            var n = text + (random.Next(8) == 0 ? "0" : "");
            AssertLineSame($"1772409600000,{n},{n},{n},{n},{n},1772409659999,{n},1,{n},{n},0");
        }
    }

    private static string RandomNumber(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                return Numbers[random.Next(Numbers.Length)];
            case 1:
                return BitConverter.Int64BitsToDouble(random.NextInt64(0, 0x7FF0000000000000)).ToString("R", CultureInfo.InvariantCulture);
            case 2:
                return (random.NextDouble() * Math.Pow(10, random.Next(-10, 12))).ToString("E" + random.Next(1, 25), CultureInfo.InvariantCulture);
            case 3:
                return (random.NextDouble() * 1e6).ToString("F" + random.Next(0, 30), CultureInfo.InvariantCulture);
            case 4:
            {
                // Many random digits around a decimal point.
                var sb = new StringBuilder();
                var digits = random.Next(1, 40);
                var point = random.Next(0, digits + 1);
                for (var d = 0; d < digits; d++)
                {
                    if (d == point)
                    {
                        sb.Append('.');
                    }
                    sb.Append((char)('0' + random.Next(10)));
                }
                if (random.Next(4) == 0)
                {
                    sb.Append(random.Next(2) == 0 ? 'e' : 'E').Append(random.Next(-30, 30));
                }
                return sb.ToString();
            }
            default:
                return (random.Next(1, 100_000) / 10_000.0).ToString(CultureInfo.InvariantCulture);
        }
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Row(long openTime, double close) =>
        FormattableString.Invariant($"{openTime},{close},{close},{close},{close},1.5e1,{openTime + 59_999},10.25,3,0.5,5,0");

    [Fact]
    public void Files_WithEveryLineEndBomAndHeader_ReadExactlyAsBefore()
    {
        var t = 1_772_409_600_000L;
        var rows = Enumerable.Range(0, 50).Select(i => Row(t + (i * 60_000L), 100 + (i / 7.0))).ToList();
        var utf8 = new UTF8Encoding(false);
        WriteBytes("AAAUSDT-1m-1.csv", utf8.GetBytes(Header + "\r\n" + string.Join("\r\n", rows) + "\r\n"));
        WriteBytes("BBBUSDT-1m-1.csv", [0xEF, 0xBB, 0xBF, .. utf8.GetBytes(Header + "\n" + string.Join("\n", rows))]); // BOM, no final newline
        WriteBytes("CCCUSDT-1m-1.csv", utf8.GetBytes(string.Join("\r", rows) + "\r")); // lone CR ends
        WriteBytes("DDDUSDT-1m-1.csv", utf8.GetBytes("\n\n" + rows[0] + "\n" + Header + "\n \n" + rows[1] + ",x\n" + rows[2] + "\r\r\n" + rows[3] + "\n\r"));
        WriteBytes("EEEUSDT-1m-1.csv", utf8.GetBytes(string.Join("\n", Enumerable.Range(0, 20).Select(i => // microsecond times
            FormattableString.Invariant($"{(t + (i * 60_000L)) * 1000},1.25,1.5,1,1.125,2,{((t + (i * 60_000L)) * 1000) + 59_999_999},3,4,1,2,0")))));
        WriteBytes("FFFUSDT-1m-1.csv", utf8.GetBytes("é," + rows[0] + "\n" + rows[1] + "\u00a0\n\u00a0" + rows[2] + "\n" + rows[3]));
        WriteBytes("GGGUSDT-1m-1.csv", [0xE2, 0x0A, .. utf8.GetBytes(rows[4]), 0xFF, 0x0A, .. utf8.GetBytes(rows[5])]); // invalid UTF-8
        WriteBytes("HHHUSDT-1m-1.csv", new UnicodeEncoding(false, true).GetPreamble().Concat(Encoding.Unicode.GetBytes(Header + "\r\n" + rows[6] + "\r\n")).ToArray());
        WriteBytes("IIIUSDT-1m-1.csv", []);
        WriteBytes("JJJUSDT-1m-1.csv", [0xEF, 0xBB, 0xBF]);
        WriteBytes("KKKUSDT-1m-1.csv", utf8.GetBytes(new string('1', 100_000) + "\n" + rows[7] + "\n")); // a line longer than the buffer
        AssertSameAsOldWay(_dir);
    }

    [Fact]
    public void LargeFiles_WithLineEndsAcrossBufferBoundaries_ReadExactlyAsBefore()
    {
        var random = new Random(7);
        var t = 1_772_409_600_000L;
        for (var f = 0; f < 4; f++)
        {
            var sb = new StringBuilder(Header).Append(f % 2 == 0 ? "\r\n" : "\n");
            for (var i = 0; i < 3000; i++)
            {
                sb.Append(Row(t + (i * 60_000L), Math.Round(random.NextDouble() * 1000, random.Next(0, 12)) + 0.001));
                sb.Append(' ', random.Next(0, 3)); // shifts the line ends so some "\r\n" straddle a buffer boundary
                sb.Append(random.Next(3) switch { 0 => "\r\n", 1 => "\n", _ => "\r" });
            }
            WriteBytes($"S{f}USDT-1m-1.csv", Encoding.UTF8.GetBytes(sb.ToString()));
        }
        // Files whose "\r\n" falls exactly on a read's boundary (the reader reads 16 KB at a time), or just after it.
        foreach (var size in new[] { 16 * 1024, 32 * 1024, 64 * 1024 })
        {
            for (var shift = -1; shift <= 1; shift++)
            {
                var row = Row(t, 5);
                var filler = new string(' ', size - 1 + shift - row.Length) + row;
                WriteBytes($"Z{size}X{shift + 1}USDT-1m-1.csv", Encoding.UTF8.GetBytes(filler + "\r\n" + Row(t + 60_000, 6) + "\r\n"));
            }
        }
        AssertSameAsOldWay(_dir);
    }
}
