using System.CommandLine;
using System.Globalization;
using System.Text;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Cli.Commands;

/// <summary>
/// <c>scalp indicators --input quotes.csv --out results.csv</c>: every indicator of <see cref="IndicatorCatalog"/>
/// on every bar, one row per field: <c>index,date,indicator,field,value</c>. See docs/indicators.md.
/// </summary>
public static class IndicatorsCommand
{
    private const string Header = "date,open,high,low,close,volume";

    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i")
        {
            Description = "Quotes CSV with the header date,open,high,low,close,volume (invariant culture).",
            Required = true,
        };
        var output = new Option<FileInfo>("--out", "-o")
        {
            Description = "Results CSV to write: index,date,indicator,field,value (empty value = warm-up).",
            Required = true,
        };
        var only = new Option<string?>("--only")
        {
            Description = "Comma-separated indicator keys to write (default: all standard ones). Keys: "
                + string.Join(", ", IndicatorCatalog.All.Select(s => s.InDefaultSet ? s.Key : s.Key + " (extra)")) + ".",
        };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "Override a parameter, repeatable: key.name=value, e.g. rsi.period=21, macd.fast=8, "
                + "bollinger_bands.stddev=2.5, keltner.atr=14, parabolic_sar.step=0.01. Names and defaults: "
                + string.Join("; ", IndicatorCatalog.All.Where(s => s.Defaults.Count > 0)
                    .Select(s => s.Key + " " + string.Join(",", s.Defaults.Select(d => $"{d.Key}={d.Value.ToString(CultureInfo.InvariantCulture)}")))) + ".",
            AllowMultipleArgumentsPerToken = false,
        };
        var pivotType = new Option<PivotPointType>("--pivot-type")
        {
            Description = "Pivot point type: standard, fibonacci, camarilla, woodie, demark.",
            DefaultValueFactory = _ => PivotPointType.Standard,
        };
        var pivotWindow = new Option<PivotWindow>("--pivot-window")
        {
            Description = "Pivot point window: month, week, day, hour (of the bar's date).",
            DefaultValueFactory = _ => PivotWindow.Month,
        };

        var command = new Command("indicators", "Compute the streaming indicators (Skender.Stock.Indicators definitions) over a quotes CSV.")
        {
            input, output, only, parameters, pivotType, pivotWindow,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var settings = new IndicatorSettings
                {
                    PivotType = parseResult.GetValue(pivotType),
                    PivotWindow = parseResult.GetValue(pivotWindow),
                };
                foreach (var p in parseResult.GetValue(parameters) ?? [])
                {
                    ApplyParameter(settings, p);
                }

                var specs = Select(parseResult.GetValue(only));
                var file = parseResult.GetValue(input)!;
                var (dates, quotes) = ReadQuotes(file.FullName, file.ToString());
                await WriteAsync(parseResult.GetValue(output)!.FullName, dates, quotes, specs, settings, cancellationToken);
                return 0;
            }
            catch (InputException ex)
            {
                await error.WriteLineAsync(ex.Message);
                return 1;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"scalp indicators: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed class InputException(string message) : Exception(message);

    private static void ApplyParameter(IndicatorSettings settings, string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var dot = eq < 0 ? -1 : text.LastIndexOf('.', eq);
        if (eq < 0 || dot < 0)
        {
            throw new InputException($"--param '{text}': expected key.name=value, e.g. rsi.period=21");
        }

        var key = text[..dot].Trim();
        var name = text[(dot + 1)..eq].Trim();
        var spec = IndicatorCatalog.Find(key) ?? throw new InputException($"--param '{text}': unknown indicator '{key}'");
        if (!spec.Defaults.ContainsKey(name))
        {
            throw new InputException($"--param '{text}': {key} has no parameter '{name}' (it has: {string.Join(", ", spec.Defaults.Keys)})");
        }

        if (!double.TryParse(text[(eq + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new InputException($"--param '{text}': value is not a number");
        }

        settings.Set(spec.Key, name, value);
    }

    private static List<IndicatorSpec> Select(string? only)
    {
        if (string.IsNullOrWhiteSpace(only))
        {
            return IndicatorCatalog.All.Where(s => s.InDefaultSet).ToList();
        }

        var specs = new List<IndicatorSpec>();
        foreach (var key in only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var spec = IndicatorCatalog.Find(key)
                ?? throw new InputException($"--only: unknown indicator '{key}' (known: {string.Join(", ", IndicatorCatalog.All.Select(s => s.Key))})");
            if (!specs.Contains(spec))
            {
                specs.Add(spec);
            }
        }

        return specs;
    }

    /// <summary>Reads the quotes; any malformed row stops with <c>file:line: reason</c>.</summary>
    internal static (List<string> Dates, List<Quote> Quotes) ReadQuotes(string path, string displayName)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{displayName}: file not found");
        }

        var dates = new List<string>();
        var quotes = new List<Quote>();
        var lineNumber = 0;
        var sawHeader = false;
        var v = new double[5];
        string[] names = ["open", "high", "low", "close", "volume"];
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || (lineNumber == 1 && line.Trim('\uFEFF').Length == 0))
            {
                continue;
            }

            if (!sawHeader)
            {
                if (!string.Equals(line.Trim('\uFEFF', ' ').Replace(" ", string.Empty, StringComparison.Ordinal), Header, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InputException($"{displayName}:{lineNumber}: expected the header '{Header}'");
                }

                sawHeader = true;
                continue;
            }

            var f = line.Split(',');
            if (f.Length != 6)
            {
                throw new InputException($"{displayName}:{lineNumber}: expected 6 fields ({Header}), got {f.Length}");
            }

            if (!DateTime.TryParse(f[0].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            {
                throw new InputException($"{displayName}:{lineNumber}: date '{f[0]}' is not a date");
            }

            for (var i = 0; i < 5; i++)
            {
                if (!double.TryParse(f[i + 1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                {
                    throw new InputException($"{displayName}:{lineNumber}: {names[i]} '{f[i + 1]}' is not a number");
                }
            }

            if (v[1] < v[2])
            {
                throw new InputException($"{displayName}:{lineNumber}: high {f[2]} is below low {f[3]}");
            }

            if (v[4] < 0)
            {
                throw new InputException($"{displayName}:{lineNumber}: volume {f[5]} is negative");
            }

            if (quotes.Count > 0 && date <= quotes[^1].Date)
            {
                throw new InputException($"{displayName}:{lineNumber}: date {f[0]} is not after the previous row's");
            }

            dates.Add(f[0]);
            quotes.Add(new Quote(date, v[0], v[1], v[2], v[3], v[4]));
        }

        if (!sawHeader)
        {
            throw new InputException($"{displayName}:1: expected the header '{Header}'");
        }

        return (dates, quotes);
    }

    private static async Task WriteAsync(
        string path, List<string> dates, List<Quote> quotes, List<IndicatorSpec> specs, IndicatorSettings settings, CancellationToken cancellationToken)
    {
        var columns = new List<(string Key, IndicatorColumn Column)>();
        foreach (var spec in specs)
        {
            IReadOnlyList<IndicatorColumn> computed;
            try
            {
                computed = spec.Compute(quotes, settings);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new InputException($"{spec.Key}: invalid parameters ({ex.Message.Split(Environment.NewLine)[0]})");
            }

            foreach (var column in computed)
            {
                columns.Add((spec.Key, column));
            }
        }

        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
        await writer.WriteLineAsync("index,date,indicator,field,value".AsMemory(), cancellationToken);
        var row = new StringBuilder(96);
        for (var i = 0; i < quotes.Count; i++)
        {
            var prefix = $"{i.ToString(CultureInfo.InvariantCulture)},{Csv(dates[i])},";
            foreach (var (key, column) in columns)
            {
                row.Clear().Append(prefix).Append(key).Append(',').Append(column.Field).Append(',')
                    .Append(IndicatorCatalog.Format(column.Values[i], column.IsBoolean));
                await writer.WriteLineAsync(row, cancellationToken);
            }
        }
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
