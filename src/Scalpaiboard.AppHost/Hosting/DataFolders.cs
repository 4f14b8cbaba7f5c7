namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// Which data folder a run uses. A replay (<c>Ingest__Feed=replay</c>) is a self-contained session: without an
/// explicit <c>--data</c> it gets <c>.scalpaiboard/replay</c>, whose PostgreSQL data is cleared when the run
/// starts, so replayed history, signals and notifications never mix with the live store or with an earlier
/// replay, and replaying the same files twice fires the same signals twice. Restarts of services within a run
/// keep their data (the folder is cleared only by a new AppHost run).
/// </summary>
public static class DataFolders
{
    public const string ReplayFolder = "replay";

    public static bool IsReplay(IReadOnlyDictionary<string, string?> caller) =>
        string.Equals(caller.GetValueOrDefault("Ingest__Feed")?.Trim(), "replay", StringComparison.OrdinalIgnoreCase);

    public static string Choose(AppHostOptions options, RepositoryLayout layout, IReadOnlyDictionary<string, string?> caller) =>
        options.DataPath ?? (IsReplay(caller) ? Path.Combine(layout.DefaultDataPath, ReplayFolder) : layout.DefaultDataPath);

    /// <summary>True when this run starts a fresh replay session (default folder, replay feed, own PostgreSQL).</summary>
    public static bool StartsFreshSession(AppHostOptions options, IReadOnlyDictionary<string, string?> caller) =>
        options.DataPath is null && IsReplay(caller) && string.IsNullOrEmpty(caller.GetValueOrDefault("ConnectionStrings__postgres"));
}
