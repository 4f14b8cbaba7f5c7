using System.Buffers;

namespace Scalpaiboard.Ingest.Model;

/// <summary>A growable UTF-8 buffer on pooled arrays for hand-written JSON (the <c>/api/coins</c> rows).</summary>
public sealed class JsonBuffer : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public JsonBuffer(int capacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear() => _length = 0;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteNumber(double value)
    {
        Ensure(JsonNumber.MaxLength);
        _length += double.IsFinite(value) ? JsonNumber.Format(value, _buffer.AsSpan(_length)) : Null(_buffer.AsSpan(_length));
    }

    public void WriteInteger(long value)
    {
        Ensure(JsonNumber.MaxLength);
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _length = 0;
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    private static int Null(Span<byte> destination)
    {
        "null"u8.CopyTo(destination);
        return 4;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = bigger;
    }
}
