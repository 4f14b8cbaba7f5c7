using System.Text;

namespace Scalpaiboard.Infrastructure.Redis.Protocol;

internal enum RespType : byte
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
}

/// <summary>
/// One RESP2 reply. Strings keep their bytes (copied out of the socket buffer, so they outlive it); nested
/// arrays hold their items. A null bulk string or null array has <see cref="IsNull"/> set.
/// </summary>
internal readonly struct RespValue
{
    private readonly object? _data;

    private RespValue(RespType type, object? data, long integer)
    {
        Type = type;
        _data = data;
        Integer = integer;
    }

    public RespType Type { get; }

    public long Integer { get; }

    public bool IsNull => _data is null && Type is RespType.BulkString or RespType.Array;

    public bool IsError => Type == RespType.Error;

    public static readonly RespValue Ok = new(RespType.SimpleString, "OK", 0);

    private static readonly RespValue QueuedReply = new(RespType.SimpleString, "QUEUED", 0);
    private static readonly RespValue Pong = new(RespType.SimpleString, "PONG", 0);

    /// <summary>Marks an array reply that was counted and checked, not kept (<see cref="Summary"/>).</summary>
    private static readonly object Summarized = new();

    /// <summary>
    /// A simple string from the socket's bytes; the replies every transaction and health check repeats (OK, QUEUED,
    /// PONG) are shared values, so a MULTI/EXEC of 500 commands does not allocate 500 strings for its QUEUED replies.
    /// </summary>
    public static RespValue Simple(ReadOnlySpan<byte> utf8) =>
        utf8.SequenceEqual("OK"u8) ? Ok
        : utf8.SequenceEqual("QUEUED"u8) ? QueuedReply
        : utf8.SequenceEqual("PONG"u8) ? Pong
        : new(RespType.SimpleString, Encoding.UTF8.GetString(utf8), 0);

    /// <summary>
    /// An array reply read without keeping its items: how many there were, and the text of the first error among
    /// them (for callers that need only whether every queued command succeeded, such as a batch of PUBLISHes).
    /// </summary>
    public static RespValue Summary(long count, string? firstError) => new(RespType.Array, firstError ?? Summarized, count);

    /// <summary>True for an array reply read as a <see cref="Summary"/>: <see cref="Count"/> and <see cref="FirstItemError"/>, no items.</summary>
    public bool IsSummary => Type == RespType.Array && _data is not null and not RespValue[];

    /// <summary>The number of items of an array reply (kept or summarized).</summary>
    public long Count => IsSummary ? Integer : Items?.Length ?? 0;

    /// <summary>The first error item of an array reply, if any.</summary>
    public string? FirstItemError
    {
        get
        {
            if (IsSummary)
            {
                return _data as string;
            }
            foreach (var item in Items ?? [])
            {
                if (item.IsError)
                {
                    return item.AsString() ?? "ERR";
                }
            }
            return null;
        }
    }

    public static RespValue Error(string text) => new(RespType.Error, text, 0);

    public static RespValue FromInteger(long value) => new(RespType.Integer, null, value);

    public static RespValue Bulk(byte[]? bytes) => new(RespType.BulkString, bytes, 0);

    public static RespValue FromArray(RespValue[]? items) => new(RespType.Array, items, 0);

    public byte[]? Bytes => _data as byte[];

    public RespValue[]? Items => _data as RespValue[];

    /// <summary>The value as text: simple strings, errors and bulk strings (UTF-8); integers in invariant form.</summary>
    public string? AsString() => _data switch
    {
        string s when Type != RespType.Array => s,
        byte[] b => Encoding.UTF8.GetString(b),
        _ when Type == RespType.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    public long AsInteger() => Type switch
    {
        RespType.Integer => Integer,
        RespType.BulkString or RespType.SimpleString when long.TryParse(AsString(), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var v) => v,
        _ => throw new RedisProtocolException($"Expected an integer reply, got {Describe()}."),
    };

    public RespValue[] AsArray() => Items ?? (IsNull ? [] : throw new RedisProtocolException($"Expected an array reply, got {Describe()}."));

    /// <summary>True for a simple string equal to <paramref name="ascii"/> or a bulk string with those bytes.</summary>
    public bool Is(ReadOnlySpan<byte> ascii) => Type != RespType.Array && _data switch
    {
        byte[] b => ascii.SequenceEqual(b),
        string s => s.Length == ascii.Length && Encoding.ASCII.GetByteCount(s) == ascii.Length && IsAscii(s, ascii),
        _ => false,
    };

    private static bool IsAscii(string s, ReadOnlySpan<byte> ascii)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != ascii[i])
            {
                return false;
            }
        }
        return true;
    }

    public string Describe() => Type switch
    {
        RespType.Array => IsNull ? "null array" : $"array of {Count}",
        RespType.BulkString => IsNull ? "null" : "bulk string",
        RespType.Integer => "integer",
        RespType.Error => "error",
        _ => "simple string",
    };

    public override string ToString() => Type switch
    {
        RespType.Array when IsSummary => $"[{Count} items{(FirstItemError is { } e ? ", first error: " + e : "")}]",
        RespType.Array => IsNull ? "(nil)" : "[" + string.Join(", ", Items!.Select(i => i.ToString())) + "]",
        _ => AsString() ?? "(nil)",
    };
}
