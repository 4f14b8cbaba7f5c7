using System.CommandLine;
using Scalpaiboard.Cli.Scan;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Signals;
using Spectre.Console;

namespace Scalpaiboard.Cli.Commands;

/// <summary>
/// <c>scalp scan --input &lt;folder|file&gt; --out signals.csv [--cooldown 5]</c>: the ten presets over Binance
/// kline CSVs through the market engine; output <c>symbol,open_time,rule,price</c> ordered by symbol, open time,
/// preset. Malformed rows go to stderr as <c>file:line: reason</c> and are skipped.
/// </summary>
public static class ScanCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i")
        {
            Description = "A folder of Binance 1m kline CSVs (SYMBOL-1m-YYYY-MM-DD.csv) or one such file",
            Required = true,
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = "The signals CSV to write",
            Required = true,
        };
        var cooldown = new Option<int>("--cooldown")
        {
            Description = "Cooldown per symbol and preset, in minutes",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("scan", "Run the ten preset signals over kline history and write the signals as CSV")
        {
            input, output, cooldown,
        };
        command.SetAction((parse, ct) => Task.FromResult(Run(
            parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(cooldown), ct)));
        return command;
    }

    private static int Run(string input, string output, int cooldownMinutes, CancellationToken cancellationToken)
    {
        if (cooldownMinutes < 0)
        {
            Console.Error.WriteLine("scalp scan: --cooldown must be 0 or more minutes");
            return 2;
        }
        KlineCsvReader reader;
        var interactive = !Console.IsErrorRedirected;
        var deferred = new List<KlineReadError>();
        try
        {
            reader = new KlineCsvReader(input, error =>
            {
                if (interactive)
                {
                    deferred.Add(error);
                }
                else
                {
                    Console.Error.WriteLine(error.ToString());
                }
            });
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine($"scalp scan: {e.Message}");
            return 2;
        }
        if (reader.Files.Count == 0)
        {
            Console.Error.WriteLine($"scalp scan: no .csv files in {input}");
            return 2;
        }

        var runner = new ScanRunner(new MarketEngineOptions { Cooldown = TimeSpan.FromMinutes(cooldownMinutes) });
        ScanResult result;
        if (interactive)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            result = console.Progress().Start(ctx =>
            {
                var task = ctx.AddTask($"scan {reader.Files.Count} files", maxValue: Math.Max(1, reader.TotalBytes));
                return runner.Run(reader, (done, _) => task.Value = done, cancellationToken);
            });
            foreach (var error in deferred)
            {
                Console.Error.WriteLine(error.ToString());
            }
        }
        else
        {
            var lastDecile = -1L;
            result = runner.Run(reader, (done, total) =>
            {
                var decile = total == 0 ? 10 : done * 10 / total;
                if (decile > lastDecile)
                {
                    lastDecile = decile;
                    Console.Error.WriteLine($"scan: {Math.Min(100, decile * 10)}% ({done:N0} of {total:N0} bytes)");
                }
            }, cancellationToken);
        }

        try
        {
            using var writer = new StreamWriter(output);
            ScanRunner.WriteCsv(result.Signals, writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"scalp scan: cannot write {output}: {e.Message}");
            return 2;
        }

        Console.WriteLine($"scan: {result.Candles:N0} candles of {result.Symbols} symbols from {reader.Files.Count} files; " +
            $"{result.MalformedRows} malformed rows skipped, {result.Rejected} out-of-order candles rejected, " +
            $"{result.Duplicates} duplicates ignored, {result.Gaps} gaps");
        var counts = new int[PresetTypes.Count];
        foreach (var s in result.Signals)
        {
            counts[(int)s.Type]++;
        }
        for (var i = 0; i < counts.Length; i++)
        {
            Console.WriteLine($"  {PresetTypes.Keys[i],-24} {counts[i]}");
        }
        Console.WriteLine($"  {"total",-24} {result.Signals.Count} -> {output}");
        return 0;
    }
}
