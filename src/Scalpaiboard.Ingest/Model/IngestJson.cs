using System.Text.Json;

namespace Scalpaiboard.Ingest.Model;

/// <summary>The JSON settings of every event and frame the ingest publishes (camelCase, web defaults).</summary>
public static class IngestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
