using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Scalpaiboard.Infrastructure.Redis.Protocol;

/// <summary>
/// One command on its way to the server and the completion its caller awaits. The command is encoded once, at
/// creation, into a pooled buffer that the writer copies to the socket and then returns to the pool, so the
/// write loop does no encoding and holds no locks. States: queued -> written (its reply is owed and will be
/// matched in FIFO order) or queued -> abandoned (timed out or cancelled before it was written: never sent).
/// A transaction (<see cref="Transaction"/>: MULTI, queued commands, EXEC) is one request too: written in one piece
/// on one connection, it owes one reply per command and completes with EXEC's reply, so it is never split across
/// connections and the server runs all of its commands or none.
/// </summary>
internal sealed class RedisRequest : TaskCompletionSource<RespValue>
{
    private const int Queued = 0;
    private const int Written = 1;
    private const int Abandoned = 2;

    private byte[] _buffer;
    private int _length;
    private int _argumentsLeft;
    private int _state;
    private int _repliesLeft = 1;
    private bool _transaction;
    private string? _firstQueueError;
    private RedisMetrics? _metrics;
    private CancellationTokenRegistration _cancellation;

    /// <summary>Starts a command with its name and the number of arguments that will follow.</summary>
    public RedisRequest(string name, int argumentCount) : this(name, name, argumentCount, 64 + (name.Length * 2) + (argumentCount * 24))
    {
    }

    private RedisRequest(string name, string command, int argumentCount, int capacity) : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Name = name;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        StartCommand(command, argumentCount);
    }

    /// <summary>
    /// Starts a transaction named <paramref name="name"/> (for metrics and errors): MULTI, then the commands added
    /// with <see cref="Queue"/>, closed by <see cref="Exec"/>. Its reply is EXEC's: an array with one reply per
    /// queued command.
    /// </summary>
    /// <param name="capacity">The expected encoded size in bytes (the buffer grows beyond it if needed).</param>
    public static RedisRequest Transaction(string name, int capacity = 256, bool summarizeReply = false) =>
        new(name, "MULTI", 0, Math.Max(64, capacity)) { _transaction = true, SummarizeReply = summarizeReply };

    /// <summary>Starts the next command of a transaction (its arguments follow with <c>Add</c>).</summary>
    public RedisRequest Queue(string command, int argumentCount)
    {
        if (!_transaction || _repliesLeft < 1)
        {
            throw new InvalidOperationException($"{Name}: not an open transaction.");
        }
        Complete();
        StartCommand(command, argumentCount);
        _repliesLeft++;
        return this;
    }

    /// <summary>Closes a transaction with EXEC; nothing can be added after it.</summary>
    public RedisRequest Exec()
    {
        Queue("EXEC", 0);
        _repliesLeft = -_repliesLeft; // closed: a negative count until Track arms it
        return this;
    }

    private void StartCommand(string command, int argumentCount)
    {
        _argumentsLeft = argumentCount + 1; // the name is the first element of the array
        WriteHeader((byte)'*', argumentCount + 1);
        AddAscii(command);
    }

    public string Name { get; }

    /// <summary>
    /// The caller needs only whether every command succeeded, not their replies: an array reply is read as a
    /// <see cref="RespValue.Summary"/> (its count and first error) instead of an array of items. Pipelined requests only.
    /// </summary>
    public bool SummarizeReply { get; init; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the write, for spotting a connection that stopped answering.</summary>
    public long WrittenAt { get; set; }

    /// <summary>The encoded command; valid until <see cref="ReleaseBuffer"/>.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, _length);

    public RedisRequest Add(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        BeginArgument(count);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        return EndArgument();
    }

    public RedisRequest Add(ReadOnlySpan<byte> value)
    {
        BeginArgument(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
        return EndArgument();
    }

    public RedisRequest Add(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var n);
        return Add(digits[..n]);
    }

    private void AddAscii(string value)
    {
        BeginArgument(value.Length);
        _length += Encoding.ASCII.GetBytes(value, _buffer.AsSpan(_length));
        EndArgument();
    }

    private void BeginArgument(int byteCount)
    {
        if (--_argumentsLeft < 0)
        {
            throw new InvalidOperationException($"More arguments than declared for {Name}.");
        }
        WriteHeader((byte)'$', byteCount);
        Ensure(byteCount + 2);
    }

    private RedisRequest EndArgument()
    {
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
        return this;
    }

    private void WriteHeader(byte marker, int number)
    {
        Ensure(16);
        _buffer[_length++] = marker;
        Utf8Formatter.TryFormat(number, _buffer.AsSpan(_length), out var n);
        _length += n;
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>Checks that every declared argument was added (a bug guard: a short command would desync the FIFO).</summary>
    public RedisRequest Complete()
    {
        if (_argumentsLeft != 0)
        {
            throw new InvalidOperationException($"{Name}: {_argumentsLeft} declared arguments were not added.");
        }
        return this;
    }

    /// <summary>True once the caller gave up before the request was written.</summary>
    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp after which the caller gets a <see cref="TimeoutException"/>.</summary>
    public long Deadline { get; private set; }

    /// <summary>Claims the request for writing; false when it was abandoned (then it must not be sent).</summary>
    public bool TryMarkWritten() => Interlocked.CompareExchange(ref _state, Written, Queued) == Queued;

    /// <summary>
    /// Arms the request before it is queued: its deadline, where its errors are counted, and the caller's
    /// cancellation (registered only for tokens that can be cancelled, so the common path allocates nothing more).
    /// </summary>
    public Task<RespValue> Track(long deadline, RedisMetrics metrics, CancellationToken cancellationToken)
    {
        Complete();
        if (_transaction)
        {
            if (_repliesLeft > 0)
            {
                throw new InvalidOperationException($"{Name}: the transaction was not closed with EXEC.");
            }
            _repliesLeft = -_repliesLeft;
        }
        Deadline = deadline;
        _metrics = metrics;
        metrics.Command(Name);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((RedisRequest)state!).Cancel(token), this);
        }
        return Task;
    }

    /// <summary>Marks a request that was never written as never to be written, returning its buffer.</summary>
    private void AbandonIfUnwritten()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued)
        {
            ReleaseBuffer();
        }
    }

    public void ReleaseBuffer()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Takes the next reply owed to this request (in the connection's FIFO); true when it was the last one (the
    /// request is complete and leaves the FIFO). A transaction's replies to MULTI and to each queued command only
    /// record the first error (a command Redis refused to queue: EXEC then aborts the whole transaction).
    /// </summary>
    public bool OnReply(in RespValue reply)
    {
        if (--_repliesLeft > 0)
        {
            if (reply.IsError)
            {
                _firstQueueError ??= reply.AsString() ?? "ERR";
            }
            return false;
        }
        SetReply(reply);
        return true;
    }

    /// <summary>Completes with the reply; an error reply becomes a <see cref="RedisServerException"/>.</summary>
    public void SetReply(in RespValue reply)
    {
        if (reply.IsError)
        {
            var message = reply.AsString() ?? "ERR";
            if (_firstQueueError is not null)
            {
                message += " (" + _firstQueueError + ")";
            }
            if (TrySetException(new RedisServerException(message)))
            {
                _metrics?.Error("server", Name);
            }
        }
        else
        {
            TrySetResult(reply);
        }
        _cancellation.Unregister();
    }

    /// <summary>
    /// The caller stops waiting. An unwritten request is never sent; a written one stays in its connection's FIFO
    /// (its reply must still be consumed there) and the reply is dropped when it comes.
    /// </summary>
    public void Cancel(CancellationToken token)
    {
        AbandonIfUnwritten();
        TrySetCanceled(token);
        _cancellation.Unregister();
    }

    /// <summary>The deadline passed: as <see cref="Cancel"/>, but the caller gets <paramref name="timeout"/>.</summary>
    public void TimeOut(TimeoutException timeout)
    {
        AbandonIfUnwritten();
        if (TrySetException(timeout))
        {
            _metrics?.Error("timeout", Name);
        }
        _cancellation.Unregister();
    }

    public void Fail(Exception exception)
    {
        AbandonIfUnwritten();
        if (TrySetException(exception) && exception is RedisException)
        {
            _metrics?.Error(exception is RedisProtocolException ? "protocol" : "connection", Name);
        }
        _cancellation.Unregister();
    }
}
