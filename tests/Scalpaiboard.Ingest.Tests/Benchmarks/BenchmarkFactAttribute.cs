namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>A fact that runs only when <c>SCALPAIBOARD_BENCH=1</c> (measurements for docs/performance.md, not unit tests).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SCALPAIBOARD_BENCH") != "1")
        {
            Skip = "benchmark: run with SCALPAIBOARD_BENCH=1";
        }
    }

    public static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
