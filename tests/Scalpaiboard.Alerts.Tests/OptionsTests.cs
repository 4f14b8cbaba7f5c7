using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("Alerts:Delivery:MaxAttempts", "0", "Alerts:Delivery:MaxAttempts")]
    [InlineData("Alerts:Webhooks:0:Url", "not-a-url", "Alerts:Webhooks:0:Url")]
    [InlineData("Alerts:CooldownMinutes", "-1", "Alerts:CooldownMinutes")]
    [InlineData("Alerts:Presets:PioneerBull:Change5m", "NaN", "Alerts:Presets")]
    public async Task A_bad_setting_stops_the_service_naming_the_key(string key, string value, string named)
    {
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        await using var app = new AlertsApp(db, redis, new Dictionary<string, string?> { [key] = value });
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var client = app.CreateClient();
            using var r = await client.GetAsync("/alive");
        });
        var all = ex.ToString();
        Assert.Contains(named, all);
    }
}
