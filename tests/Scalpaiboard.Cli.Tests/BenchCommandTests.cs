using System.Text.RegularExpressions;

namespace Scalpaiboard.Cli.Tests;

public partial class BenchCommandTests
{
    [GeneratedRegex(@"^pipeline_ns_per_update=\d+(\.\d+)? batch_speedup=\d+(\.\d+)? allocated_bytes_per_update=\d+(\.\d+)? bytes_per_symbol=-?\d+$")]
    private static partial Regex Summary();

    [Fact]
    public async Task Bench_SmallMarket_EndsWithTheSummaryLine_AndAgreesWithTheBatchRecomputation()
    {
        // Exit code 0 also means the streaming engine and the naive batch computed the same windows and indicators.
        var (exit, stdout, stderr) = await CliRunner.RunAsync(
            "bench", "--symbols", "4", "--warmup", "300", "--minutes", "20", "--batch-symbols", "2", "--batch-minutes", "5");

        Assert.True(exit == 0, stdout + stderr);
        var last = stdout.TrimEnd().Split('\n')[^1];
        Assert.Matches(Summary(), last);
        Assert.Contains("0 disagreements", stdout);
    }

    [GeneratedRegex(@"^backtest_candles_per_second=\d+ cpu_ns_per_candle=\d+ seconds_for_500_symbols_x_30_days=\d+(\.\d+)?$")]
    private static partial Regex BacktestSummary();

    [Fact]
    public async Task BenchBacktest_SmallMarket_EndsWithTheSummaryLine()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("bench", "backtest", "--symbols", "6", "--minutes", "600");

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("3,600 candles of 6 symbols", stdout);
        Assert.Matches(BacktestSummary(), stdout.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public async Task BenchBacktest_UnknownRule_FailsWithAMessage()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("bench", "backtest", "--rule", "nope");
        Assert.Equal(2, exit);
        Assert.Contains("unknown rule 'nope'", stderr);
    }

    [Fact]
    public async Task Bench_BadOption_FailsWithAMessage()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("bench", "--symbols", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--symbols", stderr);
    }
}
