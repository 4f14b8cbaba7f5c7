using Scalpaiboard.Market.Data;

namespace Scalpaiboard.Market.Tests.Data;

public sealed class KlineCsvReaderTests : IDisposable
{
    private const string Header =
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";

    private readonly string _dir = Directory.CreateTempSubdirectory("klines-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Row(long openTime, double close) =>
        FormattableString.Invariant($"{openTime},{close},{close},{close},{close},1,{openTime + 59_999},10,1,0.5,5,0");

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Fact]
    public void Read_Folder_InterleavesSymbolsByOpenTimeThenSymbol()
    {
        var t = TestCandles.T0;
        Write("BBBUSDT-1m-2026-03-02.csv", Header, Row(t, 1), Row(t + 60_000, 2));
        Write("AAAUSDT-1m-2026-03-02.csv", Header, Row(t + 60_000, 3));
        Write("AAAUSDT-1m-2026-03-01.csv", Row(t - 60_000, 4), Row(t, 5));

        var got = KlineCsvReader.Read(_dir).Select(x => (x.Symbol, x.Candle.OpenTime, x.Candle.Close)).ToList();

        Assert.Equal(
        [
            ("AAAUSDT", t - 60_000, 4.0), ("AAAUSDT", t, 5.0), ("BBBUSDT", t, 1.0),
            ("AAAUSDT", t + 60_000, 3.0), ("BBBUSDT", t + 60_000, 2.0),
        ], got);
    }

    [Fact]
    public void GroupBySymbol_ThenReadInFileOrder_GivesOneSymbolsCandlesFileAfterFile()
    {
        var t = TestCandles.T0;
        Write("BBBUSDT-1m-2026-03-02.csv", Header, Row(t, 1));
        Write("AAAUSDT-1m-2026-03-02.csv", Header, Row(t + 60_000, 3), "garbage");
        Write("AAAUSDT-1m-2026-03-01.csv", Row(t - 60_000, 4), Row(t, 5));
        var errors = new List<KlineReadError>();

        var groups = KlineCsvReader.GroupBySymbol(KlineCsvReader.Discover(_dir));
        var aaa = new KlineCsvReader(groups[0].Files, errors.Add);
        var got = aaa.ReadInFileOrder().Select(c => (c.OpenTime, c.Close)).ToList();

        Assert.Equal(["AAAUSDT", "BBBUSDT"], groups.Select(g => g.Symbol));
        Assert.Equal([(t - 60_000, 4.0), (t, 5.0), (t + 60_000, 3.0)], got);
        Assert.Equal(groups[0].Files.Sum(f => f.Length), groups[0].Length);
        Assert.EndsWith("AAAUSDT-1m-2026-03-02.csv:3: expected 12 columns, found 1", Assert.Single(errors).ToString());
    }

    [Fact]
    public void Read_MalformedRows_AreReportedWithFileAndLineAndSkipped()
    {
        var t = TestCandles.T0;
        var path = Write("XUSDT-1m-2026-03-02.csv", Header, Row(t, 1), "garbage", Row(t + 60_000, 2), Header);
        var errors = new List<KlineReadError>();
        var reader = new KlineCsvReader(_dir, errors.Add);

        var got = reader.ReadAll().Select(x => x.Candle.Close).ToList();

        Assert.Equal([1.0, 2.0], got);
        Assert.Equal(2, reader.MalformedRows);
        Assert.Equal($"{path}:3: expected 12 columns, found 1", errors[0].ToString());
        Assert.Equal($"{path}:5: header row after the first line", errors[1].ToString());
    }

    [Fact]
    public void Read_SingleFileWithoutHeaderInMicroseconds_GivesMilliseconds()
    {
        var t = TestCandles.T0;
        var path = Write("ethusdt-1m-2026-03-02.csv", $"{t * 1000},1,1,1,1,1,{t * 1000 + 59_999_999},10,1,0.5,5,0");

        var got = KlineCsvReader.Read(path).Single();

        Assert.Equal("ETHUSDT", got.Symbol);
        Assert.Equal(t, got.Candle.OpenTime);
    }

    [Fact]
    public void Read_IsLazy_NothingIsReadBeforeEnumeration()
    {
        Write("AUSDT-1m-2026-03-02.csv", Header, Row(TestCandles.T0, 1));
        var reader = new KlineCsvReader(_dir);
        using var e = reader.ReadAll().GetEnumerator();
        Assert.Equal(0, reader.BytesRead);
        Assert.True(e.MoveNext());
        Assert.True(reader.BytesRead > 0);
    }

    [Fact]
    public void Read_MissingPath_Throws() =>
        Assert.Throws<FileNotFoundException>(() => new KlineCsvReader(Path.Combine(_dir, "nope")));
}
