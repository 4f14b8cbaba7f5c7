using System.Diagnostics;
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
        // The real service process, as an operator starts it (in-process, WebApplicationFactory's deferred host can
        // lose the start-up exception to an ObjectDisposedException when the app fails that early).
        using var redis = new RedisServer();
        var db = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        var bin = AppContext.BaseDirectory;
        var psi = new ProcessStartInfo(Path.Combine(bin, "Scalpaiboard.Alerts"))
        {
            WorkingDirectory = bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        psi.Environment["ConnectionStrings__postgres"] = db;
        psi.Environment["ConnectionStrings__redis"] = redis.ConnectionString;
        psi.Environment["Identity__SigningKey"] = AlertsApp.SigningKey;
        psi.Environment["services__ingest__http__0"] = "http://127.0.0.1:9";
        psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the service kept running with {key}={value}");
        }
        var output = await stdout + await stderr;
        Assert.NotEqual(0, process.ExitCode);
        Assert.True(output.Contains("OptionsValidationException", StringComparison.Ordinal), output);
        Assert.True(output.Contains(named, StringComparison.Ordinal), output);
    }
}
