using System.Net.WebSockets;
using System.Threading.Channels;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>
/// One /ws connection. The fan-out (any thread) hands frames to <see cref="Deliver"/>, which never blocks: frames
/// wait in a bounded per-client queue and one writer loop sends them. Ticker frames are coalesced (a pending ticker
/// frame is replaced by a newer one, so the oldest is dropped); any other frame that finds the queue full means the
/// client cannot keep up, and it is disconnected with "client too slow". Payloads are shared between clients, never
/// copied per client.
/// </summary>
public sealed class HubClient
{
    /// <summary>Queue entry standing for "the latest pending ticker frame".</summary>
    private static readonly byte[] TickerSlot = [];

    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly Channel<byte[]> _queue = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly CancellationTokenSource _lifetime;
    private readonly int _capacity;
    private readonly TimeSpan _sendTimeout;
    private readonly TimeProvider _time;
    private int _pending;
    private byte[]? _latestTicker;
    private CloseRequest? _close;
    private long _lastSeen;
    private long _sendStarted;

    public HubClient(WebSocket socket, string address, int capacity, TimeSpan sendTimeout, TimeProvider time, CancellationToken connectionAborted)
    {
        _socket = socket;
        Address = address;
        _capacity = capacity;
        _sendTimeout = sendTimeout;
        _time = time;
        _lastSeen = time.GetTimestamp();
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(connectionAborted);
    }

    /// <summary>The client address its connection counts against.</summary>
    public string Address { get; }

    /// <summary>The authenticated user, after a valid auth message (or a bearer token on the upgrade request).</summary>
    public string? UserId { get; set; }

    /// <summary>Live keys (<c>live:tickers</c>, <c>live:alerts:{user}</c>) this client is registered under; touched only by
    /// the connection's read loop.</summary>
    internal HashSet<string> LiveKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Client channel names as the client asked for them (normalised).</summary>
    internal HashSet<string> Channels { get; } = new(StringComparer.Ordinal);

    /// <summary>Ends when the connection should stop (closed by either side, too slow, idle, shutting down).</summary>
    public CancellationToken Lifetime => _lifetime.Token;

    public string? CloseReason => _close?.Reason;

    public TimeSpan SilentFor => _time.GetElapsedTime(Volatile.Read(ref _lastSeen));

    public void MarkSeen() => Volatile.Write(ref _lastSeen, _time.GetTimestamp());

    /// <summary>True when one send has been waiting longer than the send timeout: the client stopped reading.</summary>
    public bool IsSendStuck => Volatile.Read(ref _sendStarted) is var started and not 0 && _time.GetElapsedTime(started) > _sendTimeout;

    /// <summary>Cuts the connection at once (no close frame can get through a full socket).</summary>
    public void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _close, new CloseRequest(WebSocketCloseStatus.PolicyViolation, reason), null);
        _queue.Writer.TryComplete();
        try
        {
            _socket.Abort();
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
    }

    /// <summary>Queues a frame for this client; never blocks. <paramref name="coalesce"/> for ticker frames.</summary>
    public void Deliver(byte[] payload, bool coalesce)
    {
        if (coalesce)
        {
            if (Interlocked.Exchange(ref _latestTicker, payload) is null)
            {
                Enqueue(TickerSlot);
            }
            return;
        }
        Enqueue(payload);
    }

    private void Enqueue(byte[] frame)
    {
        if (Interlocked.Increment(ref _pending) > _capacity)
        {
            Interlocked.Decrement(ref _pending);
            RequestClose(WebSocketCloseStatus.PolicyViolation, "client too slow");
            return;
        }
        if (!_queue.Writer.TryWrite(frame))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>Asks the writer loop to close the connection with this status (the first request wins).</summary>
    public void RequestClose(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.CompareExchange(ref _close, new CloseRequest(status, reason), null) is null)
        {
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>No more frames: the read side has finished.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// The one loop that writes to the socket. Ends when the queue completes, when a close was requested (then it
    /// sends the close frame), or when a send fails or takes longer than the send timeout (a client that stopped
    /// reading); in every case it ends the connection's lifetime so the read loop stops too.
    /// </summary>
    public async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        var closeSent = false;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (_close is null && reader.TryRead(out var frame))
                {
                    Interlocked.Decrement(ref _pending);
                    var payload = ReferenceEquals(frame, TickerSlot) ? Interlocked.Exchange(ref _latestTicker, null) : frame;
                    if (payload is null)
                    {
                        continue;
                    }
                    // No cancellation token: a non-cancelable send takes the WebSocket's fast path. A send that
                    // hangs (client stopped reading) is aborted by the heartbeat's watchdog instead (IsSendStuck).
                    Volatile.Write(ref _sendStarted, _time.GetTimestamp());
                    await _socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    Volatile.Write(ref _sendStarted, 0);
                }
                if (_close is not null)
                {
                    break;
                }
            }
            if (_close is { } close && _socket.State == WebSocketState.Open)
            {
                using var closeTimeout = new CancellationTokenSource(CloseHandshakeTimeout);
                await _socket.CloseOutputAsync(close.Status, close.Reason, closeTimeout.Token).ConfigureAwait(false);
                closeSent = true;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client is gone or stopped reading; the connection ends below.
        }
        finally
        {
            if (closeSent)
            {
                // Give the client a moment to answer with its close frame (the read loop ends on it), so the
                // connection ends with a clean handshake rather than a reset that could swallow our close frame.
                _lifetime.CancelAfter(CloseHandshakeTimeout);
            }
            else
            {
                await _lifetime.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends a frame outside the fan-out (errors, acknowledgements, pings): same queue, same order.</summary>
    public void Send(byte[] frame) => Enqueue(frame);

    internal void DisposeLifetime() => _lifetime.Dispose();

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Reason);
}
