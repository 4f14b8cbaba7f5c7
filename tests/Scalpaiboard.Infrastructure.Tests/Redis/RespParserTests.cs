using System.Buffers;
using System.Text;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Infrastructure.Redis.Protocol;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

public sealed class RespParserTests
{
    private const string Composite =
        "*6\r\n+OK\r\n-ERR bad thing\r\n:-42\r\n$5\r\nh\r\nlo\r\n$-1\r\n*2\r\n*-1\r\n$0\r\n\r\n";

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment? first = null, last = null;
        for (var i = 0; i < bytes.Length; i += segmentSize)
        {
            var chunk = bytes.AsMemory(i, Math.Min(segmentSize, bytes.Length - i));
            last = last is null ? first = new Segment(chunk, 0) : last.Append(chunk);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    private static void AssertComposite(RespValue value)
    {
        var items = value.AsArray();
        Assert.Equal(6, items.Length);
        Assert.Equal("OK", items[0].AsString());
        Assert.True(items[1].IsError);
        Assert.Equal("ERR bad thing", items[1].AsString());
        Assert.Equal(-42, items[2].AsInteger());
        Assert.Equal("h\r\nlo", items[3].AsString()); // binary-safe: CRLF inside a bulk string is data
        Assert.True(items[4].IsNull);
        var nested = items[5].AsArray();
        Assert.True(nested[0].IsNull);
        Assert.Equal("", nested[1].AsString());
    }

    [Fact]
    public void EveryPrefix_IsIncomplete_AndTheWholeReplyParses_InAnySegmentation()
    {
        var bytes = Encoding.ASCII.GetBytes(Composite);
        foreach (var segmentSize in new[] { 1, 2, 3, 7, bytes.Length })
        {
            for (var cut = 0; cut < bytes.Length; cut++)
            {
                var prefix = Segmented(bytes[..cut], segmentSize);
                Assert.False(RespParser.TryParse(ref prefix, out _), $"prefix of {cut} bytes parsed (segments of {segmentSize})");
            }
            var whole = Segmented(bytes, segmentSize);
            Assert.True(RespParser.TryParse(ref whole, out var value));
            Assert.True(whole.IsEmpty);
            AssertComposite(value);
        }
    }

    [Fact]
    public void LargeReply_IncompleteUntilTheLastByte_ThenExact()
    {
        // Above the probe threshold: completeness is checked without materialising.
        var big = new string('x', 20_000);
        var text = $"*3\r\n${big.Length}\r\n{big}\r\n:7\r\n*1\r\n${big.Length}\r\n{big}\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        foreach (var cut in new[] { 8_200, 20_010, bytes.Length - 3, bytes.Length - 1 })
        {
            var prefix = Segmented(bytes[..cut], 4096);
            Assert.False(RespParser.TryParse(ref prefix, out _));
        }
        var whole = Segmented(bytes, 4096);
        Assert.True(RespParser.TryParse(ref whole, out var value));
        var items = value.AsArray();
        Assert.Equal(big, items[0].AsString());
        Assert.Equal(7, items[1].AsInteger());
        Assert.Equal(big, items[2].AsArray()[0].AsString());
    }

    [Fact]
    public void LargeMalformedReply_IsStillRejected()
    {
        var text = "*2\r\n$9000\r\n" + new string('y', 9000) + "\r\n?oops\r\n";
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text));
        Assert.Throws<RedisProtocolException>(() => RespParser.TryParse(ref buffer, out _));
    }

    [Fact]
    public void SeveralReplies_InOneBuffer_ParseOneByOne_LeavingTheRest()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(":1\r\n:2\r\n$3\r\nab"));
        Assert.True(RespParser.TryParse(ref buffer, out var one));
        Assert.True(RespParser.TryParse(ref buffer, out var two));
        Assert.False(RespParser.TryParse(ref buffer, out _));
        Assert.Equal((1L, 2L), (one.Integer, two.Integer));
        Assert.Equal(6, buffer.Length);
    }

    [Theory]
    [InlineData("?what\r\n", "unexpected byte")]
    [InlineData(":12x\r\n", "invalid integer")]
    [InlineData("$-5\r\n", "bulk length -5")]
    [InlineData("$3\r\nabcXY", "not followed by CRLF")]
    [InlineData("*-2\r\n", "array length -2")]
    [InlineData("+OK\nmore\r\n", "stray line break")]
    public void Malformed_Throws(string text, string expected)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text));
        var ex = Assert.Throws<RedisProtocolException>(() => RespParser.TryParse(ref buffer, out _));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_EncodesAsArrayOfBulkStrings()
    {
        var request = new RedisRequest("SET", 3).Add("k€y").Add("v"u8).Add(-12).Complete();
        Assert.Equal("*4\r\n$3\r\nSET\r\n$5\r\nk€y\r\n$1\r\nv\r\n$3\r\n-12\r\n", Encoding.UTF8.GetString(request.Payload));
        request.ReleaseBuffer();
    }

    [Fact]
    public void Request_WithMissingOrExtraArguments_IsABug()
    {
        Assert.Throws<InvalidOperationException>(() => new RedisRequest("GET", 1).Complete());
        Assert.Throws<InvalidOperationException>(() => new RedisRequest("PING", 0).Add("extra"));
    }

    [Fact]
    public void Request_LargerThanTheInitialBuffer_Grows()
    {
        var big = new string('x', 100_000);
        var request = new RedisRequest("SET", 2).Add("k").Add(big).Complete();
        var text = Encoding.ASCII.GetString(request.Payload);
        Assert.EndsWith("$100000\r\n" + big + "\r\n", text, StringComparison.Ordinal);
    }
}
