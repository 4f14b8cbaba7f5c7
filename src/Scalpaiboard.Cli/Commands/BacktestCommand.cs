using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Scalpaiboard.Cli.Backtests;
using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;
using Spectre.Console;

namespace Scalpaiboard.Cli.Commands;

/// <summary>
/// <c>scalp backtest --input &lt;folder|file&gt; --rule &lt;preset&gt; [--tp 2 --sl 1 --hold 240 --fee 0.04 --cooldown 5]
/// [--from ms --to ms] [--symbols all|A,B] --out trades.csv [--summary summary.json]</c>: every signal of one preset
/// over Binance kline CSVs traded as BACKTEST.md defines it, through the market engine on all cores. Writes the
/// trades and the statistics, a summary table on stdout and, for a terminal or a long run, progress on stderr.
/// Exit codes: 0 done, 1 a malformed row (named as <c>file:line: reason</c>; nothing is written), 2 bad options,
/// a missing or unreadable input or an unwritable output, 130 cancelled.
/// </summary>
public static class BacktestCommand
{
    /// <summary>A run that is not on a terminal reports progress only once it has taken this long.</summary>
    private static readonly TimeSpan LongRun = TimeSpan.FromSeconds(3);

    private sealed record Arguments(
        string Input,
        string Rule,
        double TakeProfitPct,
        double StopLossPct,
        int MaxHoldMinutes,
        double FeePct,
        int CooldownMinutes,
        long? From,
        long? To,
        string Symbols,
        string Out,
        string? Summary);

    public static Command Create()
    {
        var input = new Option<string>("--input", "-i")
        {
            Description = "A folder of Binance 1m kline CSVs (SYMBOL-1m-YYYY-MM-DD.csv) or one such file",
            Required = true,
        };
        var rule = new Option<string>("--rule", "-r")
        {
            Description = "The preset to trade: " + string.Join(", ", PresetTypes.Keys),
            Required = true,
        };
        var tp = new Option<double>("--tp") { Description = "Take profit, percent from the entry", DefaultValueFactory = _ => 2.0 };
        var sl = new Option<double>("--sl") { Description = "Stop loss, percent from the entry", DefaultValueFactory = _ => 1.0 };
        var hold = new Option<int>("--hold") { Description = "Time exit, minutes after the entry", DefaultValueFactory = _ => 240 };
        var fee = new Option<double>("--fee") { Description = "Fee per side, percent of notional", DefaultValueFactory = _ => 0.04 };
        var cooldown = new Option<int>("--cooldown") { Description = "Signal cooldown per symbol, minutes", DefaultValueFactory = _ => 5 };
        var from = new Option<long?>("--from") { Description = "First traded candle open time, Unix ms (the history before it warms the engine up)" };
        var to = new Option<long?>("--to") { Description = "End of the period, Unix ms, exclusive (later candles are not read)" };
        var symbols = new Option<string>("--symbols") { Description = "all, or a comma-separated list", DefaultValueFactory = _ => "all" };
        var output = new Option<string>("--out", "-o") { Description = "The trades CSV to write", Required = true };
        var summary = new Option<string?>("--summary") { Description = "The statistics JSON to write" };
        var command = new Command("backtest", "Trade every signal of one preset over kline history and write the trades and their statistics")
        {
            input, rule, tp, sl, hold, fee, cooldown, from, to, symbols, output, summary,
        };
        command.SetAction((parse, ct) => Task.FromResult(Run(new Arguments(
            parse.GetValue(input)!, parse.GetValue(rule)!, parse.GetValue(tp), parse.GetValue(sl), parse.GetValue(hold),
            parse.GetValue(fee), parse.GetValue(cooldown), parse.GetValue(from), parse.GetValue(to),
            parse.GetValue(symbols) ?? "all", parse.GetValue(output)!, parse.GetValue(summary)), ct)));
        return command;
    }

    private static int Run(Arguments a, CancellationToken cancellationToken)
    {
        if (!PresetTypes.TryParse(a.Rule, out var type))
        {
            return Usage($"unknown rule '{a.Rule}'; one of {string.Join(", ", PresetTypes.Keys)}");
        }
        var parameters = new BacktestParameters
        {
            Rule = type,
            TakeProfitPct = a.TakeProfitPct,
            StopLossPct = a.StopLossPct,
            MaxHoldMinutes = a.MaxHoldMinutes,
            FeePct = a.FeePct,
            CooldownMinutes = a.CooldownMinutes,
            From = a.From,
            To = a.To,
        };
        var invalid = parameters.Validate();
        if (invalid.Count > 0)
        {
            return Usage(string.Join("; ", invalid.Select(e => $"{OptionOf(e.Name)} {e.Message}")));
        }
        var wanted = ParseSymbols(a.Symbols);

        KlineBacktestInput input;
        try
        {
            input = KlineBacktestInput.Open(a.Input, wanted);
        }
        catch (FileNotFoundException e)
        {
            return Usage(e.Message);
        }
        using (input)
        {
            if (input.Series.Count == 0)
            {
                return Usage(wanted is null ? $"no .csv files in {a.Input}" : $"no kline files of {a.Symbols} in {a.Input}");
            }
            var missing = wanted?.Where(s => input.Series.All(x => x.Symbol != s)).Order(StringComparer.Ordinal).ToList() ?? [];
            if (missing.Count > 0)
            {
                return Usage($"no kline files of {string.Join(", ", missing)} in {a.Input}");
            }
            return Backtest(a, parameters, input, cancellationToken);
        }
    }

    private static int Backtest(Arguments a, BacktestParameters parameters, KlineBacktestInput input, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, input.Failed);
        var runner = new BacktestRunner(parameters);
        var clock = Stopwatch.StartNew();
        BacktestResult? result = null;
        try
        {
            result = Console.IsErrorRedirected
                ? runner.Run(input.Series, ProgressLines(parameters.Rule, clock), stop.Token)
                : WithProgressBar(runner, input, parameters.Rule, clock, stop.Token);
        }
        catch (OperationCanceledException) when (input.Errors.Count > 0 || cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"scalp backtest: cannot read {a.Input}: {e.Message}");
            return 2;
        }
        clock.Stop();

        if (input.Errors.Count > 0)
        {
            foreach (var error in input.Errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line))
            {
                Console.Error.WriteLine(error.ToString());
            }
            Console.Error.WriteLine($"scalp backtest: malformed kline row in {a.Input}; nothing written");
            return 1;
        }
        if (result is null)
        {
            Console.Error.WriteLine("scalp backtest: cancelled");
            return 130;
        }

        try
        {
            using (var writer = new StreamWriter(a.Out))
            {
                BacktestFiles.WriteTrades(result.Trades, writer);
            }
            if (a.Summary is not null)
            {
                using var stream = File.Create(a.Summary);
                BacktestFiles.WriteSummary(result.Summary, stream);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"scalp backtest: cannot write: {e.Message}");
            return 2;
        }

        PrintSummary(result, input, clock.Elapsed, a);
        return 0;
    }

    /// <summary>A progress bar on the terminal: percent, candles per second, time left.</summary>
    private static BacktestResult WithProgressBar(BacktestRunner runner, KlineBacktestInput input, PresetType rule, Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var expected = Math.Max(1, input.Series.Sum(s => s.ExpectedCandles));
                var task = ctx.AddTask(rule.Key(), maxValue: expected);
                return runner.Run(input.Series, p =>
                {
                    task.MaxValue = Math.Max(1, p.ExpectedCandles);
                    task.Value = p.Candles;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"{rule.Key()} {Rate(p.Candles, clock.Elapsed):N0} candles/s");
                }, cancellationToken);
            });
    }

    /// <summary>Not a terminal: a line per 10 %, once the run has taken long enough to be worth following.</summary>
    private static Action<BacktestProgress> ProgressLines(PresetType rule, Stopwatch clock)
    {
        var lastDecile = -1L;
        return p =>
        {
            var elapsed = clock.Elapsed;
            var decile = (long)(p.Fraction * 10);
            if (elapsed < LongRun || decile <= lastDecile || p.Candles == p.ExpectedCandles)
            {
                return;
            }
            lastDecile = decile;
            var rate = Rate(p.Candles, elapsed);
            var eta = rate > 0 ? TimeSpan.FromSeconds((p.ExpectedCandles - p.Candles) / rate) : TimeSpan.Zero;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"backtest {rule.Key()}: {decile * 10}% ({p.Candles:N0} of ~{p.ExpectedCandles:N0} candles, {rate:N0} candles/s, ETA {eta.TotalSeconds:N0} s)"));
        };
    }

    private static void PrintSummary(BacktestResult r, KlineBacktestInput input, TimeSpan elapsed, Arguments a)
    {
        var s = r.Summary;
        var i = CultureInfo.InvariantCulture;
        string Num(double? x, string format = "0.####") => x is { } v ? v.ToString(format, i) : "-";
        var p = r.Parameters;
        Console.WriteLine(string.Create(i,
            $"backtest {p.Rule.Key()} ({p.Side.Key()}; tp {p.TakeProfitPct}% sl {p.StopLossPct}% hold {p.MaxHoldMinutes} min fee {p.FeePct}% cooldown {p.CooldownMinutes} min)"));
        Console.WriteLine(string.Create(i,
            $"  {r.Candles:N0} candles of {r.Symbols} symbols from {input.Files.Count} files in {elapsed.TotalSeconds:0.00} s ({Rate(r.Candles, elapsed):N0} candles/s); {r.Rejected} out-of-order candles rejected, {r.Duplicates} duplicates ignored, {r.Gaps} gaps"));
        (string, string)[] rows =
        [
            ("signals", string.Create(i, $"{r.Signals} ({s.SkippedSignals} skipped while a position was open)")),
            ("trades", string.Create(i, $"{s.Trades} ({s.Wins} wins, {s.Losses} losses)")),
            ("win rate", s.WinRate is { } w ? (100 * w).ToString("0.##", i) + " %" : "-"),
            ("profit factor", Num(s.ProfitFactor)),
            ("total return", s.TotalReturnPct.ToString("0.####", i) + " %"),
            ("max drawdown", s.MaxDrawdownPct.ToString("0.####", i) + " %"),
            ("sharpe", Num(s.Sharpe)),
            ("avg R", Num(s.AvgR)),
            ("avg hold", s.AvgHoldMinutes is { } h ? h.ToString("0.#", i) + " min" : "-"),
            ("exits", string.Create(i, $"target {s.Exits.Target}, stop {s.Exits.Stop}, time {s.Exits.Time}, end {s.Exits.End}")),
            ("written", a.Summary is null ? a.Out : $"{a.Out}, {a.Summary}"),
        ];
        foreach (var (name, value) in rows)
        {
            Console.WriteLine($"  {name,-14} {value}");
        }
    }

    private static double Rate(long candles, TimeSpan elapsed) => elapsed.TotalSeconds > 0 ? candles / elapsed.TotalSeconds : 0;

    private static HashSet<string>? ParseSymbols(string symbols)
    {
        if (string.Equals(symbols.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return symbols.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
    }

    private static string OptionOf(string parameter) => parameter switch
    {
        nameof(BacktestParameters.TakeProfitPct) => "--tp",
        nameof(BacktestParameters.StopLossPct) => "--sl",
        nameof(BacktestParameters.MaxHoldMinutes) => "--hold",
        nameof(BacktestParameters.FeePct) => "--fee",
        nameof(BacktestParameters.CooldownMinutes) => "--cooldown",
        nameof(BacktestParameters.To) => "--to",
        nameof(BacktestParameters.From) => "--from",
        _ => "--rule",
    };

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"scalp backtest: {message}");
        return 2;
    }
}
