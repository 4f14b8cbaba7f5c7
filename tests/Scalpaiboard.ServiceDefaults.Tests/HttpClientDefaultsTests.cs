using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Scalpaiboard.ServiceDefaults.Tests;

public sealed class HttpClientDefaultsTests
{
    /// <summary>A downstream "ingest" service: counts hits per path and fails the first N of each.</summary>
    private sealed class Downstream
    {
        public readonly ConcurrentDictionary<string, int> Hits = new();

        public void Map(WebApplication app)
        {
            app.MapGet("/whoami", () => "ingest");
            app.MapGet("/flaky/{failures:int}", (int failures, HttpContext ctx) => Respond(ctx, failures));
            app.MapPost("/flaky/{failures:int}", (int failures, HttpContext ctx) => Respond(ctx, failures));
            app.MapGet("/bad-request", (HttpContext ctx) =>
            {
                Hits.AddOrUpdate(ctx.Request.Path, 1, (_, n) => n + 1);
                return Results.BadRequest();
            });
        }

        private IResult Respond(HttpContext ctx, int failures)
        {
            var hit = Hits.AddOrUpdate(ctx.Request.Method + " " + ctx.Request.Path, 1, (_, n) => n + 1);
            return hit <= failures ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("ok");
        }
    }

    private static async Task<(TestApp Ingest, TestApp Caller, Downstream State)> StartPairAsync()
    {
        var state = new Downstream();
        var ingest = await TestApp.StartAsync(state.Map);
        var caller = await TestApp.StartAsync(_ => { }, configuration: new Dictionary<string, string?>
        {
            ["services:ingest:http:0"] = ingest.Address.ToString().TrimEnd('/'),
        });
        return (ingest, caller, state);
    }

    [Fact]
    public async Task LogicalAddress_IsResolvedByServiceDiscoveryFromServicesConfiguration()
    {
        var (ingest, caller, _) = await StartPairAsync();
        await using var _1 = ingest;
        await using var _2 = caller;
        var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        Assert.Equal("ingest", await client.GetStringAsync("http://ingest/whoami"));
    }

    [Fact]
    public async Task EnvironmentVariable_ServicesIngestHttp0_IsHonoured()
    {
        var state = new Downstream();
        await using var ingest = await TestApp.StartAsync(state.Map);
        var name = "services__envtest__http__0";
        Environment.SetEnvironmentVariable(name, ingest.Address.ToString().TrimEnd('/'));
        try
        {
            await using var caller = await TestApp.StartAsync(_ => { });
            var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
            Assert.Equal("ingest", await client.GetStringAsync("http://envtest/whoami"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task IdempotentGet_AfterTransient503_IsRetriedAndSucceeds()
    {
        var (ingest, caller, state) = await StartPairAsync();
        await using var _1 = ingest;
        await using var _2 = caller;
        var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var response = await client.GetAsync("http://ingest/flaky/2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, state.Hits["GET /flaky/2"]);
    }

    [Fact]
    public async Task Get_StillFailingAfterRetries_ReturnsTheLastResponseReadable()
    {
        var (ingest, caller, state) = await StartPairAsync();
        await using var _1 = ingest;
        await using var _2 = caller;
        var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var response = await client.GetAsync("http://ingest/flaky/100");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("503", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(4, state.Hits["GET /flaky/100"]); // the first try and 3 retries
    }

    [Fact]
    public async Task Post_AfterTransient503_IsNotRetried()
    {
        var (ingest, caller, state) = await StartPairAsync();
        await using var _1 = ingest;
        await using var _2 = caller;
        var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var response = await client.PostAsync("http://ingest/flaky/1", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, state.Hits["POST /flaky/1"]);
    }

    [Fact]
    public async Task ClientError_IsNotRetried()
    {
        var (ingest, caller, state) = await StartPairAsync();
        await using var _1 = ingest;
        await using var _2 = caller;
        var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var response = await client.GetAsync("http://ingest/bad-request");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, state.Hits["/bad-request"]);
    }
}
