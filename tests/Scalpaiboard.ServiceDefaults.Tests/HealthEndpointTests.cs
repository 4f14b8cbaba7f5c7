using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scalpaiboard.ServiceDefaults.Tests;

public sealed class HealthEndpointTests
{
    /// <summary>A readiness check (not tagged "live") the test switches between healthy and unhealthy.</summary>
    private sealed class Switch
    {
        public volatile bool Healthy = true;
    }

    private static Task<TestApp> StartAsync(Switch state) => TestApp.StartAsync(_ => { }, builder =>
        builder.Services.AddHealthChecks().AddCheck("database", () => state.Healthy
            ? HealthCheckResult.Healthy("reachable")
            : HealthCheckResult.Unhealthy("database is down"), ["ready"]));

    private static async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var json = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(json).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_AllChecksPass_Returns200JsonWithEveryCheck()
    {
        await using var app = await StartAsync(new Switch());
        using var client = app.CreateClient();
        var (status, body, contentType) = await GetAsync(client, "/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("self").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("reachable", checks.GetProperty("database").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Health_ACheckFails_Returns503NamingTheCheck()
    {
        var state = new Switch();
        await using var app = await StartAsync(state);
        using var client = app.CreateClient();
        state.Healthy = false;
        var (status, body, _) = await GetAsync(client, "/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("database is down", body.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());

        state.Healthy = true;
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/health")).Status);
    }

    [Fact]
    public async Task Alive_IgnoresReadinessChecks()
    {
        var state = new Switch { Healthy = false };
        await using var app = await StartAsync(state);
        using var client = app.CreateClient();
        var (status, body, _) = await GetAsync(client, "/alive");
        Assert.Equal(HttpStatusCode.OK, status);
        var checks = body.GetProperty("checks");
        Assert.True(checks.TryGetProperty("self", out _));
        Assert.False(checks.TryGetProperty("database", out _));
    }
}
