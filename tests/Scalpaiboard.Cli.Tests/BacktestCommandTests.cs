using System.Text.Json;

namespace Scalpaiboard.Cli.Tests;

/// <summary>Kline data sets made by <c>klinegen.py</c>, one per seed, generated once for the test class.</summary>
public sealed class GeneratedKlines : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backtest-klines-").FullName;
    private readonly Dictionary<int, string> _sets = [];

    /// <summary>12 symbols x 3 days from 2026-03-02, with the given seed.</summary>
    public async Task<string> Get(int seed)
    {
        if (!_sets.TryGetValue(seed, out var path))
        {
            path = Path.Combine(_dir, $"seed{seed}");
            await Python.CheckedAsync(SharedData.Acceptance("klinegen.py"), path, "--seed", $"{seed}", "--symbols", "12",
                "--days", "3", "--start", "2026-03-02");
            _sets[seed] = path;
        }
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

public sealed class BacktestCommandTests(GeneratedKlines klines) : IClassFixture<GeneratedKlines>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backtest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [PythonTheory]
    [InlineData(3, "futures_pioneer_bull", "")]
    [InlineData(3, "futures_15_big_bull", "")]
    [InlineData(7, "futures_pioneer_bear", "")]
    [InlineData(7, "futures_5_big_bull", "")]
    [InlineData(7, "futures_5_big_bull", "--from 1772460000000 --to 1772600000000 --tp 1.5 --sl 0.5 --hold 60 --cooldown 3")]
    [InlineData(3, "futures_pioneer_bull", "--from 1772496000000 --fee 0.1 --hold 20")]
    public async Task Backtest_GeneratedData_MatchesTheReferenceTradeForTrade(int seed, string rule, string options)
    {
        var data = await klines.Get(seed);
        string[] extra = options.Length == 0 ? [] : options.Split(' ');
        var (expTrades, expSummary, ambiguous) = (Temp("ref.csv"), Temp("ref.json"), Temp("ambiguous.csv"));
        await Python.CheckedAsync([SharedData.Acceptance("backtest_ref.py"), data, "--rule", rule, "--out", expTrades,
            "--summary", expSummary, "--ambiguous-out", ambiguous, .. extra]);

        var (actTrades, actSummary) = (Temp("trades.csv"), Temp("summary.json"));
        var (exit, stdout, stderr) = await CliRunner.RunAsync(["backtest", "--input", data, "--rule", rule, "--out", actTrades,
            "--summary", actSummary, .. extra]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("trades", stdout);

        // score_backtest.py: trade for trade (relative 1e-9, sharpe 1e-6), trades within reach of an ambiguous decision
        // left out on both sides, the summary only when the rule had none.
        var (scoreExit, score, scoreErr) = await Python.RunAsync(SharedData.Acceptance("score_backtest.py"), expTrades, expSummary,
            actTrades, actSummary, "--ambiguous", ambiguous, "--rule", rule);
        var last = score.TrimEnd().Split('\n')[^1];
        Assert.True(scoreExit == 0, score + scoreErr);
        Assert.Matches(@"^trades: (\d+) expected, \1 matched, 0 differ, 0 missing, 0 extra", last);
        Assert.DoesNotMatch(@"^trades: 0 expected", last);
        Assert.Equal(File.ReadAllLines(expTrades).Length, File.ReadAllLines(actTrades).Length);
    }

    [Fact]
    public async Task Backtest_Sample_WritesTheSpecLayout()
    {
        var (trades, summary) = (Temp("trades.csv"), Temp("summary.json"));

        var (exit, stdout, stderr) = await CliRunner.RunAsync("backtest", "--input", SharedData.Data("klines-sample"),
            "--rule", "futures_big_bull_60", "--out", trades, "--summary", summary);

        Assert.True(exit == 0, stderr);
        var lines = File.ReadAllLines(trades);
        Assert.Equal("symbol,rule,side,entry_time,entry_price,exit_time,exit_price,reason,return,r_multiple", lines[0]);
        Assert.True(lines.Length > 1);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^[A-Z]+USDT,futures_big_bull_60,long,\d+,[-0-9.E]+,\d+,[-0-9.E]+,(target|stop|time|end),[-0-9.E]+,[-0-9.E]+$", l));
        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        Assert.Equal(["trades", "wins", "losses", "winRate", "profitFactor", "totalReturnPct", "maxDrawdownPct", "sharpe", "avgR",
            "avgHoldMinutes", "exits", "skippedSignals"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["target", "stop", "time", "end"], json.RootElement.GetProperty("exits").EnumerateObject().Select(p => p.Name));
        Assert.Equal(lines.Length - 1, json.RootElement.GetProperty("trades").GetInt32());
        Assert.Contains("profit factor", stdout);
        Assert.Contains("candles/s", stdout);
    }

    [Fact]
    public async Task Backtest_Symbols_RestrictsTheRunToThem()
    {
        var trades = Temp("trades.csv");

        var (exit, stdout, stderr) = await CliRunner.RunAsync("backtest", "--input", SharedData.Data("klines-sample"),
            "--rule", "futures_big_bull_60", "--hold", "30", "--symbols", "alphausdt,BRAVOUSDT", "--out", trades);

        Assert.True(exit == 0, stderr);
        Assert.Contains("of 2 symbols from 4 files", stdout);
        Assert.All(File.ReadAllLines(trades).Skip(1), l => Assert.Matches("^(ALPHAUSDT|BRAVOUSDT),", l));
    }

    [Fact]
    public async Task Backtest_MalformedRow_FailsNamingFileAndLine_AndWritesNothing()
    {
        var input = Directory.CreateDirectory(Path.Combine(_dir, "k")).FullName;
        foreach (var f in Directory.GetFiles(SharedData.Data("klines-sample"), "ALPHAUSDT-*.csv"))
        {
            File.Copy(f, Path.Combine(input, Path.GetFileName(f)));
        }
        var bad = Path.Combine(input, "ALPHAUSDT-1m-2026-03-03.csv");
        var lines = File.ReadAllLines(bad).ToList();
        lines[41] = lines[41].Replace(',', ';');
        File.WriteAllLines(bad, lines);
        var (trades, summary) = (Temp("trades.csv"), Temp("summary.json"));

        var (exit, _, stderr) = await CliRunner.RunAsync("backtest", "--input", input, "--rule", "futures_pioneer_bull",
            "--out", trades, "--summary", summary);

        Assert.Equal(1, exit);
        Assert.Contains($"{bad}:42: expected 12 columns, found 1", stderr);
        Assert.Contains("nothing written", stderr);
        Assert.False(File.Exists(trades));
        Assert.False(File.Exists(summary));
    }

    [Theory]
    [InlineData("--rule", "futures_sideways", "unknown rule 'futures_sideways'; one of futures_big_bull_60")]
    [InlineData("--sl", "0", "--sl must be a number above 0")]
    [InlineData("--hold", "0", "--hold must be at least 1 minute")]
    [InlineData("--fee", "-1", "--fee must be a number of 0 or more")]
    [InlineData("--to", "1000", "--to must be later than From")]
    [InlineData("--symbols", "NOPEUSDT", "no kline files of NOPEUSDT")]
    public async Task Backtest_BadOption_FailsNamingIt(string option, string value, string message)
    {
        string[] args = ["backtest", "--input", SharedData.Data("klines-sample"), "--rule", "futures_pioneer_bull",
            "--from", "5000", "--out", Temp("trades.csv")];
        var i = Array.IndexOf(args, option);
        args = i >= 0 ? [.. args[..(i + 1)], value, .. args[(i + 2)..]] : [.. args, option, value];

        var (exit, _, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
        Assert.False(File.Exists(Temp("trades.csv")));
    }

    [Fact]
    public async Task Backtest_MissingInput_FailsWithAMessage()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("backtest", "--input", Path.Combine(_dir, "nope"), "--rule",
            "futures_pioneer_bull", "--out", Temp("trades.csv"));

        Assert.Equal(2, exit);
        Assert.Contains("no such file or folder", stderr);
    }

    private string Temp(string name) => Path.Combine(_dir, name);
}
