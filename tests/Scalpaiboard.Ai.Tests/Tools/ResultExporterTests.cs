using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Tests.Tools;

public sealed class ResultExporterTests
{
    [Fact]
    public void Csv_has_one_row_per_item_of_the_main_list_with_flattened_columns()
    {
        var result = JsonNode.Parse("""
            {"total": 2, "filters": {"minChange_5m": 1},
             "coins": [{"symbol": "BTCUSDT", "price": 65000.5, "meta": {"tier": "A"}},
                       {"symbol": "ODD,\"NAME\"", "price": 0.00001234, "tags": ["x", "y"]}]}
            """)!;
        var (csv, rows) = ResultExporter.ToCsv(result);
        Assert.Equal(2, rows);
        Assert.Equal(
            "symbol,price,meta.tier,tags\r\n" +
            "BTCUSDT,65000.5,A,\r\n" +
            "\"ODD,\"\"NAME\"\"\",0.00001234,,\"[\"\"x\"\",\"\"y\"\"]\"\r\n", csv);
    }

    [Fact]
    public void An_object_without_lists_is_one_row()
    {
        var (csv, rows) = ResultExporter.ToCsv(JsonNode.Parse("""{"symbol": "ETHUSDT", "trend": {"direction": "up"}}""")!);
        Assert.Equal(1, rows);
        Assert.Equal("symbol,trend.direction\r\nETHUSDT,up\r\n", csv);
    }

    [Theory]
    [InlineData("btc", "BTCUSDT")]
    [InlineData("BTC/USDT", "BTCUSDT")]
    [InlineData(" ethusdt ", "ETHUSDT")]
    [InlineData("1000PEPE", "1000PEPEUSDT")]
    public void Symbols_are_normalised(string input, string expected) => Assert.Equal(expected, ToolArguments.NormalizeSymbol(input));

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("!!!")]
    public void Bad_symbols_are_tool_errors(string input) => Assert.Throws<ToolException>(() => ToolArguments.NormalizeSymbol(input));
}
