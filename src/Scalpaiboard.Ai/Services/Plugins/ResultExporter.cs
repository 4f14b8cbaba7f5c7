using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>Turns a tool result into a downloadable file: JSON as is, CSV as one row per item of the result's
/// main list (nested objects flattened to <c>parent.child</c> columns).</summary>
public static class ResultExporter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string ToJson(JsonNode result) => result.ToJsonString(Indented);

    public static (string Csv, int Rows) ToCsv(JsonNode result)
    {
        var rows = new List<Dictionary<string, string>>();
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in RowsOf(result))
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            Flatten(item, "", row);
            foreach (var key in row.Keys)
            {
                if (seen.Add(key))
                {
                    columns.Add(key);
                }
            }
            rows.Add(row);
        }
        var sb = new StringBuilder();
        sb.AppendJoin(',', columns.Select(Escape)).Append("\r\n");
        foreach (var row in rows)
        {
            sb.AppendJoin(',', columns.Select(c => Escape(row.GetValueOrDefault(c, "")))).Append("\r\n");
        }
        return (sb.ToString(), rows.Count);
    }

    /// <summary>The items of the largest list of objects in the result, or the result itself as one row.</summary>
    public static IEnumerable<JsonNode?> RowsOf(JsonNode result)
    {
        if (result is JsonArray array)
        {
            return array;
        }
        if (result is JsonObject obj)
        {
            var list = obj.Select(p => p.Value).OfType<JsonArray>()
                .Where(a => a.Count > 0 && a.All(i => i is JsonObject))
                .MaxBy(a => a.Count);
            if (list is not null)
            {
                return list;
            }
        }
        return [result];
    }

    private static void Flatten(JsonNode? node, string prefix, Dictionary<string, string> row)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    Flatten(value, prefix.Length == 0 ? key : prefix + "." + key, row);
                }
                break;
            case JsonArray a:
                row[Key(prefix)] = a.ToJsonString();
                break;
            case JsonValue v:
                row[Key(prefix)] = v.GetValueKind() switch
                {
                    JsonValueKind.String => v.GetValue<string>(),
                    JsonValueKind.Number => v.TryGetValue<decimal>(out var d) ? d.ToString(CultureInfo.InvariantCulture) : v.ToJsonString(),
                    _ => v.ToJsonString(),
                };
                break;
            default:
                row[Key(prefix)] = "";
                break;
        }
    }

    private static string Key(string prefix) => prefix.Length == 0 ? "value" : prefix;

    private static string Escape(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
