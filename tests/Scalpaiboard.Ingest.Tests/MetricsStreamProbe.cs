using Scalpaiboard.Infrastructure.Events;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>Reads and decodes every entry of the real <c>market.metrics</c> stream through a throwaway consumer group.</summary>
public static class MetricsStreamProbe
{
    public sealed record Entry(long OpenTime, long Ts, MetricsFrameBatch Frame)
    {
        public IReadOnlyList<MetricsSnapshot> Items => Frame.Items;
    }

    public static async Task<List<Entry>> ReadAllAsync(string redisConnectionString)
    {
        await using var client = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redisConnectionString);
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
                var frame = MetricsFrameReader.Read(e.GetBytes("data")!.Value.Span);
                result.Add(new Entry(frame.OpenTime, frame.Ts, frame));
            }
        }
    }
}
