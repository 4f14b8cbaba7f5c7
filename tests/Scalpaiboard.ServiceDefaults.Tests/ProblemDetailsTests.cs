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
        app.MapPost("/orders", (Order order) => Results.Ok(order));
    });

    public sealed record Line(string Symbol, double Price);

    public sealed record Order(string Name, int Count, Line[] Lines);

    [Theory]
    [InlineData("{\"name\": \"a", "name")]
    [InlineData("not json", "body")]
    [InlineData("[1, 2]", "body")]
    [InlineData("{\"name\": \"a\", \"count\": \"ten\"}", "count")]
    [InlineData("{\"name\": \"a\", \"count\": 99999999999999999999}", "count")]
    [InlineData("{\"lines\": [{\"symbol\": \"X\", \"price\": NaN}]}", "lines[0].price")]
    [InlineData("{\"lines\": [{\"symbol\": 5}]}", "lines[0].symbol")]
    public async Task Malformed_json_is_a_400_problem_naming_the_field_in_production(string body, string field)
    {
        await using var app = await StartAsync();
        using var client = app.CreateClient();
        using var response = await client.PostAsync("/orders", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    [Fact]
    public async Task Invalid_utf8_in_a_json_string_is_a_400_problem()
    {
        await using var app = await StartAsync();
        using var client = app.CreateClient();
        var bytes = "{\"name\": \""u8.ToArray().Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat("\"}"u8.ToArray()).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/orders", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

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
