namespace Scalpaiboard.AppHost.Hosting;

internal static partial class AppHostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Stopped processes a previous AppHost left running: {Orphans}")]
    public static partial void OrphansStopped(ILogger logger, string orphans);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Building {Project} ({Configuration})")]
    public static partial void Building(ILogger logger, string project, string configuration);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The postgres user cannot enter {DataPath}; PostgreSQL data goes to {Fallback}")]
    public static partial void PostgresDataElsewhere(ILogger logger, string dataPath, string fallback);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Replay session: starting from an empty store (cleared {Folder})")]
    public static partial void ReplaySessionCleared(ILogger logger, string folder);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Error}")]
    public static partial void StartFailed(ILogger logger, string error);
}
