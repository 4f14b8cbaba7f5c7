using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>Preset signals over the replay: the reference list, and the operator webhook's deliveries.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(20)]
public sealed class SignalTests(SystemFixture system)
{
    [Fact]
    public async Task Signals_equal_the_reference_for_the_sample()
    {
        var want = File.ReadLines(Locations.ExpectedSignals).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .Select(f => $"{f[0]},{f[1]},{f[2]}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var body = await Api.GetAsync(system.Gateway, "/api/signals?limit=10000");
        var got = body["signals"]!.AsArray()
            .Where(s => ((string?)s!["type"])?.StartsWith("futures_", StringComparison.Ordinal) == true)
            .Select(s => $"{(string?)s!["symbol"]},{((long)s["openTime"]!).ToString(CultureInfo.InvariantCulture)},{(string?)s["type"]}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(want);
        Assert.Equal(want, got);
    }

    [Fact]
    public async Task Every_signal_reached_the_operator_webhook_once_with_its_id_and_a_valid_signature()
    {
        var body = await Api.GetAsync(system.Gateway, "/api/signals?limit=10000");
        var ids = body["signals"]!.AsArray().Select(s => Id(s!["id"])).ToHashSet();
        Assert.NotEmpty(ids);
        // Deliveries run behind the signals: give the retries a little time.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !ids.IsSubsetOf(system.Webhook.Deliveries.Select(d => Id(JsonNode.Parse(d.Body)!["id"]))))
        {
            await Task.Delay(500);
        }
        var deliveries = system.Webhook.Deliveries;
        var key = Encoding.UTF8.GetBytes(SystemFixture.WebhookSecret);
        var seen = new Dictionary<string, int>();
        foreach (var d in deliveries)
        {
            var json = JsonNode.Parse(d.Body)!;
            var id = Id(json["id"]);
            seen[id] = seen.GetValueOrDefault(id) + 1;
            Assert.Equal("signal", (string?)json["kind"]);
            Assert.Equal(id, d.IdempotencyKey);
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, d.Body));
            Assert.True(string.Equals(expected, d.Signature, StringComparison.OrdinalIgnoreCase),
                $"signal {id}: X-Scalpaiboard-Signature {d.Signature}, want {expected}");
        }
        Assert.Empty(ids.Except(seen.Keys));
        Assert.Empty(seen.Where(kv => kv.Value != 1).Select(kv => $"{kv.Key} x{kv.Value}"));
        Assert.Empty(seen.Keys.Except(ids));
    }

    private static string Id(JsonNode? id) => id is JsonValue v && v.TryGetValue<long>(out var n)
        ? n.ToString(CultureInfo.InvariantCulture)
        : (string?)id ?? "";
}
