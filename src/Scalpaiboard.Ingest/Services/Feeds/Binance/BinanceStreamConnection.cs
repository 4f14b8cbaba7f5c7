using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>
/// One combined-stream WebSocket (<c>/stream?streams=a/b/c</c> under <paramref name="streamBase"/>, Binance's route
/// for the kind of stream) that stays up: reconnects with jittered exponential backoff after any drop (including
/// Binance's forced 24 h disconnect), reconnects a connection on which a watched stream has been silent too long
/// (every stream but the <paramref name="quietStreams"/>, which may rightly say nothing for minutes; a subscribed one
/// from its subscription on), sends SUBSCRIBE/UNSUBSCRIBE control messages no faster than the configured rate, and
/// hands every text frame to <see cref="_onMessage"/>. A connection without any stream waits for a subscription
/// before it connects. Server pings are answered by <see cref="ClientWebSocket"/> itself; our keep-alive pongs go
/// out every 15 s.
/// </summary>
public sealed partial class BinanceStreamConnection(
    string name,
    Uri streamBase,
    IReadOnlyList<string> fixedStreams,
    BinanceOptions options,
    Action<ReadOnlyMemory<byte>> onMessage,
    Action onReconnected,
    FeedStatus status,
    TimeProvider time,
    ILogger logger,
    IReadOnlyCollection<string>? quietStreams = null)
{
    private readonly Action<ReadOnlyMemory<byte>> _onMessage = onMessage;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _dynamic = new(StringComparer.Ordinal);
    private readonly Queue<(string Method, string[] Streams)> _control = new();
    private readonly Dictionary<string, long> _lastMessage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _subscribedAt = new(StringComparer.Ordinal);
    private readonly string[] _watchedFixed = fixedStreams.Where(s => quietStreams?.Contains(s) != true).ToArray();
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _controlId;

    public bool Connected { get; private set; }

    /// <summary>Completes when the connection is first established (its streams subscribed).</summary>
    public Task FirstConnect => _firstConnect.Task;

    public int Connects { get; private set; }

    /// <summary>Streams this connection carries now (fixed plus subscribed).</summary>
    public int StreamCount
    {
        get
        {
            lock (_gate)
            {
                return fixedStreams.Count + _dynamic.Count;
            }
        }
    }

    public void Subscribe(IReadOnlyCollection<string> streams)
    {
        lock (_gate)
        {
            var added = streams.Where(_dynamic.Add).ToArray();
            if (added.Length > 0)
            {
                _control.Enqueue(("SUBSCRIBE", added));
                foreach (var a in added)
                {
                    _subscribedAt[a] = time.GetTimestamp();
                }
            }
        }
    }

    public void Unsubscribe(IReadOnlyCollection<string> streams)
    {
        lock (_gate)
        {
            var removed = streams.Where(_dynamic.Remove).ToArray();
            if (removed.Length > 0)
            {
                _control.Enqueue(("UNSUBSCRIBE", removed));
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = options.ReconnectDelayMilliseconds;
        while (!cancellationToken.IsCancellationRequested)
        {
            while (StreamCount == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
            var started = time.GetTimestamp();
            try
            {
                await RunOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
            {
                LogDropped(logger, name, ex.Message);
            }
            Connected = false;
            status.AddReconnect();
            // A connection that lived a while starts its backoff afresh.
            if (time.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
            {
                delay = options.ReconnectDelayMilliseconds;
            }
            var jittered = delay * (0.5 + Random.Shared.NextDouble());
            await Task.Delay(TimeSpan.FromMilliseconds(jittered), cancellationToken);
            delay = Math.Min(delay * 2, options.MaxReconnectDelayMilliseconds);
        }
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        using var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        string[] streams;
        lock (_gate)
        {
            streams = [.. fixedStreams, .. _dynamic];
            _control.Clear();
            _lastMessage.Clear();
        }
        var uri = new Uri(streamBase, "stream?streams=" + string.Join('/', streams));
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(TimeSpan.FromSeconds(15));
        await ws.ConnectAsync(uri, connectTimeout.Token);
        Connected = true;
        _firstConnect.TrySetResult();
        if (Connects++ > 0)
        {
            onReconnected();
        }
        var connectedAt = time.GetTimestamp();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var control = SendControlAsync(ws, linked.Token);
        var watchdog = WatchAsync(ws, connectedAt, linked.Token);
        try
        {
            await ReceiveAsync(ws, linked.Token);
        }
        finally
        {
            await linked.CancelAsync();
            try { await Task.WhenAll(control, watchdog); } catch (OperationCanceledException) { }
            ws.Abort();
        }
    }

    private async Task ReceiveAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var message = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var result = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    LogClosed(logger, name, ws.CloseStatus?.ToString() ?? "", ws.CloseStatusDescription ?? "");
                    return;
                }
                message.Write(buffer.AsSpan(0, result.Count));
                if (message.WrittenCount > 4 * 1024 * 1024)
                {
                    throw new WebSocketException("frame larger than 4 MB");
                }
                if (!result.EndOfMessage)
                {
                    continue;
                }
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    NoteStream(message.WrittenSpan);
                    _onMessage(message.WrittenMemory);
                }
                message.ResetWrittenCount();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> StreamKey => "{\"stream\":\""u8;

    private void NoteStream(ReadOnlySpan<byte> json)
    {
        // Combined-stream frames start with {"stream":"<name>": cheap to read without parsing the whole frame.
        if (!json.StartsWith(StreamKey))
        {
            return;
        }
        var rest = json[StreamKey.Length..];
        var end = rest.IndexOf((byte)'"');
        if (end <= 0)
        {
            return;
        }
        var stream = Encoding.UTF8.GetString(rest[..end]);
        lock (_gate)
        {
            _lastMessage[stream] = time.GetTimestamp();
        }
    }

    private async Task WatchAsync(ClientWebSocket ws, long connectedAt, CancellationToken cancellationToken)
    {
        var limit = TimeSpan.FromSeconds(options.SilenceTimeoutSeconds);
        var period = TimeSpan.FromMilliseconds(Math.Max(50, limit.TotalMilliseconds / 4));
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(period, cancellationToken);
            string? silent = null;
            lock (_gate)
            {
                foreach (var s in _watchedFixed.Concat(_dynamic))
                {
                    var last = _lastMessage.TryGetValue(s, out var t) ? t
                        : _subscribedAt.TryGetValue(s, out var at) && at > connectedAt ? at : connectedAt;
                    if (time.GetElapsedTime(last) > limit)
                    {
                        silent = s;
                        break;
                    }
                }
            }
            if (silent is not null)
            {
                LogSilent(logger, name, silent, limit.TotalSeconds);
                ws.Abort();
                return;
            }
        }
    }

    private async Task SendControlAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        var spacing = TimeSpan.FromMilliseconds(1000.0 / options.ControlMessagesPerSecond);
        while (!cancellationToken.IsCancellationRequested)
        {
            (string Method, string[] Streams) next;
            lock (_gate)
            {
                if (!_control.TryDequeue(out next))
                {
                    next = default;
                }
            }
            if (next.Streams is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                continue;
            }
            var payload = JsonSerializer.SerializeToUtf8Bytes(new { method = next.Method, @params = next.Streams, id = Interlocked.Increment(ref _controlId) });
            await ws.SendAsync(payload, WebSocketMessageType.Text, true, cancellationToken);
            if (next.Method == "SUBSCRIBE")
            {
                lock (_gate)
                {
                    // Watched from now on: its first message is still to come.
                    foreach (var s in next.Streams)
                    {
                        _subscribedAt[s] = time.GetTimestamp();
                        _lastMessage.Remove(s);
                    }
                }
            }
            await Task.Delay(spacing, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance stream connection {Name} dropped: {Error}")]
    private static partial void LogDropped(ILogger logger, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance stream connection {Name} closed by the server: {Status} {Description}")]
    private static partial void LogClosed(ILogger logger, string name, string status, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance stream connection {Name}: {Stream} silent for more than {Seconds} s; reconnecting")]
    private static partial void LogSilent(ILogger logger, string name, string stream, double seconds);
}
