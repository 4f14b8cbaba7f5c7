using System.Buffers;

namespace Scalpaiboard.Market;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}"/> arrays: reserve room with <see cref="GetSpan"/>, write, then
/// <see cref="Advance"/>; growing rents a larger array and returns the old one. Not thread-safe; dispose to return
/// the array. The storage under the metrics frame writer and the API's hand-written JSON.
/// </summary>
public sealed class PooledBuffer(int capacity = 4096) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>The written bytes, writable in place (to patch a header written earlier).</summary>
    public Span<byte> WrittenSpanForUpdate => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    /// <summary>At least <paramref name="sizeHint"/> bytes of room after what is written.</summary>
    public Span<byte> GetSpan(int sizeHint)
    {
        if (_length + sizeHint > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + sizeHint));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = bigger;
        }
        return _buffer.AsSpan(_length);
    }

    /// <summary>Counts <paramref name="count"/> bytes written into the span of <see cref="GetSpan"/> as written.</summary>
    public void Advance(int count) => _length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
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
}
