namespace Scalpaiboard.Testing;

/// <summary>
/// Finds the project's shared reference folder (<c>shared/</c> with <c>data/</c> and <c>acceptance/</c>):
/// <c>SCALPAIBOARD_SHARED</c> if set, else the nearest ancestor of the test binaries that has a <c>shared/</c>
/// sibling holding <c>data/klines-sample</c>.
/// </summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    public static string Data(string name) => Path.Combine(Root, "data", name);

    public static string Acceptance(string name) => Path.Combine(Root, "acceptance", name);

    private static string Find()
    {
        var env = Environment.GetEnvironmentVariable("SCALPAIBOARD_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data", "klines-sample")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            "shared reference data not found: set SCALPAIBOARD_SHARED to the folder holding data/ and acceptance/");
    }
}
