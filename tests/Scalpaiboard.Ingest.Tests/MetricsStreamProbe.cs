using System.Text.Json;
using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>Reads every entry of the real <c>market.metrics</c> stream through a throwaway consumer group.</summary>
public static class MetricsStreamProbe
{
    public sealed record Entry(long OpenTime, long Ts, JsonElement Items);

    public static async Task<List<Entry>> ReadAllAsync(string redisConnectionString)
    {
        await using var client = new RedisClient(redisConnectionString);
        var stream = new RedisEventStream(client);
        var group = "probe-" + Guid.NewGuid().ToString("N");
        await stream.EnsureGroupAsync(EventNames.MetricsStream, group, "0", CancellationToken.None);
        var result = new List<Entry>();
        while (true)
        {
            var batch = await stream.ReadGroupAsync(EventNames.MetricsStream, group, "probe", ">", 100, TimeSpan.FromMilliseconds(200), CancellationToken.None);
            if (batch.Count == 0)
            {
                return result;
            }
            foreach (var e in batch)
            {
                var doc = JsonDocument.Parse(e["data"]!).RootElement.Clone();
                result.Add(new Entry(doc.GetProperty("openTime").GetInt64(), doc.GetProperty("ts").GetInt64(), doc.GetProperty("items")));
            }
        }
    }
}
