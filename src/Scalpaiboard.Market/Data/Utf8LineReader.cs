using System.Buffers;

namespace Scalpaiboard.Market.Data;

/// <summary>
/// The lines of a UTF-8 file as byte ranges of a pooled buffer, split where StreamReader.ReadLine splits them
/// ("\n", "\r\n" or a lone "\r"), a leading UTF-8 byte order mark skipped. A range is valid until the next call.
/// <see cref="NotUtf8"/> tells of a UTF-16/32 byte order mark (StreamReader would decode those; this does not).
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private readonly FileStream _file;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;

    public Utf8LineReader(string path)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        while (!_eof && _end < 4)
        {
            Fill();
        }
        var head = _buffer.AsSpan(0, _end);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _start = 3;
        }
        else if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])
            || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            NotUtf8 = true;
        }
    }

    public bool NotUtf8 { get; }

    public byte[] Buffer => _buffer;

    /// <summary>The next line (without its line end) as <c>Buffer[start..start+length]</c>; false at the end of the file.</summary>
    public bool TryNext(out int start, out int length)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var i = pending.IndexOfAny((byte)'\n', (byte)'\r');
            // A '\r' at the end of what is buffered may be the first half of "\r\n": read on before deciding.
            if (i >= 0 && (pending[i] == '\n' || i + 1 < pending.Length || _eof))
            {
                start = _start;
                length = i;
                _start += i + (pending[i] == '\r' && i + 1 < pending.Length && pending[i + 1] == '\n' ? 2 : 1);
                return true;
            }
            if (_eof)
            {
                start = _start;
                length = pending.Length;
                _start = _end;
                return length > 0;
            }
            Compact();
            Fill();
        }
    }

    private void Compact()
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            _start = 0;
            _end = pending;
        }
        if (_end == _buffer.Length)
        {
            // One line longer than the buffer: grow it.
            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }

    private void Fill()
    {
        var read = _file.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        _end += read;
    }

    public void Dispose()
    {
        _file.Dispose();
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
