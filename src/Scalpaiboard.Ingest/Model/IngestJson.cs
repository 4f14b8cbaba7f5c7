using System.Text.Json;

namespace Scalpaiboard.Ingest.Model;

/// <summary>
/// The JSON settings of every event and frame the ingest publishes: camelCase (web defaults); unavailable
/// (null) values are left out to keep the per-candle events small, so a reader treats absent as null.
/// </summary>
public static class IngestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
