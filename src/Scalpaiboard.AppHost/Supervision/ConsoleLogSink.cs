namespace Scalpaiboard.AppHost.Supervision;

/// <summary>Forwards every resource's console lines to the AppHost's console, prefixed with the resource name.</summary>
public sealed class ConsoleLogSink(TextWriter writer)
{
    private const int Width = 8;
    private readonly Lock _gate = new();
    private bool _broken;

    public void Write(string resource, string line)
    {
        lock (_gate)
        {
            if (_broken)
            {
                return;
            }
            try
            {
                writer.Write(resource.PadRight(Width));
                writer.Write("| ");
                writer.WriteLine(line);
            }
            catch (IOException)
            {
                // Our stdout went away (e.g. a closed pipe): keep supervising, the dashboard still has the logs.
                _broken = true;
            }
        }
    }
}
