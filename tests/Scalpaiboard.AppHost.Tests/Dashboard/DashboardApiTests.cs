using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Scalpaiboard.AppHost.Dashboard;
using Scalpaiboard.AppHost.Hosting;
using Scalpaiboard.AppHost.Supervision;
using static Scalpaiboard.AppHost.Tests.TestResources;

namespace Scalpaiboard.AppHost.Tests.Dashboard;

/// <summary>The dashboard API over real HTTP on 127.0.0.1, over a supervisor running real processes.</summary>
public sealed class DashboardApiTests : IAsyncLifetime
{
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private Supervisor _supervisor = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var (web, _) = HttpServer("web", _probe, healthy: true);
        _supervisor = Supervisor(web, Shell("worker", "echo hello from worker; exec sleep 600"));
        var port = ScalpaiboardModel.FreePort();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        _app = builder.Build();
        _app.MapDashboardApi(_supervisor, new DashboardLinks("http://127.0.0.1:5000", "http://127.0.0.1:8080", null, null));
        await _app.StartAsync();
        _supervisor.Start();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitFor(_supervisor, "web", s => s.Health == "Healthy");
        await WaitFor(_supervisor, "worker", s => s.State == "Running");
    }

    public async Task DisposeAsync()
    {
        await _supervisor.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
        _probe.Dispose();
    }

    [Fact]
    public async Task Resources_IsAJsonArray_WithTheContractFields()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/api/resources"));

        Assert.Equal(JsonValueKind.Array, doc.RootElement.ValueKind);
        var byName = doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal(["web", "worker"], byName.Keys.Order());
        var web = byName["web"];
        Assert.Equal("executable", web.GetProperty("type").GetString());
        Assert.Equal("Running", web.GetProperty("state").GetString());
        Assert.Equal("Healthy", web.GetProperty("health").GetString());
        Assert.True(web.GetProperty("pid").GetInt32() > 0);
        Assert.Equal(0, web.GetProperty("restarts").GetInt32());
        Assert.StartsWith("http://127.0.0.1:", web.GetProperty("endpoints")[0].GetString(), StringComparison.Ordinal);
        Assert.True(web.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.True(web.GetProperty("startedAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        // A resource without a health probe counts as healthy while it runs.
        Assert.Equal("Healthy", byName["worker"].GetProperty("health").GetString());
    }

    [Fact]
    public async Task Logs_ReturnTheResourcesConsoleOutput()
    {
        var lines = await _http.GetStringAsync("/api/resources/worker/logs?tail=50");

        Assert.Contains("hello from worker", lines, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogStream_IsServerSentEvents_StartingWithRecentLines()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/resources/worker/logs/stream?tail=50");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        var seen = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null)
        {
            seen.Add(line);
            if (line.Contains("hello from worker", StringComparison.Ordinal))
            {
                break;
            }
        }
        Assert.Contains("event: log", seen);
        Assert.StartsWith("data: {", seen[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAndStart_ThroughTheApi_ChangeTheState()
    {
        var pid = _supervisor.Find("worker")!.Snapshot().Pid!.Value;

        using var stop = await _http.PostAsync("/api/resources/worker/stop", null);
        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        await WaitFor(_supervisor, "worker", s => s.State == "Stopped");
        Assert.True(await GoneWithin([pid], TimeSpan.FromSeconds(2)));

        using var start = await _http.PostAsync("/api/resources/worker/start", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await WaitFor(_supervisor, "worker", s => s.State == "Running");
    }

    [Fact]
    public async Task UnknownResource_Is404()
    {
        using var response = await _http.PostAsync("/api/resources/nope/restart", null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var logs = await _http.GetAsync("/api/resources/nope/logs");
        Assert.Equal(HttpStatusCode.NotFound, logs.StatusCode);
    }

    [Fact]
    public async Task Page_IsServed()
    {
        var html = await _http.GetStringAsync("/");
        Assert.Contains("Scalpaiboard AppHost", html, StringComparison.Ordinal);
        Assert.Contains("/api/resources", html, StringComparison.Ordinal);
    }
}
