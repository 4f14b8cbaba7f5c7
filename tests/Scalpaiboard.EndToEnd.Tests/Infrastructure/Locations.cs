using System.Reflection;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

/// <summary>The repository, the shared reference data beside it, and where results go.</summary>
internal static class Locations
{
    public static string Configuration { get; } =
        typeof(Locations).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The folder holding Scalpaiboard.sln above the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindUp(AppContext.BaseDirectory, d => File.Exists(Path.Combine(d, "Scalpaiboard.sln")))
        ?? throw new InvalidOperationException($"No Scalpaiboard.sln above {AppContext.BaseDirectory}.");

    /// <summary>$SCALPAIBOARD_SHARED, else the first folder named `shared` (holding data/klines-sample) beside an ancestor.</summary>
    public static string SharedRoot { get; } = FindShared();

    public static string KlinesSample => Path.Combine(SharedRoot, "data", "klines-sample");

    public static string ExpectedSignals => Path.Combine(SharedRoot, "data", "klines-sample.expected-signals.csv");

    /// <summary>TestResults/ under the test project (created on demand).</summary>
    public static string TestResults { get; } = Path.Combine(RepositoryRoot, "tests", "Scalpaiboard.EndToEnd.Tests", "TestResults");

    private static string FindShared()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SCALPAIBOARD_SHARED");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return Directory.Exists(Path.Combine(fromEnv, "data", "klines-sample"))
                ? Path.GetFullPath(fromEnv)
                : throw new InvalidOperationException($"SCALPAIBOARD_SHARED={fromEnv} holds no data/klines-sample.");
        }
        var ancestor = FindUp(AppContext.BaseDirectory, d => Directory.Exists(Path.Combine(d, "shared", "data", "klines-sample")));
        return ancestor is not null
            ? Path.Combine(ancestor, "shared")
            : throw new InvalidOperationException(
                $"No folder shared/data/klines-sample beside any ancestor of {AppContext.BaseDirectory}; set SCALPAIBOARD_SHARED.");
    }

    private static string? FindUp(string start, Func<string, bool> match)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (match(dir.FullName))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
