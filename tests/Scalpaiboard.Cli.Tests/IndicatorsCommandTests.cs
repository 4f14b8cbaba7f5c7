using System.CommandLine;
using System.Globalization;
using Scalpaiboard.Cli.Commands;

namespace Scalpaiboard.Cli.Tests;

public sealed class IndicatorsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scalp-indicators-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string DataFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Scalpaiboard.Market.Tests", "Indicators", "Data", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(name);
    }

    private static async Task<(int ExitCode, string Error)> Run(params string[] args)
    {
        var root = new RootCommand { IndicatorsCommand.Create() };
        var error = new StringWriter();
        var output = new StringWriter();
        var code = await root.Parse(["indicators", .. args]).InvokeAsync(new InvocationConfiguration { Error = error, Output = output });
        return (code, error.ToString());
    }

    private async Task<Dictionary<(int Index, string Indicator, string Field), string>> RunDefault(params string[] extra)
    {
        var output = Path.Combine(_dir, "out.csv");
        var (code, error) = await Run(["--input", DataFile("quotes_default.csv"), "--out", output, .. extra]);
        Assert.True(code == 0, error);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal("index,date,indicator,field,value", lines[0]);
        var cells = new Dictionary<(int, string, string), string>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            Assert.Equal(5, f.Length);
            cells.Add((int.Parse(f[0], CultureInfo.InvariantCulture), f[2], f[3]), f[4]);
        }

        return cells;
    }

    private static double Number(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Writes_every_field_of_every_indicator_for_every_bar()
    {
        var cells = await RunDefault();

        string[] expectedFields =
        [
            "sma.sma", "ema.ema", "rsi.rsi", "macd.macd", "macd.signal", "macd.histogram", "macd.fastEma", "macd.slowEma",
            "bollinger_bands.sma", "bollinger_bands.upperBand", "bollinger_bands.lowerBand", "bollinger_bands.percentB",
            "bollinger_bands.zScore", "bollinger_bands.width", "atr.tr", "atr.atr", "atr.atrp", "stoch.oscillator",
            "stoch.signal", "stoch.percentJ", "adx.pdi", "adx.mdi", "adx.dx", "adx.adx", "adx.adxr", "cci.cci",
            "williams_r.williamsR", "roc.momentum", "roc.roc", "donchian.upperBand", "donchian.centerline",
            "donchian.lowerBand", "donchian.width", "keltner.upperBand", "keltner.centerline", "keltner.lowerBand",
            "keltner.width", "supertrend.superTrend", "supertrend.upperBand", "supertrend.lowerBand", "parabolic_sar.sar",
            "parabolic_sar.isReversal", "obv.obv", "vwap.vwap", "pivot_points.pp", "pivot_points.r1", "pivot_points.r2",
            "pivot_points.r3", "pivot_points.r4", "pivot_points.s1", "pivot_points.s2", "pivot_points.s3", "pivot_points.s4",
        ];
        Assert.Equal(502 * expectedFields.Length, cells.Count);
        foreach (var field in expectedFields)
        {
            var dot = field.IndexOf('.', StringComparison.Ordinal);
            Assert.True(cells.ContainsKey((501, field[..dot], field[(dot + 1)..])), field);
        }

        // Spot checks against the reference library's published values.
        Assert.Equal(42.0773, Math.Round(Number(cells[(501, "rsi", "rsi")]), 4));
        Assert.Equal(-6.2198, Math.Round(Number(cells[(501, "macd", "macd")]), 4));
        Assert.Equal(0.6215, Math.Round(Number(cells[(14, "atr", "atrp")]), 4));
        Assert.Equal(string.Empty, cells[(13, "atr", "atr")]);
        Assert.Equal(string.Empty, cells[(0, "atr", "tr")]);
        Assert.Equal(34.2987, Math.Round(Number(cells[(501, "adx", "adx")]), 4));
        Assert.Equal(212.83, Math.Round(Number(cells[(14, "parabolic_sar", "sar")]), 4));
        Assert.Equal("true", cells[(14, "parabolic_sar", "isReversal")]);
        Assert.Equal("false", cells[(16, "parabolic_sar", "isReversal")]);
        Assert.Equal("539843504", cells[(501, "obv", "obv")]);
        Assert.Equal(214.5, Math.Round(Number(cells[(20, "pivot_points", "pp")]), 4));

        // Empty cells during warm-up, values right after it.
        Assert.Equal(string.Empty, cells[(18, "sma", "sma")]);
        Assert.NotEqual(string.Empty, cells[(19, "sma", "sma")]);
        Assert.Equal(string.Empty, cells[(13, "rsi", "rsi")]);
        Assert.Equal(string.Empty, cells[(32, "macd", "signal")]);
        Assert.NotEqual(string.Empty, cells[(33, "macd", "signal")]);
        Assert.Equal(string.Empty, cells[(40, "adx", "adxr")]);
        Assert.NotEqual(string.Empty, cells[(41, "adx", "adxr")]);
        Assert.Equal(string.Empty, cells[(13, "parabolic_sar", "isReversal")]);
        Assert.Equal(string.Empty, cells[(19, "pivot_points", "pp")]);
        Assert.Equal(string.Empty, cells[(501, "pivot_points", "r4")]);
        Assert.Equal(string.Empty, cells[(501, "supertrend", "lowerBand")]);
    }

    [Fact]
    public async Task Adxr_starts_at_index_41_as_in_the_reference_library()
    {
        // Skender.Stock.Indicators 2.7.1+ and 3.x (AdxTests.Standard, adx.standard.json) on this data set: ADXR null at
        // 39 and 40, 29.6824 at 41, 461 values. ADXR = (ADX + ADX 14 bars ago) / 2 and the first ADX is at 27.
        var cells = await RunDefault("--only", "adx");

        Assert.Equal(string.Empty, cells[(39, "adx", "adxr")]);
        Assert.Equal(string.Empty, cells[(40, "adx", "adxr")]);
        Assert.Equal(29.6824, Math.Round(Number(cells[(41, "adx", "adxr")]), 4));
        Assert.Equal(29.2101, Math.Round(Number(cells[(248, "adx", "adxr")]), 4));
        Assert.Equal(461, cells.Count(c => c.Key.Field == "adxr" && c.Value.Length > 0));
        Assert.Equal(15.9459, Math.Round(Number(cells[(27, "adx", "adx")]), 4));
    }

    [Fact]
    public async Task Echoes_dates_as_written_and_writes_round_trip_numbers()
    {
        var output = Path.Combine(_dir, "out.csv");
        var (code, error) = await Run("--input", DataFile("quotes_intraday.csv"), "--out", output, "--only", "vwap");
        Assert.True(code == 0, error);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(1 + 1564, lines.Length);
        Assert.StartsWith("0,2020-12-15 09:30,vwap,vwap,", lines[1], StringComparison.Ordinal);
        Assert.Equal(367.4223, Math.Round(Number(lines[2].Split(',')[4]), 4));
        var value = lines[391].Split(',')[4];
        Assert.Equal(value, Number(value).ToString("R", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Only_restricts_and_params_change_the_periods()
    {
        var cells = await RunDefault("--only", "rsi,sma", "--param", "rsi.period=21", "--param", "sma.period=5");
        Assert.Equal(502 * 2, cells.Count);
        Assert.Equal(string.Empty, cells[(20, "rsi", "rsi")]);
        Assert.NotEqual(string.Empty, cells[(21, "rsi", "rsi")]);
        Assert.Equal(string.Empty, cells[(3, "sma", "sma")]);
        Assert.NotEqual(string.Empty, cells[(4, "sma", "sma")]);
    }

    [Fact]
    public async Task Pivot_type_and_window_options_apply()
    {
        var cells = await RunDefault("--only", "pivot_points", "--pivot-type", "camarilla", "--pivot-window", "week");
        Assert.NotEqual(string.Empty, cells[(501, "pivot_points", "r4")]);
        Assert.Equal(string.Empty, cells[(3, "pivot_points", "pp")]);
        Assert.NotEqual(string.Empty, cells[(4, "pivot_points", "pp")]);
    }

    [Fact]
    public async Task Extra_indicators_are_written_only_on_request()
    {
        var cells = await RunDefault("--only", "vcp,vwap_rolling");
        Assert.Equal(502 * 2, cells.Count);
        Assert.Equal(string.Empty, cells[(18, "vcp", "vcp")]);
        Assert.NotEqual(string.Empty, cells[(19, "vcp", "vcp")]);
    }

    [Theory]
    [InlineData("2017-01-04,213.16,214.22,213.15,abc,83348752", "close 'abc' is not a number")]
    [InlineData("2017-01-04,213.16,214.22,213.15", "expected 6 fields")]
    [InlineData("yesterday,213.16,214.22,213.15,214.06,83348752", "date 'yesterday' is not a date")]
    [InlineData("2017-01-04,213.16,211.00,213.15,214.06,83348752", "high 211.00 is below low 213.15")]
    public async Task A_malformed_row_fails_naming_file_and_line(string badRow, string reason)
    {
        var input = Path.Combine(_dir, "bad.csv");
        await File.WriteAllLinesAsync(input, ["date,open,high,low,close,volume", "2017-01-03,212.61,213.35,211.52,212.8,96708880", badRow, "2017-01-05,213.77,214.06,213.02,213.89,82961968"]);
        var output = Path.Combine(_dir, "out.csv");

        var (code, error) = await Run("--input", input, "--out", output);

        Assert.NotEqual(0, code);
        Assert.Contains("bad.csv:3: ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_missing_header_fails()
    {
        var input = Path.Combine(_dir, "noheader.csv");
        await File.WriteAllLinesAsync(input, ["2017-01-03,212.61,213.35,211.52,212.8,96708880"]);
        var (code, error) = await Run("--input", input, "--out", Path.Combine(_dir, "out.csv"));
        Assert.NotEqual(0, code);
        Assert.Contains("noheader.csv:1: expected the header", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unwritable_output_fails_with_a_message()
    {
        var (code, error) = await Run("--input", DataFile("quotes_default.csv"), "--out", Path.Combine(_dir, "missing", "out.csv"));
        Assert.Equal(1, code);
        Assert.Contains("scalp indicators: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--only", "nope", "unknown indicator 'nope'")]
    [InlineData("--param", "rsi.length=3", "rsi has no parameter 'length'")]
    [InlineData("--param", "rsi.period=0", "rsi: invalid parameters")]
    public async Task Bad_options_fail_with_a_message(string option, string value, string message)
    {
        var (code, error) = await Run("--input", DataFile("quotes_default.csv"), "--out", Path.Combine(_dir, "out.csv"), option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
