using Scalpaiboard.AppHost.Hosting;

namespace Scalpaiboard.AppHost.Tests.Hosting;

public sealed class DataFoldersTests
{
    private static readonly RepositoryLayout Layout = new("/repo");

    [Fact]
    public void Default_feed_uses_the_repositorys_data_folder_and_keeps_it()
    {
        var caller = new Dictionary<string, string?>();

        Assert.Equal("/repo/.scalpaiboard", DataFolders.Choose(new AppHostOptions(), Layout, caller));
        Assert.False(DataFolders.StartsFreshSession(new AppHostOptions(), caller));
    }

    [Fact]
    public void Replay_gets_its_own_folder_and_a_fresh_session()
    {
        var caller = new Dictionary<string, string?> { ["Ingest__Feed"] = "Replay" };

        Assert.Equal("/repo/.scalpaiboard/replay", DataFolders.Choose(new AppHostOptions(), Layout, caller));
        Assert.True(DataFolders.StartsFreshSession(new AppHostOptions(), caller));
    }

    [Fact]
    public void An_explicit_data_folder_or_external_postgres_is_never_cleared()
    {
        var replay = new Dictionary<string, string?> { ["Ingest__Feed"] = "replay" };
        var external = new Dictionary<string, string?> { ["Ingest__Feed"] = "replay", ["ConnectionStrings__postgres"] = "Host=db" };
        var explicitData = new AppHostOptions { DataPath = "/data/mine" };

        Assert.Equal("/data/mine", DataFolders.Choose(explicitData, Layout, replay));
        Assert.False(DataFolders.StartsFreshSession(explicitData, replay));
        Assert.False(DataFolders.StartsFreshSession(new AppHostOptions(), external));
    }
}
