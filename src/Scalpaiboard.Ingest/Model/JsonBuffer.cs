using Scalpaiboard.Market;

namespace Scalpaiboard.Ingest.Model;

/// <summary>A growable UTF-8 buffer on pooled arrays (<see cref="PooledBuffer"/>) for hand-written JSON (the <c>/api/coins</c> rows).</summary>
public sealed class JsonBuffer(int capacity = 4096) : IDisposable
{
    private readonly PooledBuffer _bytes = new(capacity);

    public int Length => _bytes.Length;

    public ReadOnlySpan<byte> WrittenSpan => _bytes.WrittenSpan;

    public ReadOnlyMemory<byte> WrittenMemory => _bytes.WrittenMemory;

    public void Clear() => _bytes.Clear();

    public void Write(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);

    public void WriteNumber(double value)
    {
        var span = _bytes.GetSpan(JsonNumber.MaxLength);
        _bytes.Advance(double.IsFinite(value) ? JsonNumber.Format(value, span) : Null(span));
    }

    public void WriteInteger(long value)
    {
        value.TryFormat(_bytes.GetSpan(JsonNumber.MaxLength), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _bytes.Advance(written);
    }

    public void Dispose() => _bytes.Dispose();

    private static int Null(Span<byte> destination)
    {
        "null"u8.CopyTo(destination);
        return 4;
    }
}
