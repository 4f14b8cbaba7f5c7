using System.Threading.Channels;

namespace Scalpaiboard.AppHost.Supervision;

public sealed record LogLine(long Seq, DateTimeOffset Time, string Stream, string Text);

/// <summary>
/// A resource's recent console output (bounded: the oldest lines fall off) with live subscribers for the
/// dashboard's log stream. Subscribers that cannot keep up lose lines rather than slow the process down.
/// </summary>
public sealed class LogBuffer(int capacity = 5000)
{
    private readonly LinkedList<LogLine> _lines = new();
    private readonly List<Channel<LogLine>> _subscribers = [];
    private readonly Lock _gate = new();
    private long _seq;

    public int Capacity { get; } = capacity;

    public LogLine Add(string stream, string text, DateTimeOffset time)
    {
        LogLine line;
        lock (_gate)
        {
            line = new LogLine(++_seq, time, stream, text);
            _lines.AddLast(line);
            if (_lines.Count > Capacity)
            {
                _lines.RemoveFirst();
            }
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(line);
            }
        }
        return line;
    }

    /// <summary>The last <paramref name="count"/> lines, oldest first.</summary>
    public IReadOnlyList<LogLine> Tail(int count)
    {
        lock (_gate)
        {
            return _lines.Skip(Math.Max(0, _lines.Count - count)).ToList();
        }
    }

    /// <summary>The recent lines and a reader of every later line, atomically (no line lost or repeated).</summary>
    public (IReadOnlyList<LogLine> Recent, ChannelReader<LogLine> Live, IDisposable Subscription) Subscribe(int recent)
    {
        var channel = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(10_000)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _subscribers.Add(channel);
            return (_lines.Skip(Math.Max(0, _lines.Count - recent)).ToList(), channel.Reader, new Unsubscriber(this, channel));
        }
    }

    private sealed class Unsubscriber(LogBuffer owner, Channel<LogLine> channel) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._subscribers.Remove(channel);
            }
            channel.Writer.TryComplete();
        }
    }
}
