using System.Buffers;
using System.Buffers.Text;

namespace Scalpaiboard.Infrastructure.Redis.Protocol;

/// <summary>
/// Incremental RESP2 reader over socket bytes. <see cref="TryParse"/> returns false while a reply is incomplete
/// (the caller waits for more bytes and tries again from the same start) and throws
/// <see cref="RedisProtocolException"/> for bytes that can never become a valid reply.
/// </summary>
internal static class RespParser
{
    private const int MaxBulkLength = 512 * 1024 * 1024;
    private const int MaxArrayLength = 16 * 1024 * 1024;
    private const int MaxLineLength = 64 * 1024;
    private const int MaxDepth = 32;

    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    /// <summary>
    /// Above this many buffered bytes a reply is first checked for completeness without allocating, so a large
    /// reply arriving in many reads is not materialised again and again (quadratic copying) before its last byte.
    /// </summary>
    private const int ProbeThreshold = 8 * 1024;

    /// <param name="buffer">The unread bytes; on success, what follows the reply.</param>
    /// <param name="value">The reply.</param>
    /// <param name="summarize">
    /// An array reply becomes a <see cref="RespValue.Summary"/> (its item count and first error) instead of keeping
    /// its items: for a transaction whose caller only needs to know that every command succeeded. Other replies are
    /// read as usual.
    /// </param>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, out RespValue value, bool summarize = false)
    {
        if (buffer.Length >= ProbeThreshold)
        {
            var probe = new SequenceReader<byte>(buffer);
            if (!TryRead(ref probe, out value, 0, materialize: false))
            {
                return false;
            }
        }
        var reader = new SequenceReader<byte>(buffer);
        if (!TryRead(ref reader, out value, 0, materialize: true, summarize))
        {
            return false;
        }
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryRead(ref SequenceReader<byte> reader, out RespValue value, int depth, bool materialize, bool summarize = false)
    {
        value = default;
        if (!reader.TryRead(out var type))
        {
            return false;
        }
        switch (type)
        {
            case (byte)'+':
                if (!TryReadLine(ref reader, out var simple))
                {
                    return false;
                }
                value = materialize ? RespValue.Simple(simple) : default;
                return true;
            case (byte)'-':
                if (!TryReadLine(ref reader, out var error))
                {
                    return false;
                }
                value = materialize ? RespValue.Error(System.Text.Encoding.UTF8.GetString(error)) : default;
                return true;
            case (byte)':':
                if (!TryReadLine(ref reader, out var integer))
                {
                    return false;
                }
                value = RespValue.FromInteger(ParseLong(integer, "integer"));
                return true;
            case (byte)'$':
                return TryReadBulk(ref reader, out value, materialize);
            case (byte)'*':
                return TryReadArray(ref reader, out value, depth, materialize, summarize);
            default:
                throw new RedisProtocolException(
                    $"Malformed reply: unexpected byte 0x{type:X2} ('{(type is >= 32 and < 127 ? (char)type : '?')}') where a RESP type marker was expected.");
        }
    }

    private static bool TryReadBulk(ref SequenceReader<byte> reader, out RespValue value, bool materialize)
    {
        value = default;
        if (!TryReadLine(ref reader, out var header))
        {
            return false;
        }
        var length = ParseLong(header, "bulk length");
        if (length == -1)
        {
            value = RespValue.Bulk(null);
            return true;
        }
        if (length is < 0 or > MaxBulkLength)
        {
            throw new RedisProtocolException($"Malformed reply: bulk length {length}.");
        }
        if (reader.Remaining < length + 2)
        {
            return false;
        }
        byte[]? bytes = null;
        if (materialize)
        {
            bytes = length == 0 ? [] : new byte[length];
            reader.TryCopyTo(bytes);
        }
        reader.Advance(length);
        if (!reader.IsNext(CrLf, advancePast: true))
        {
            throw new RedisProtocolException("Malformed reply: a bulk string is not followed by CRLF.");
        }
        value = materialize ? RespValue.Bulk(bytes) : default;
        return true;
    }

    /// <param name="summarize">Read the items without keeping them: a <see cref="RespValue.Summary"/> of their count and first error.</param>
    private static bool TryReadArray(ref SequenceReader<byte> reader, out RespValue value, int depth, bool materialize, bool summarize)
    {
        value = default;
        if (!TryReadLine(ref reader, out var header))
        {
            return false;
        }
        var count = ParseLong(header, "array length");
        if (count == -1)
        {
            value = RespValue.FromArray(null);
            return true;
        }
        if (count is < 0 or > MaxArrayLength || depth >= MaxDepth)
        {
            throw new RedisProtocolException($"Malformed reply: array length {count} at depth {depth}.");
        }
        // Every element takes at least 3 bytes: don't allocate for elements that have not arrived yet.
        if (reader.Remaining < count * 3)
        {
            return false;
        }
        if (summarize && materialize)
        {
            string? firstError = null;
            for (var i = 0; i < count; i++)
            {
                // Errors are read in full (their text is the point); everything else is only stepped over.
                var isError = reader.IsNext((byte)'-');
                if (!TryRead(ref reader, out var item, depth + 1, materialize: isError && firstError is null))
                {
                    return false;
                }
                if (isError)
                {
                    firstError ??= item.AsString() ?? "ERR";
                }
            }
            value = RespValue.Summary(count, firstError);
            return true;
        }
        if (!materialize)
        {
            for (var i = 0; i < count; i++)
            {
                if (!TryRead(ref reader, out _, depth + 1, materialize: false))
                {
                    return false;
                }
            }
            return true;
        }
        var items = count == 0 ? [] : new RespValue[count];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryRead(ref reader, out items[i], depth + 1, materialize: true))
            {
                return false;
            }
        }
        value = RespValue.FromArray(items);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        if (reader.TryReadTo(out ReadOnlySequence<byte> sequence, CrLf, advancePastDelimiter: true))
        {
            if (sequence.Length > MaxLineLength)
            {
                throw new RedisProtocolException("Malformed reply: line too long.");
            }
            line = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
            if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
            {
                throw new RedisProtocolException("Malformed reply: stray line break inside a line.");
            }
            return true;
        }
        if (reader.Remaining > MaxLineLength)
        {
            throw new RedisProtocolException("Malformed reply: no CRLF within the maximum line length.");
        }
        line = default;
        return false;
    }

    private static long ParseLong(ReadOnlySpan<byte> text, string what) =>
        Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length && text.Length > 0
            ? value
            : throw new RedisProtocolException($"Malformed reply: invalid {what} '{System.Text.Encoding.ASCII.GetString(text)}'.");
}
