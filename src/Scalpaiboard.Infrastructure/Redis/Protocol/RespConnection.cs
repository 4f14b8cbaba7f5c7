using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Scalpaiboard.Infrastructure.Redis.Protocol;

/// <summary>Receives out-of-band messages (pub/sub pushes) on a subscriber connection.</summary>
internal interface IPushReceiver
{
    /// <summary>True when the reply is a pushed message rather than the reply to a command.</summary>
    bool IsPush(in RespValue value);

    ValueTask OnPushAsync(RespValue value);
}

/// <summary>
/// One TCP connection speaking RESP2. Either pipelined (<see cref="RunAsync"/>: a write loop drains a queue of
/// requests into the socket, batching everything available into one flush, and records each written request in a
/// FIFO; a read loop parses replies and completes the FIFO's head) or exclusive (<see cref="ExecuteAsync"/>: one
/// request at a time, for blocking commands). A broken connection is not repaired: the owner opens a new one.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private const int FlushThreshold = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly ConcurrentQueue<RedisRequest> _inflight = new();
    private int _disposed;

    private RespConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
    }

    public bool IsBroken { get; private set; }

    /// <summary>Opens a socket and runs the handshake (AUTH, SELECT, resubscribes) within the connect timeout.</summary>
    public static async Task<RespConnection> ConnectAsync(RedisConnectionSettings settings, IReadOnlyList<RedisRequest> handshake, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Lets the OS notice a peer that vanished without a FIN (the heartbeat PING notices sooner).
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        RespConnection? connection = null;
        try
        {
            await socket.ConnectAsync(settings.Host, settings.Port, timeout.Token).ConfigureAwait(false);
            connection = new RespConnection(socket);
            foreach (var request in handshake)
            {
                connection.Write(request);
            }
            await connection._writer.FlushAsync(timeout.Token).ConfigureAwait(false);
            foreach (var request in handshake)
            {
                var reply = await connection.ReadReplyAsync(timeout.Token).ConfigureAwait(false);
                if (reply.IsError)
                {
                    throw new RedisServerException(reply.AsString() ?? "ERR");
                }
                request.SetReply(reply);
            }
            return connection;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(connection, socket, handshake).ConfigureAwait(false);
            throw new TimeoutException($"Connecting to Redis at {settings.Host}:{settings.Port} took longer than {settings.ConnectTimeout.TotalMilliseconds:0} ms.");
        }
        catch
        {
            await DisposeQuietlyAsync(connection, socket, handshake).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeQuietlyAsync(RespConnection? connection, Socket socket, IReadOnlyList<RedisRequest> handshake)
    {
        foreach (var request in handshake)
        {
            request.ReleaseBuffer();
        }
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// Pipelines the <paramref name="parked"/> requests (queued while disconnected), then requests from
    /// <paramref name="source"/>, until the connection fails or the token fires. Every request that was written
    /// but not answered is failed with the reason; requests not yet written stay parked or queued for the next
    /// connection. Returns the reason the connection ended.
    /// </summary>
    public async Task<Exception> RunAsync(List<RedisRequest> parked, ChannelReader<RedisRequest> source, IPushReceiver? push, TimeSpan replyDeadline,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var read = ReadLoopAsync(push, stop.Token);
        var write = WriteLoopAsync(parked, source, stop.Token);
        var watchdog = WatchdogAsync(replyDeadline, stop.Token);
        var first = await Task.WhenAny(read, write, watchdog).ConfigureAwait(false);
        var reason = first.Exception?.GetBaseException()
            ?? (cancellationToken.IsCancellationRequested
                ? new ObjectDisposedException(nameof(RedisClient), "The Redis client was disposed.")
                : new RedisConnectionException("The Redis connection was closed."));
        IsBroken = true;
        await stop.CancelAsync().ConfigureAwait(false);
        _socket.Close(0);
        try
        {
            await Task.WhenAll(read, write, watchdog).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The first failure is the reason; the other loop fails as a consequence of the stop.
        }
        var pendingFailure = reason is RedisException or ObjectDisposedException
            ? reason
            : new RedisConnectionException("The Redis connection failed: " + reason.Message, reason);
        while (_inflight.TryDequeue(out var request))
        {
            request.Fail(pendingFailure);
        }
        return reason;
    }

    private async Task WriteLoopAsync(List<RedisRequest> parked, ChannelReader<RedisRequest> source, CancellationToken cancellationToken)
    {
        if (parked.Count > 0)
        {
            var taken = 0;
            try
            {
                while (taken < parked.Count)
                {
                    var request = parked[taken++];
                    if (WriteOne(request) && _writer.UnflushedBytes >= FlushThreshold)
                    {
                        await FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // What was taken is in flight (its failure is reported through the FIFO); the rest waits for the next connection.
                parked.RemoveRange(0, taken);
            }
        }
        while (await source.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (source.TryRead(out var request))
            {
                if (WriteOne(request) && _writer.UnflushedBytes >= FlushThreshold)
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        throw new ObjectDisposedException(nameof(RedisClient), "The Redis client was disposed.");
    }

    private bool WriteOne(RedisRequest request)
    {
        if (!request.TryMarkWritten())
        {
            return false; // abandoned by its caller: never sent
        }
        // Into the FIFO before the bytes can reach the server, so the reply always finds its request.
        request.WrittenAt = Stopwatch.GetTimestamp();
        _inflight.Enqueue(request);
        Write(request);
        return true;
    }

    /// <summary>
    /// Ends the connection when the oldest written command has waited longer than <paramref name="deadline"/>:
    /// the server or the network stopped answering (a half-open socket never reports an error by itself).
    /// </summary>
    private async Task WatchdogAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(deadline.TotalMilliseconds / 4, 50, 1000)));
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inflight.TryPeek(out var oldest) && Stopwatch.GetElapsedTime(oldest.WrittenAt) > deadline)
            {
                throw new RedisConnectionException(
                    $"The Redis server did not answer {oldest.Name} within {deadline.TotalMilliseconds:0} ms; the connection is replaced.");
            }
        }
    }

    private void Write(RedisRequest request)
    {
        var payload = request.Payload;
        payload.CopyTo(_writer.GetSpan(payload.Length));
        _writer.Advance(payload.Length);
        request.ReleaseBuffer();
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new RedisConnectionException("The Redis connection was closed while writing.");
        }
    }

    private async Task ReadLoopAsync(IPushReceiver? push, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                // A transaction whose caller needs no items (a batch of PUBLISHes) gets EXEC's array as a summary.
                // Never on a connection that receives pushes: a push is an array too.
                while (RespParser.TryParse(ref buffer, out var reply,
                    summarize: push is null && _inflight.TryPeek(out var head) && head.SummarizeReply))
                {
                    if (push is not null && push.IsPush(reply))
                    {
                        await push.OnPushAsync(reply).ConfigureAwait(false);
                        continue;
                    }
                    if (!_inflight.TryPeek(out var request))
                    {
                        throw new RedisProtocolException($"Malformed conversation: a reply ({reply.Describe()}) arrived for no pending command.");
                    }
                    if (request.OnReply(reply))
                    {
                        _inflight.TryDequeue(out _); // only this loop dequeues while the connection runs
                    }
                }
            }
            finally
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
            if (result.IsCompleted)
            {
                throw new RedisConnectionException(buffer.IsEmpty
                    ? "The Redis server closed the connection."
                    : "The Redis server closed the connection in the middle of a reply.");
            }
        }
    }

    private async Task<RespValue> ReadReplyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (RespParser.TryParse(ref buffer, out var reply))
            {
                _reader.AdvanceTo(buffer.Start);
                return reply;
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new RedisConnectionException("The Redis server closed the connection.");
            }
        }
    }

    /// <summary>
    /// Exclusive request/reply (no pipelining), for blocking commands on a leased connection. Any failure,
    /// including cancellation, leaves the connection broken: its reply may still be owed.
    /// </summary>
    public async Task<RespValue> ExecuteAsync(RedisRequest request, CancellationToken cancellationToken)
    {
        if (!request.TryMarkWritten())
        {
            throw new OperationCanceledException(cancellationToken);
        }
        try
        {
            Write(request);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            request.SetReply(await ReadReplyAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            IsBroken = true;
            throw;
        }
        return await request.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        IsBroken = true;
        try
        {
            _socket.Close(0);
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing a dead socket: nothing left to report.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
