using Scalpaiboard.Market.Data;

namespace Scalpaiboard.Market.Tests.Data;

public class KlineCsvParserTests
{
    private const string Row =
        "1772409600000,142.1337,142.1519,141.8629,141.9863,88.067,1772409659999,12510.7315,15,49.340,7009.2075,0";

    [Fact]
    public void Parse_MillisecondRow_GivesEveryField()
    {
        Assert.Equal(KlineLineKind.Candle, KlineCsvParser.Parse(Row, out var c, out var error));
        Assert.Null(error);
        Assert.Equal(new Candle(1772409600000, 142.1337, 142.1519, 141.8629, 141.9863, 88.067, 12510.7315, 15, 49.340, 7009.2075), c);
    }

    [Fact]
    public void Parse_MicrosecondTimes_AreConvertedToMilliseconds()
    {
        var line = "1772409600000000,1,2,0.5,1.5,10,1772409659999999,15,3,5,7.5,0";
        Assert.Equal(KlineLineKind.Candle, KlineCsvParser.Parse(line, out var c, out _));
        Assert.Equal(1772409600000, c.OpenTime);
    }

    [Fact]
    public void Parse_HeaderRow_IsRecognised()
    {
        var header = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
        Assert.Equal(KlineLineKind.Header, KlineCsvParser.Parse(header, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r")]
    public void Parse_BlankLine_IsBlank(string line) => Assert.Equal(KlineLineKind.Blank, KlineCsvParser.Parse(line, out _, out _));

    [Fact]
    public void Parse_WindowsLineEnd_IsAccepted() =>
        Assert.Equal(KlineLineKind.Candle, KlineCsvParser.Parse(Row + "\r", out _, out _));

    [Theory]
    [InlineData("1772409600000,1,2,0.5,1.5", "expected 12 columns, found 5")]
    [InlineData("1772409600000,1,2,0.5,1.5,10,1772409659999,15,3,5,7.5,0,9", "expected 12 columns, found more")]
    [InlineData("17724x9600000,1,2,0.5,1.5,10,1772409659999,15,3,5,7.5,0", "open_time: '17724x9600000' is not a non-negative integer time")]
    [InlineData("1772409600000,abc,2,0.5,1.5,10,1772409659999,15,3,5,7.5,0", "open: 'abc' is not a number")]
    [InlineData("1772409600000,1,2,0.5,0,10,1772409659999,15,3,5,7.5,0", "close: 0 is not a positive price")]
    [InlineData("1772409600000,1,2,0.5,1.5,-10,1772409659999,15,3,5,7.5,0", "volume: -10 is negative")]
    [InlineData("1772409600000,1,0.4,0.5,1.5,10,1772409659999,15,3,5,7.5,0", "high 0.4 is below low 0.5")]
    [InlineData("1772409600000,1,2,0.5,1.5,10,1772409659999,NaN,3,5,7.5,0", "quote_volume: 'NaN' is not a number")]
    [InlineData("1772409600000,1,2,0.5,1.5,10,1772409659999,15,3.5,5,7.5,0", "count: '3.5' is not a non-negative integer")]
    public void Parse_MalformedRow_SaysWhy(string line, string reason)
    {
        Assert.Equal(KlineLineKind.Malformed, KlineCsvParser.Parse(line, out _, out var error));
        Assert.Equal(reason, error);
    }
}
