using System.Globalization;
using System.Text.Json;

namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>
/// Binance sends decimals as JSON strings and times as numbers, but not everywhere the same way (the documented
/// examples of <c>/futures/data</c> show string timestamps, the servers send numbers): both are read.
/// </summary>
internal static class BinanceJson
{
    public static double Number(JsonElement parent, string name) => Value(parent.GetProperty(name), name);

    /// <summary>A number given as such or as a string; <paramref name="name"/> names it in the error.</summary>
    public static double Value(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String => double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"{name} is not a number"),
    };

    public static long Integer(JsonElement parent, string name)
    {
        var value = parent.GetProperty(name);
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetInt64(),
            JsonValueKind.String => long.Parse(value.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture),
            _ => throw new FormatException($"{name} is not an integer"),
        };
    }

    public static string Text(JsonElement parent, string name) =>
        parent.GetProperty(name).GetString() is { Length: > 0 } s ? s : throw new FormatException($"{name} is empty");
}
