using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Scalpaiboard.Gateway.Services.Forwarding;
using Scalpaiboard.Gateway.Tests.Support;

namespace Scalpaiboard.Gateway.Tests;

/// <summary>
/// The route table against three stand-ins, one per service, each answering every path with its own name: every
/// prefix reaches its owner, and what the table does not name (the Alerts service's Hangfire dashboard) is never
/// forwarded.
/// </summary>
public sealed class RouteTableTests : IAsyncLifetime
{
    private readonly Dictionary<string, Downstream> _services = [];
    private readonly ConcurrentQueue<string> _seen = new();
    private GatewayFactory _gateway = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var service in ServiceRoutes.Services)
        {
            _services[service] = await Downstream.StartAsync(app => app.Map("/{**path}", (HttpContext c) =>
            {
                _seen.Enqueue($"{service} {c.Request.Path}");
                return Results.Json(new { service, path = c.Request.Path.Value });
            }));
            settings[$"services:{service}:http:0"] = _services[service].Address.ToString();
        }
        _gateway = await GatewayFactory.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var service in _services.Values)
        {
            await service.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_prefix_reaches_the_service_that_owns_it()
    {
        using var http = _gateway.CreateHttpClient();
        var expected = new Dictionary<string, string>
        {
            ["/api/symbols"] = "ingest", ["/api/coins/BTCUSDT/candles"] = "ingest", ["/api/metrics/BTCUSDT"] = "ingest", ["/api/feed/status"] = "ingest",
            ["/api/presets"] = "alerts", ["/api/signals"] = "alerts", ["/api/alerts/7/history"] = "alerts", ["/api/settings"] = "alerts",
            ["/api/watchlist"] = "alerts", ["/api/portfolio"] = "alerts", ["/api/notifications"] = "alerts",
            ["/api/backtests"] = "alerts",
            ["/api/ai/conversations"] = "ai",
        };
        // Every /api row of the table is exercised (the /mcp row has tests of its own).
        Assert.All(ServiceRoutes.Table.Where(r => !r.RequiresUser),
            r => Assert.Contains(expected.Keys, path => path == r.Prefix || path.StartsWith(r.Prefix + "/", StringComparison.Ordinal)));
        foreach (var (path, service) in expected)
        {
            var answer = await http.GetFromJsonAsync<JsonElement>(path);
            Assert.Equal(service, answer.GetProperty("service").GetString());
            Assert.Equal(path, answer.GetProperty("path").GetString());
        }
    }

    [Theory]
    [InlineData("/hangfire")]
    [InlineData("/hangfire/recurring")]
    [InlineData("/hangfire/stats")]
    [InlineData("/api/hangfire")]
    [InlineData("/api/alertsx")]
    public async Task The_hangfire_dashboard_and_other_unlisted_paths_are_refused_and_never_forwarded(string path)
    {
        using var http = _gateway.CreateHttpClient();
        var get = await http.GetAsync(path);
        var post = await http.PostAsync(path, new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.DoesNotContain(_seen, s => s.EndsWith(" " + path, StringComparison.Ordinal));
    }
}
