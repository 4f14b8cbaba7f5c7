using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Scalpaiboard.ServiceDefaults.Tests;

public sealed class ProblemDetailsTests
{
    private static Task<TestApp> StartAsync() => TestApp.StartAsync(app =>
    {
        app.MapGet("/boom", string () => throw new InvalidOperationException("secret internal detail"));
        app.MapGet("/teapot", () => Results.StatusCode(StatusCodes.Status418ImATeapot));
    });

    [Fact]
    public async Task UnhandledException_Returns500ProblemDetails_WithoutInternals()
    {
        await using var app = await StartAsync();
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/boom");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(500, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        Assert.DoesNotContain("secret internal detail", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BareErrorStatus_GetsAProblemDetailsBody()
    {
        await using var app = await StartAsync();
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
    }
}
