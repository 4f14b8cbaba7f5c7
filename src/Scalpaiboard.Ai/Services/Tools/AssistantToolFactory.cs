using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Scalpaiboard.Ai.Infrastructure;

namespace Scalpaiboard.Ai.Services.Tools;

/// <summary>Builds the seven AIFunctions (schemas from [Description]) bound to one request's <see cref="ToolSession"/>.</summary>
public sealed class AssistantToolFactory(MarketServicesClient api, ExportStore exports, TimeProvider time)
{
    private static readonly (string Name, MethodInfo Method)[] Methods =
    [
        (AssistantTools.FilterCoins, Method(nameof(AssistantTools.FilterCoinsAsync))),
        (AssistantTools.GetCoinAnalysis, Method(nameof(AssistantTools.GetCoinAnalysisAsync))),
        (AssistantTools.CreateAlert, Method(nameof(AssistantTools.CreateAlertAsync))),
        (AssistantTools.AddToWatchlist, Method(nameof(AssistantTools.AddToWatchlistAsync))),
        (AssistantTools.AnalyzePattern, Method(nameof(AssistantTools.AnalyzePatternAsync))),
        (AssistantTools.ExportResults, Method(nameof(AssistantTools.ExportResultsAsync))),
        (AssistantTools.GetPortfolio, Method(nameof(AssistantTools.GetPortfolioAsync))),
    ];

    /// <summary>
    /// Schemas every OpenAI-compatible endpoint accepts: an optional parameter is a plain type (not ["number","null"],
    /// which some providers reject) without "default": null. Closed string sets are enums through [AllowedValues].
    /// </summary>
    private static readonly AIJsonSchemaCreateOptions SchemaOptions = new()
    {
        TransformSchemaNode = (context, node) =>
        {
            if (node is not JsonObject o)
            {
                return node;
            }
            if (o["type"] is JsonArray { Count: 2 } types && types.Any(t => t?.ToString() == "null"))
            {
                o["type"] = types.First(t => t?.ToString() != "null")!.ToString();
            }
            if (o.TryGetPropertyValue("default", out var value) && value is null)
            {
                o.Remove("default");
            }
            return o;
        },
    };

    public IReadOnlyList<AIFunction> Create(ToolSession session)
    {
        var target = new AssistantTools(api, exports, session, time);
        return Methods.Select(m => AIFunctionFactory.Create(m.Method, target,
            new AIFunctionFactoryOptions { Name = m.Name, JsonSchemaCreateOptions = SchemaOptions })).ToList();
    }

    private static MethodInfo Method(string name) =>
        typeof(AssistantTools).GetMethod(name, BindingFlags.Public | BindingFlags.Instance)
        ?? throw new InvalidOperationException($"AssistantTools.{name} is missing.");
}
