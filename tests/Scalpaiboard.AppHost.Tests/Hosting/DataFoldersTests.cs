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

    [Theory]
    [InlineData(false, false)] // a replay on the default folder: a fresh session, Redis's append-only file cleared
    [InlineData(true, true)] // --data: the caller's own folder is never cleared
    public async Task A_fresh_replay_session_starts_with_an_empty_Redis(bool explicitData, bool kept)
    {
        var root = Path.Combine(Path.GetTempPath(), "datafolders-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var layout = new RepositoryLayout(root);
            var caller = new Dictionary<string, string?> { ["Ingest__Feed"] = "replay" };
            var options = new AppHostOptions
            {
                Only = ["redis"],
                DashboardPort = ScalpaiboardModel.FreePort(),
                DataPath = explicitData ? Path.Combine(root, "mine") : null,
            };
            var dataPath = DataFolders.Choose(options, layout, caller);
            var aof = Path.Combine(dataPath, "redis", "appendonlydir", "appendonly.aof.1.incr.aof");
            Directory.CreateDirectory(Path.GetDirectoryName(aof)!);
            await File.WriteAllTextAsync(aof, "*1\r\n$5\r\nMULTI\r\n");
            using var http = new HttpClient();

            var (model, error) = await AppHostBuilder.PrepareAsync(options, layout, dataPath, caller, http,
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);

            Assert.Null(error);
            Assert.NotNull(model);
            Assert.Equal(kept, File.Exists(aof));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
