using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Services.Tools;

namespace Scalpaiboard.Ai.Tests.Tools;

public sealed class ToolSchemaTests
{
    private static readonly Dictionary<string, JsonObject> Schemas = new AssistantToolFactory(null!, null!, TimeProvider.System)
        .Create(new ToolSession("u", Guid.Empty))
        .ToDictionary(f => f.Name, f => (JsonObject)JsonNode.Parse(f.JsonSchema.GetRawText())!);

    [Fact]
    public void Every_parameter_has_a_single_type_and_a_description()
    {
        foreach (var (tool, schema) in Schemas)
        {
            Assert.Equal("object", schema["type"]!.ToString());
            foreach (var (name, property) in schema["properties"]!.AsObject())
            {
                Assert.True(property!["type"] is JsonValue, $"{tool}.{name} has type {property["type"]}");
                Assert.False(string.IsNullOrWhiteSpace(property["description"]?.ToString()), $"{tool}.{name} has no description");
                Assert.False(property.AsObject().TryGetPropertyValue("default", out var d) && d is null, $"{tool}.{name} has default null");
            }
        }
    }

    [Fact]
    public void Required_parameters_are_exactly_the_essential_ones()
    {
        string[] Required(string tool) => Schemas[tool]["required"]?.AsArray().Select(n => n!.ToString()).ToArray() ?? [];
        Assert.Empty(Required("filter_coins"));
        Assert.Equal(["symbol"], Required("get_coin_analysis"));
        Assert.Equal(["symbol", "condition"], Required("create_alert"));
        Assert.Equal(["symbol"], Required("add_to_watchlist"));
        Assert.Equal(["symbol"], Required("analyze_pattern"));
        Assert.Empty(Required("export_results"));
        Assert.Empty(Required("get_portfolio"));
    }

    [Fact]
    public void Closed_sets_are_enums()
    {
        var condition = Schemas["create_alert"]["properties"]!["condition"]!["enum"]!.AsArray().Select(n => n!.ToString());
        Assert.Equal(AssistantTools.ConditionTypes, condition);
        Assert.Equal(AssistantTools.Windows, Schemas["create_alert"]["properties"]!["window"]!["enum"]!.AsArray().Select(n => n!.ToString()));
        Assert.Equal(AssistantTools.Timeframes, Schemas["analyze_pattern"]["properties"]!["timeframe"]!["enum"]!.AsArray().Select(n => n!.ToString()));
        Assert.Equal(["csv", "json"], Schemas["export_results"]["properties"]!["format"]!["enum"]!.AsArray().Select(n => n!.ToString()));
        Assert.Equal("number", Schemas["filter_coins"]["properties"]!["filters"]!["additionalProperties"]!["type"]!.ToString());
    }
}
