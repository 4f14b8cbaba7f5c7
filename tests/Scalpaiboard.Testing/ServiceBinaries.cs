using Xunit;

namespace Scalpaiboard.Testing;

/// <summary>Where the build put a service, for tests that start it as a process of its own.</summary>
public static class ServiceBinaries
{
    /// <summary>
    /// <c>src/{project}/bin/{config}/{tfm}/{project}.dll</c>, the configuration and framework of the running test
    /// assembly (the test project builds the service through a reference with ReferenceOutputAssembly=false).
    /// </summary>
    public static string Dll(string project)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var config = dir.Parent?.Name ?? "Debug";
        var tfm = dir.Name;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Scalpaiboard.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        var dll = Path.Combine(dir.FullName, "src", project, "bin", config, tfm, project + ".dll");
        Assert.True(File.Exists(dll), "service not built: " + dll);
        return dll;
    }
}
