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
    [InlineData("Notifications:Smtp:Port", "0", "Notifications:Smtp:Port")]
    [InlineData("Notifications:PublicWebUrl", "web.example", "Notifications:PublicWebUrl")]
    public async Task A_bad_setting_stops_the_service_naming_the_key(string key, string value, string named)
    {
        // The real service process, as an operator starts it (in-process, WebApplicationFactory's deferred host can
        // lose the start-up exception to an ObjectDisposedException when the app fails that early).
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        var psi = AlertsApp.ProcessStartInfo(db, redis, ServerProcess.FreePort());
        psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var (exitCode, output) = await ServerProcess.RunToExitAsync(psi, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.True(output.Contains("OptionsValidationException", StringComparison.Ordinal), output);
        Assert.True(output.Contains(named, StringComparison.Ordinal), output);
    }

    [Theory]
    [InlineData("smtp.example.com", "None", "", "Notifications:Smtp:Security")]
    [InlineData("127.0.0.1", "StartTls", "not-an-address", "Notifications:Smtp:From")]
    public async Task Bad_smtp_settings_stop_the_service_naming_the_key(string host, string security, string from, string named)
    {
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        var psi = AlertsApp.ProcessStartInfo(db, redis, ServerProcess.FreePort());
        psi.Environment["Notifications__Smtp__Host"] = host;
        psi.Environment["Notifications__Smtp__Security"] = security;
        psi.Environment["Notifications__Smtp__From"] = from.Length > 0 ? from : "alerts@example.com";
        var (exitCode, output) = await ServerProcess.RunToExitAsync(psi, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.True(output.Contains("OptionsValidationException", StringComparison.Ordinal), output);
        Assert.True(output.Contains(named, StringComparison.Ordinal), output);
    }

    [Theory]
    [InlineData("not-a-key", "Notifications:WebPush:PublicKey")]
    [InlineData("other-pair", "Notifications:WebPush:PrivateKey")]
    [InlineData("no-subject", "Notifications:WebPush:Subject")]
    public async Task Bad_vapid_settings_stop_the_service_naming_the_key(string fault, string named)
    {
        var pair = Notifications.PushTests.NewVapidKeys();
        var other = Notifications.PushTests.NewVapidKeys();
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        var psi = AlertsApp.ProcessStartInfo(db, redis, ServerProcess.FreePort());
        psi.Environment["Notifications__WebPush__PublicKey"] = fault == "not-a-key" ? "BAAA" : pair.PublicKey;
        psi.Environment["Notifications__WebPush__PrivateKey"] = fault == "other-pair" ? other.PrivateKey : pair.PrivateKey;
        psi.Environment["Notifications__WebPush__Subject"] = fault == "no-subject" ? "ops@example.com" : "mailto:ops@example.com";
        var (exitCode, output) = await ServerProcess.RunToExitAsync(psi, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.True(output.Contains("OptionsValidationException", StringComparison.Ordinal), output);
        Assert.True(output.Contains(named, StringComparison.Ordinal), output);
    }
}
