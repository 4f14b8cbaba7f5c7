using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// A plugin whose parameter schemas every OpenAI-compatible endpoint accepts. Semantic Kernel describes an optional
/// parameter (<c>double?</c>) as <c>"type": ["number", "null"]</c>, which some providers reject; here it is the plain
/// type, and a <c>"default": null</c> is left out (leaving a parameter out already means "no value"). A closed set of
/// strings (<see cref="AllowedValuesAttribute"/> on the parameter) becomes an <c>enum</c>, which Semantic Kernel does
/// not derive itself.
/// </summary>
public static class PortablePlugin
{
    public static KernelPlugin Create(object target, string pluginName)
    {
        var plugin = KernelPluginFactory.CreateFromObject(target, pluginName);
        var functions = plugin.Select(f => KernelFunctionFactory.CreateFromMethod(
            f.UnderlyingMethod!,
            target,
            f.Name,
            f.Description,
            f.Metadata.Parameters.Select(p => new KernelParameterMetadata(p) { Schema = Portable(p.Schema, AllowedValues(f, p.Name)) }),
            f.Metadata.ReturnParameter));
        return KernelPluginFactory.CreateFromFunctions(pluginName, plugin.Description, functions);
    }

    private static string[]? AllowedValues(KernelFunction function, string parameter) =>
        function.UnderlyingMethod?.GetParameters().FirstOrDefault(p => p.Name == parameter)
            ?.GetCustomAttribute<AllowedValuesAttribute>()?.Values.OfType<string>().ToArray();

    private static KernelJsonSchema? Portable(KernelJsonSchema? schema, string[]? allowed)
    {
        if (schema is null || JsonNode.Parse(schema.RootElement.GetRawText()) is not JsonObject node)
        {
            return schema;
        }
        if (node["type"] is JsonArray { Count: 2 } types && types.Any(t => t?.ToString() == "null"))
        {
            node["type"] = types.First(t => t?.ToString() != "null")!.ToString();
        }
        if (node.TryGetPropertyValue("default", out var value) && value is null)
        {
            node.Remove("default");
        }
        if (allowed is { Length: > 0 })
        {
            node["enum"] = new JsonArray([.. allowed.Select(v => JsonValue.Create(v))]);
        }
        return KernelJsonSchema.Parse(node.ToJsonString(JsonSerializerOptions.Default));
    }
}
