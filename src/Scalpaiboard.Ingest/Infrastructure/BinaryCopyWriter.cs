using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>
/// A <c>COPY ... FROM STDIN (FORMAT BINARY)</c> written by hand: rows are encoded into a pooled buffer with the
/// PostgreSQL binary copy format (see the COPY docs, "Binary Format") and sent through Npgsql's raw copy stream a
/// chunk at a time, instead of one parameter-bound <see cref="NpgsqlBinaryImporter"/> call per value.
/// </summary>
/// <remarks>
/// The rows are encoded by an <see cref="IBinaryCopyRowEncoder{TRow}"/> (with the static field writers below) straight
/// into the buffer, which is sent whenever the next row does not fit. Only <see cref="CompleteAsync"/> ends the COPY
/// with CopyDone; disposing an uncompleted writer sends CopyFail, so a failed or cancelled batch stores none of its
/// rows (the server would accept a prefix that stops at a row boundary) and the connection goes back to the pool usable.
/// </remarks>
internal sealed class BinaryCopyWriter : IAsyncDisposable
{
    /// <summary>How much is buffered before it is sent.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>The bytes of a bigint or double precision field: its length, then the value.</summary>
    public const int Int64FieldSize = 4 + 8;

    // "PGCOPY\n\377\r\n\0", flags, header extension length.
    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    // Strict, as Npgsql's own text encoding: a string that is not valid UTF-16 fails the batch instead of storing U+FFFD.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private NpgsqlRawCopyStream? _stream;
    private byte[] _buffer;
    private int _length;

    private BinaryCopyWriter(NpgsqlRawCopyStream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        Header.CopyTo(_buffer);
        _length = Header.Length;
    }

    /// <summary>Starts the COPY (<paramref name="copyCommand"/> must be <c>COPY ... FROM STDIN (FORMAT BINARY)</c>).</summary>
    public static async Task<BinaryCopyWriter> BeginAsync(NpgsqlConnection connection, string copyCommand, CancellationToken cancellationToken) =>
        new(await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken));

    /// <summary>Encodes and sends <paramref name="rows"/>, each as <typeparamref name="TEncoder"/> writes it.</summary>
    public async Task WriteRowsAsync<TRow, TEncoder>(IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
        where TEncoder : IBinaryCopyRowEncoder<TRow>
    {
        var next = 0;
        while ((next = Encode<TRow, TEncoder>(rows, next)) < rows.Count)
        {
            await FlushAndReserveAsync(TEncoder.MaxSize(rows[next]), cancellationToken);
        }
    }

    /// <summary>
    /// Encodes rows from <paramref name="first"/> on while they fit in the buffer; returns the first one that did not.
    /// Synchronous, one call per chunk: no await per row, and the loop is compiled for the encoder struct (optimized
    /// from its first call, as a batch makes only a few dozen), so the encoder's field writes inline into it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Encode<TRow, TEncoder>(IReadOnlyList<TRow> rows, int first)
        where TEncoder : IBinaryCopyRowEncoder<TRow>
    {
        var buffer = _buffer.AsSpan();
        var length = _length;
        var i = first;
        for (; i < rows.Count; i++)
        {
            var row = rows[i];
            if (buffer.Length - length < TEncoder.MaxSize(row))
            {
                break;
            }
            length += TEncoder.Write(buffer[length..], row);
        }
        _length = length;
        return i;
    }

    /// <summary>Writes the trailer and ends the COPY; the server's error (a unique violation, say) is thrown here.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Length - _length < 2)
        {
            await FlushAndReserveAsync(2, cancellationToken);
        }
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), -1);
        _length += 2;
        await SendAsync(cancellationToken);
        var stream = _stream!;
        _stream = null;
        // Disposing a write stream sends CopyDone and reads the server's answer.
        await stream.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is { } stream)
        {
            _stream = null;
            try
            {
                await stream.CancelAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or IOException)
            {
                // The exception that got us here is the one that matters. Either the server had already failed the
                // COPY (its error answers the CopyFail) or the stream broke the connector, which the pool then drops.
                // Not disposing the stream: that would send CopyDone; closing the connection ends what is left.
            }
        }
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private async ValueTask FlushAndReserveAsync(int bytes, CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
        if (_buffer.Length < bytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(bytes);
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_stream is null, this);
        await _stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        _length = 0;
    }

    /// <summary>A row's leading field count.</summary>
    public static int WriteFieldCount(Span<byte> destination, short fields)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, fields);
        return 2;
    }

    /// <summary>A bigint field.</summary>
    public static int WriteInt64(Span<byte> destination, long value)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 8);
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], value);
        return Int64FieldSize;
    }

    /// <summary>A double precision field, bit for bit (negative zero, NaN and the infinities included).</summary>
    public static int WriteDouble(Span<byte> destination, double value)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 8);
        BinaryPrimitives.WriteDoubleBigEndian(destination[4..], value);
        return Int64FieldSize;
    }

    /// <summary>The most bytes <see cref="WriteText"/> writes for <paramref name="value"/>.</summary>
    public static int MaxTextSize(string value) => 4 + Utf8.GetMaxByteCount(value.Length);

    /// <summary>A text field, UTF-8 (the encoding Npgsql's connections use).</summary>
    public static int WriteText(Span<byte> destination, string value)
    {
        var length = Utf8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, length);
        return 4 + length;
    }
}

/// <summary>How one row of a binary COPY is encoded: a struct, so the writer's loop is compiled for it and inlines it.</summary>
internal interface IBinaryCopyRowEncoder<TRow>
{
    /// <summary>The most bytes <see cref="Write"/> writes for the row (field count and fields).</summary>
    static abstract int MaxSize(in TRow row);

    /// <summary>Writes the row's field count and fields; returns the bytes written.</summary>
    static abstract int Write(Span<byte> destination, in TRow row);
}
