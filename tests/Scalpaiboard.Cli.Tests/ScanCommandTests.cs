using System.Diagnostics;

namespace Scalpaiboard.Cli.Tests;

public sealed class ScanCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<string[]> ReadCsv(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();

    [Fact]
    public async Task Scan_Sample_ReproducesTheExpectedSignalsExactly()
    {
        var output = Path.Combine(_dir, "signals.csv");
        var (exit, stdout, stderr) = await CliRunner.RunAsync("scan", "--input", SharedData.Data("klines-sample"), "--out", output);

        Assert.True(exit == 0, stderr);
        var expected = ReadCsv(SharedData.Data("klines-sample.expected-signals.csv"));
        var actual = ReadCsv(output);
        Assert.Equal(["symbol", "open_time", "rule"], actual[0][..3]);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(string.Join(',', expected[i]), string.Join(',', actual[i][..3]));
        }
        Assert.Contains("futures_big_bull_60", stdout);
        Assert.Contains("total", stdout);
    }

    [Fact]
    public async Task Scan_GeneratedDataSet_AgreesWithTheReference()
    {
        var klines = Path.Combine(_dir, "klines");
        var expected = Path.Combine(_dir, "expected.csv");
        var ambiguous = Path.Combine(_dir, "ambiguous.csv");
        await Python.CheckedAsync(SharedData.Acceptance("klinegen.py"), klines, "--seed", "7", "--symbols", "6", "--days", "2");
        await Python.CheckedAsync(SharedData.Acceptance("presets_ref.py"), klines, expected, "--ambiguous", ambiguous);

        var output = Path.Combine(_dir, "signals.csv");
        var (exit, _, stderr) = await CliRunner.RunAsync("scan", "--input", klines, "--out", output);
        Assert.True(exit == 0, stderr);

        // score_alerts.py: a decision within 1e-7 of a threshold excuses that (symbol, rule) for one cooldown.
        var exp = Keys(expected);
        var amb = Keys(ambiguous);
        var act = Keys(output);
        bool Excused((string S, long T, string R) k) => amb.Any(a => a.S == k.S && a.R == k.R && k.T - a.T is >= 0 and < 300_000);
        Assert.NotEmpty(exp);
        var missing = exp.Except(act).Where(k => !Excused(k)).ToList();
        var unexpected = act.Except(exp).Where(k => !Excused(k)).ToList();
        Assert.Empty(missing);
        Assert.Empty(unexpected);
    }

    [Fact]
    public async Task Scan_MalformedRow_IsReportedWithFileAndLine_AndSkipped()
    {
        var klines = Directory.CreateDirectory(Path.Combine(_dir, "k")).FullName;
        var source = Path.Combine(SharedData.Data("klines-sample"), "ALPHAUSDT-1m-2026-03-02.csv");
        var lines = File.ReadAllLines(source).ToList();
        lines.Insert(3, "1772409720000,1,2,3");
        var file = Path.Combine(klines, "ALPHAUSDT-1m-2026-03-02.csv");
        File.WriteAllLines(file, lines);
        // Without a header and with microsecond times, like Binance's newer archives.
        var second = File.ReadAllLines(Path.Combine(SharedData.Data("klines-sample"), "ALPHAUSDT-1m-2026-03-03.csv"))
            .Skip(1).Select(l => l.Split(',')).Select(f => string.Join(',', [f[0] + "000", .. f[1..6], f[6] + "999", .. f[7..]]));
        File.WriteAllLines(Path.Combine(klines, "ALPHAUSDT-1m-2026-03-03.csv"), second);

        var output = Path.Combine(_dir, "signals.csv");
        var (exit, stdout, stderr) = await CliRunner.RunAsync("scan", "--input", klines, "--out", output);

        Assert.Equal(0, exit);
        Assert.Contains($"{file}:4: expected 12 columns, found 4", stderr);
        Assert.Contains("2,880 candles", stdout);
        Assert.Contains("1 malformed rows skipped", stdout);
        var alpha = ReadCsv(SharedData.Data("klines-sample.expected-signals.csv")).Skip(1).Where(r => r[0] == "ALPHAUSDT")
            .Select(r => string.Join(',', r)).ToList();
        Assert.Equal(alpha, ReadCsv(output).Skip(1).Select(r => string.Join(',', r[..3])).ToList());
    }

    [Fact]
    public async Task Scan_MissingInput_FailsWithAMessage()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("scan", "--input", Path.Combine(_dir, "nope"), "--out", Path.Combine(_dir, "x.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("no such file or folder", stderr);
    }

    [Fact]
    public async Task Scan_UnwritableOutput_FailsWithAMessage()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("scan", "--input", SharedData.Data("klines-sample"),
            "--out", Path.Combine(_dir, "missing-folder", "x.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("cannot write", stderr);
    }

    [Fact]
    public async Task Scan_Cooldown_ChangesHowOftenAPresetRefires()
    {
        var five = Path.Combine(_dir, "five.csv");
        var one = Path.Combine(_dir, "one.csv");
        Assert.Equal(0, (await CliRunner.RunAsync("scan", "--input", SharedData.Data("klines-sample"), "--out", five)).Exit);
        Assert.Equal(0, (await CliRunner.RunAsync("scan", "--input", SharedData.Data("klines-sample"), "--out", one, "--cooldown", "1")).Exit);
        Assert.True(ReadCsv(one).Count > ReadCsv(five).Count);
    }

    private static HashSet<(string S, long T, string R)> Keys(string path) =>
        ReadCsv(path).Skip(1).Select(r => (r[0], long.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), r[2])).ToHashSet();
}
