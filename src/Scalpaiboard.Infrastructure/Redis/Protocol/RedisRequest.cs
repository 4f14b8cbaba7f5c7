using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Scalpaiboard.Infrastructure.Redis.Protocol;

/// <summary>
/// One command on its way to the server and the completion its caller awaits. The command is encoded once, at
/// creation, into a pooled buffer that the writer copies to the socket and then returns to the pool, so the
/// write loop does no encoding and holds no locks. States: queued -> written (its reply is owed and will be
/// matched in FIFO order) or queued -> abandoned (timed out or cancelled before it was written: never sent).
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
    private RedisMetrics? _metrics;
    private CancellationTokenRegistration _cancellation;

    /// <summary>Starts a command with its name and the number of arguments that will follow.</summary>
    public RedisRequest(string name, int argumentCount) : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Name = name;
        _buffer = ArrayPool<byte>.Shared.Rent(64 + (name.Length * 2) + (argumentCount * 24));
        _argumentsLeft = argumentCount + 1; // the name is the first element of the array
        WriteHeader((byte)'*', argumentCount + 1);
        AddAscii(name);
    }

    public string Name { get; }

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

    /// <summary>Completes with the reply; an error reply becomes a <see cref="RedisServerException"/>.</summary>
    public void SetReply(in RespValue reply)
    {
        if (reply.IsError)
        {
            if (TrySetException(new RedisServerException(reply.AsString() ?? "ERR")))
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
