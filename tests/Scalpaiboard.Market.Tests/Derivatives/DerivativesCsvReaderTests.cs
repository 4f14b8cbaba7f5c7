using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Market.Tests.Derivatives;

public sealed class DerivativesCsvReaderTests : IDisposable
{
    private const string MetricsHeader =
        "create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio";

    private readonly string _dir = Directory.CreateTempSubdirectory("deriv-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string name, params string[] lines) => File.WriteAllLines(Path.Combine(_dir, name), lines);

    [Fact]
    public void Rows_of_all_files_come_out_merged_by_time_then_symbol()
    {
        Write("BBBUSDT-metrics-2026-03-02.csv", MetricsHeader,
            "2026-03-02 00:00:00,BBBUSDT,10,1000,1.1,1.2,1.3,0.9",
            "2026-03-02 00:05:00,BBBUSDT,11,1100,1.1,1.2,1.3,0.9");
        Write("BBBUSDT-metrics-2026-03-03.csv", MetricsHeader, "2026-03-03 00:00:00,BBBUSDT,12,1200,1.1,1.2,1.3,0.9");
        Write("AAAUSDT-metrics-2026-03-02.csv", MetricsHeader, "2026-03-02 00:05:00,AAAUSDT,5,50,1,2,3,4");
        Write("AAAUSDT-fundingRate-2026-03.csv", "calc_time,funding_interval_hours,last_funding_rate",
            "1772409600000,8,-0.00012", "1772438400000,8,0.0001");
        Write("AAAUSDT-1m-2026-03-02.csv", "not,a,derivatives,file");

        var reader = new DerivativesCsvReader(_dir);
        var rows = reader.ReadAll().ToList();
        Assert.Equal(0, reader.MalformedRows);
        Assert.Equal(["AAAUSDT:Funding:1772409600000", "BBBUSDT:OpenInterest:1772409600000", "AAAUSDT:OpenInterest:1772409900000",
            "BBBUSDT:OpenInterest:1772409900000", "AAAUSDT:Funding:1772438400000", "BBBUSDT:OpenInterest:1772496000000"],
            rows.Select(r => $"{r.Symbol}:{r.Kind}:{r.Time}"));
        var a = rows[2].OpenInterest;
        // Columns by name: count_long_short_ratio is the global ratio, sum_toptrader_long_short_ratio the top traders'.
        Assert.Equal(new OpenInterestSample(1772409900000, 5, 50, 3, 2, 4), a);
        Assert.Equal(-0.00012, rows[0].Funding.Rate);
    }

    [Fact]
    public void Columns_are_found_by_name_and_empty_values_are_unavailable()
    {
        Write("XUSDT-metrics-2026-03-02.csv",
            "symbol,sum_open_interest_value,sum_open_interest,create_time,sum_taker_long_short_vol_ratio,count_long_short_ratio,sum_toptrader_long_short_ratio,count_toptrader_long_short_ratio",
            "XUSDT,2000,20,1772409600000,,1.5,0.8,9");
        var row = Assert.Single(new DerivativesCsvReader(_dir).ReadAll());
        Assert.Equal(1772409600000, row.Time);
        Assert.Equal(20, row.OpenInterest.OpenInterest);
        Assert.Equal(2000, row.OpenInterest.OpenInterestValue);
        Assert.Equal(1.5, row.OpenInterest.LongShortRatio);
        Assert.Equal(0.8, row.OpenInterest.TopTraderLongShortRatio);
        Assert.True(double.IsNaN(row.OpenInterest.TakerBuySellRatio));
    }

    [Fact]
    public void Malformed_rows_are_reported_with_file_and_line_and_skipped()
    {
        Write("XUSDT-metrics-2026-03-02.csv", MetricsHeader,
            "2026-03-02 00:00:00,XUSDT,10,1000,1,1,1,1",
            "2026-03-02 25:00:00,XUSDT,10,1000,1,1,1,1",
            "2026-03-02 00:10:00,XUSDT,ten,1000,1,1,1,1",
            "2026-03-02 00:15:00,XUSDT,-1,1000,1,1,1,1",
            "2026-03-02 00:20:00,XUSDT,10",
            "2026-03-02 00:25:00,XUSDT,12,1200,1,1,1,1");
        Write("XUSDT-fundingRate-2026-03.csv", "calc_time,funding_interval_hours,last_funding_rate",
            "1772409600000,8,0.0001", "yesterday,8,0.0001", "1772438400000,8,NaN", "1772467200000,8,7");
        var errors = new List<KlineReadError>();
        var reader = new DerivativesCsvReader(_dir, errors.Add);
        var rows = reader.ReadAll().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(7, reader.MalformedRows);
        Assert.Equal(["XUSDT-fundingRate-2026-03.csv:3", "XUSDT-fundingRate-2026-03.csv:4", "XUSDT-fundingRate-2026-03.csv:5",
            "XUSDT-metrics-2026-03-02.csv:3", "XUSDT-metrics-2026-03-02.csv:4", "XUSDT-metrics-2026-03-02.csv:5", "XUSDT-metrics-2026-03-02.csv:6"],
            errors.Select(e => $"{e.File}:{e.Line}").Order(StringComparer.Ordinal));
        Assert.Contains(errors, e => e.Reason.Contains("create_time", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Reason.Contains("sum_open_interest 'ten'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Reason.Contains("last_funding_rate '7'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_metrics_file_without_its_columns_is_reported_once()
    {
        Write("XUSDT-metrics-2026-03-02.csv", "create_time,symbol,sum_open_interest", "2026-03-02 00:00:00,XUSDT,10");
        var errors = new List<KlineReadError>();
        Assert.Empty(new DerivativesCsvReader(_dir, errors.Add).ReadAll());
        var error = Assert.Single(errors);
        Assert.Contains("sum_open_interest_value", error.Reason, StringComparison.Ordinal);
    }
}
