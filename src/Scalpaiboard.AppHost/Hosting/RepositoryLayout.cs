namespace Scalpaiboard.AppHost.Hosting;

/// <summary>Where things are: the repository root (the folder holding Scalpaiboard.sln), projects and their built output.</summary>
public sealed class RepositoryLayout(string root)
{
    public const string SolutionFile = "Scalpaiboard.sln";

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public string Root { get; } = root;

    /// <summary>Walks up from the current folder, then from the AppHost's own folder, to the one holding Scalpaiboard.sln.</summary>
    public static RepositoryLayout? Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return new RepositoryLayout(dir.FullName);
                }
            }
        }
        return null;
    }

    public string DefaultDataPath => Path.Combine(Root, ".scalpaiboard");

    public string ProjectDirectory(string project) => Path.Combine(Root, "src", "Scalpaiboard." + project);

    public string ProjectFile(string project) => Path.Combine(ProjectDirectory(project), $"Scalpaiboard.{project}.csproj");

    public string ProjectOutput(string project) =>
        Path.Combine(ProjectDirectory(project), "bin", Configuration, "net10.0", $"Scalpaiboard.{project}.dll");
}
