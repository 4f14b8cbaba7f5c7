using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Tests.Tools;

/// <summary>The JSON schemas Semantic Kernel builds from the plugins' [Description]s, as every provider receives them.</summary>
public sealed class ToolSchemaTests
{
    public static readonly KernelPlugin[] Plugins =
    [
        PortablePlugin.Create(new ScreenerPlugin(null!, null!, TimeProvider.System), ToolNames.Screener),
        PortablePlugin.Create(new AlertsPlugin(null!), ToolNames.Alerts),
        PortablePlugin.Create(new WatchlistPlugin(null!), ToolNames.Watchlist),
        PortablePlugin.Create(new BacktestPlugin(null!, TimeProvider.System), ToolNames.Backtests),
    ];

    private static readonly Dictionary<string, JsonObject> Schemas = Plugins.SelectMany(p => p)
        .ToDictionary(f => f.Name, f => (JsonObject)JsonNode.Parse(f.JsonSchema.GetRawText())!);

    [Fact]
    public void The_plugins_hold_the_assistants_tools_under_their_names()
    {
        Assert.Equal(
            ["add_to_watchlist", "analyze_pattern", "backtest_preset", "create_alert", "delete_alert", "export_results", "filter_coins", "get_coin_analysis",
             "get_portfolio", "list_alerts", "pause_alert", "remove_from_watchlist"],
            Schemas.Keys.Order(StringComparer.Ordinal));
        Assert.All(Plugins.SelectMany(p => p), f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
    }

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
        Assert.Equal(["symbol"], Required("remove_from_watchlist"));
        Assert.Equal(["symbol"], Required("analyze_pattern"));
        Assert.Equal(["alertId"], Required("pause_alert"));
        Assert.Equal(["alertId"], Required("delete_alert"));
        Assert.Empty(Required("list_alerts"));
        Assert.Empty(Required("export_results"));
        Assert.Empty(Required("get_portfolio"));
        Assert.Equal(["rule"], Required("backtest_preset"));
    }

    [Fact]
    public void Filter_coins_takes_the_derivatives_bounds_as_numbers_in_their_units()
    {
        var properties = Schemas["filter_coins"]["properties"]!.AsObject();
        foreach (var bound in (string[])["FundingRate", "OiChange_1h", "OiChange_4h", "OiChange_1d", "OpenInterestValue", "LongShortRatio"])
        {
            Assert.Equal("number", properties["min" + bound]!["type"]!.ToString());
            Assert.Equal("number", properties["max" + bound]!["type"]!.ToString());
        }
        Assert.Contains("as a fraction: 0.0001 = 0.01 %", properties["minFundingRate"]!["description"]!.ToString());
        Assert.Contains("-5e-324", properties["maxFundingRate"]!["description"]!.ToString());
        Assert.Contains("percent", properties["minOiChange_4h"]!["description"]!.ToString());
        Assert.Contains("fundingRate", properties["sortBy"]!["description"]!.ToString());
    }

    [Fact]
    public void The_kernel_and_the_cancellation_token_are_not_parameters()
    {
        foreach (var (tool, schema) in Schemas)
        {
            var names = schema["properties"]!.AsObject().Select(p => p.Key).ToList();
            Assert.DoesNotContain("kernel", names);
            Assert.DoesNotContain("cancellationToken", names);
        }
    }

    [Fact]
    public void Closed_sets_are_enums()
    {
        string[] Enum(string tool, string parameter) =>
            Schemas[tool]["properties"]![parameter]!["enum"]!.AsArray().Select(n => n!.ToString()).ToArray();
        Assert.Equal(AlertsPlugin.ConditionTypes, Enum("create_alert", "condition"));
        Assert.Equal(ToolArguments.Windows, Enum("create_alert", "window"));
        Assert.Equal(AlertsPlugin.Sides, Enum("create_alert", "side"));
        Assert.Equal(ToolArguments.Timeframes, Enum("analyze_pattern", "timeframe"));
        Assert.Equal(["asc", "desc"], Enum("filter_coins", "sortOrder"));
        Assert.Equal(["csv", "json"], Enum("export_results", "format"));
        Assert.Equal("number", Schemas["filter_coins"]["properties"]!["filters"]!["additionalProperties"]!["type"]!.ToString());
    }
}
