namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// An exclusive lock on the data folder (flock on apphost.lock, released by the kernel when the AppHost dies,
/// even by SIGKILL), so two AppHosts never share a PostgreSQL data folder and orphan reaping never hits a live run.
/// </summary>
public static class DataFolderLock
{
    public static FileStream? TryAcquire(string dataPath)
    {
        try
        {
            return new FileStream(Path.Combine(dataPath, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
