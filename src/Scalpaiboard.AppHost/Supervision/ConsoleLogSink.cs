namespace Scalpaiboard.AppHost.Supervision;

/// <summary>Forwards every resource's console lines to the AppHost's console, prefixed with the resource name.</summary>
public sealed class ConsoleLogSink(TextWriter writer)
{
    private readonly Lock _gate = new();
    private readonly int _width = 8;

    public void Write(string resource, string line)
    {
        lock (_gate)
        {
            writer.Write(resource.PadRight(_width));
            writer.Write("| ");
            writer.WriteLine(line);
        }
    }
}
