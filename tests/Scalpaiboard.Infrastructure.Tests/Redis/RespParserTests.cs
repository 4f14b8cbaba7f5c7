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

    [Fact]
    public void Summary_CountsTheItems_AndKeepsTheFirstTopLevelError_InAnySegmentation()
    {
        const string text = "*5\r\n:1\r\n-ERR first\r\n$5\r\nh\r\nlo\r\n*2\r\n:1\r\n-ERR nested\r\n-ERR second\r\n";
        var bytes = Encoding.ASCII.GetBytes(text + "+OK\r\n");
        foreach (var segmentSize in new[] { 1, 3, 7, bytes.Length })
        {
            for (var cut = 0; cut < text.Length; cut++)
            {
                var prefix = Segmented(bytes[..cut], segmentSize);
                Assert.False(RespParser.TryParse(ref prefix, out _, summarize: true), $"prefix of {cut} bytes parsed (segments of {segmentSize})");
            }
            var whole = Segmented(bytes, segmentSize);
            Assert.True(RespParser.TryParse(ref whole, out var summary, summarize: true));
            Assert.True(summary.IsSummary);
            Assert.Equal(5, summary.Count);
            Assert.Equal("ERR first", summary.FirstItemError);
            Assert.False(summary.IsNull);
            Assert.False(summary.IsError);
            // The reply after it starts exactly where the summary ended.
            Assert.True(RespParser.TryParse(ref whole, out var next, summarize: true));
            Assert.Equal("OK", next.AsString());
            Assert.True(whole.IsEmpty);
        }
    }

    [Theory]
    [InlineData("*3\r\n:1\r\n:0\r\n:2\r\n", 3, false)]
    [InlineData("*0\r\n", 0, false)]
    [InlineData("*-1\r\n", 0, true)]
    public void Summary_WithoutErrors_HasNoFirstError(string text, int count, bool isNull)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text));
        Assert.True(RespParser.TryParse(ref buffer, out var value, summarize: true));
        Assert.Equal(count, value.Count);
        Assert.Equal(isNull, value.IsNull);
        Assert.Null(value.FirstItemError);
    }

    [Fact]
    public void Summarizing_LeavesRepliesThatAreNotArrays_AsTheyAre()
    {
        var buffer = new ReadOnlySequence<byte>("-EXECABORT Transaction discarded\r\n:7\r\n"u8.ToArray());
        Assert.True(RespParser.TryParse(ref buffer, out var error, summarize: true));
        Assert.True(error.IsError);
        Assert.Equal("EXECABORT Transaction discarded", error.AsString());
        Assert.True(RespParser.TryParse(ref buffer, out var integer, summarize: true));
        Assert.Equal(7, integer.AsInteger());
    }

    [Fact]
    public void Summary_OfAMalformedArray_IsStillRejected()
    {
        var buffer = new ReadOnlySequence<byte>("*2\r\n:1\r\n?oops\r\n"u8.ToArray());
        Assert.Throws<RedisProtocolException>(() => RespParser.TryParse(ref buffer, out _, summarize: true));
    }

    [Fact]
    public void TheFirstErrorOfAKeptArray_IsFoundToo()
    {
        var buffer = new ReadOnlySequence<byte>("*3\r\n:1\r\n-ERR one\r\n-ERR two\r\n"u8.ToArray());
        Assert.True(RespParser.TryParse(ref buffer, out var value));
        Assert.False(value.IsSummary);
        Assert.Equal(3, value.Count);
        Assert.Equal("ERR one", value.FirstItemError);
    }

    /// <summary>
    /// What a MULTI/EXEC of 500 PUBLISHes gets back: OK, 500 QUEUED and an array of 500 counts. Read the way the live
    /// channel reads it (the QUEUED replies shared, EXEC's array summarized), none of it allocates.
    /// </summary>
    [Fact]
    public void ATransactionsRepliesRead_AsTheLiveChannelReadsThem_AllocateNothing()
    {
        var ok = "+OK\r\n"u8.ToArray();
        var queued = "+QUEUED\r\n"u8.ToArray();
        var exec = Encoding.ASCII.GetBytes("*500\r\n" + string.Concat(Enumerable.Repeat(":3\r\n", 500)));
        void ReadAll()
        {
            var o = new ReadOnlySequence<byte>(ok);
            RespParser.TryParse(ref o, out _);
            for (var i = 0; i < 500; i++)
            {
                var q = new ReadOnlySequence<byte>(queued);
                RespParser.TryParse(ref q, out _);
            }
            var e = new ReadOnlySequence<byte>(exec);
            RespParser.TryParse(ref e, out _, summarize: true);
        }
        ReadAll();
        var before = GC.GetAllocatedBytesForCurrentThread();
        ReadAll();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        var last = new ReadOnlySequence<byte>(queued);
        Assert.True(RespParser.TryParse(ref last, out var value));
        Assert.Equal("QUEUED", value.AsString());
        var array = new ReadOnlySequence<byte>(exec);
        Assert.True(RespParser.TryParse(ref array, out var kept));
        Assert.Equal(500, kept.AsArray().Length); // without summarize the items are kept, as before
    }
}
