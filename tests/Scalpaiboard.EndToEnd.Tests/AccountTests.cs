using System.Text.Json.Nodes;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>Accounts through the Gateway, and that a user's data is theirs alone.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(30)]
public sealed class AccountTests(SystemFixture system)
{
    [Fact]
    public async Task Anonymous_alerts_request_is_401()
    {
        var (status, _, raw) = await Api.SendAsync(system.Gateway, HttpMethod.Get, "/api/alerts");
        Assert.True(status == 401, $"anonymous GET /api/alerts -> {status} {raw}");
    }

    [Fact]
    public async Task A_wrong_password_does_not_log_in()
    {
        var email = Api.NewEmail("pw");
        var (registered, _, raw) = await Api.SendAsync(system.Gateway, HttpMethod.Post, "/api/auth/register", body: new { email, password = Api.Password });
        Assert.True(registered is 200 or 201 or 204, $"register -> {registered} {raw}");
        var (status, _, body) = await Api.SendAsync(system.Gateway, HttpMethod.Post, "/api/auth/login", body: new { email, password = "Not-the-password-1!" });
        Assert.True(status is 400 or 401, $"login with a wrong password -> {status} {body}");
    }

    [Fact]
    public async Task Another_users_alert_answers_404_and_is_not_listed()
    {
        var a = await Api.RegisterAndLoginAsync(system.Gateway, "a");
        var b = await Api.RegisterAndLoginAsync(system.Gateway, "b");
        var symbol = system.Sample.Symbols[0];
        var (created, alert, raw) = await Api.SendAsync(system.Gateway, HttpMethod.Post, "/api/alerts", a, new
        {
            symbol,
            conditions = new[] { new { type = "price_above", value = 1e12 } },
            recurring = false,
            cooldownMinutes = 5,
            note = "e2e isolation",
        });
        Assert.True(created == 201, $"POST /api/alerts -> {created} {raw}");
        var id = alert!["id"]!.ToString();
        Assert.True((bool)alert["enabled"]!);

        var (own, _, ownRaw) = await Api.SendAsync(system.Gateway, HttpMethod.Get, $"/api/alerts/{id}", a);
        Assert.True(own == 200, $"owner GET /api/alerts/{id} -> {own} {ownRaw}");
        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/api/alerts/{id}"), (HttpMethod.Get, $"/api/alerts/{id}/history"), (HttpMethod.Delete, $"/api/alerts/{id}") })
        {
            var (status, _, body) = await Api.SendAsync(system.Gateway, method, path, b);
            Assert.True(status == 404, $"user B {method} {path} -> {status} {body} (want 404)");
        }
        var listed = await Api.GetAsync(system.Gateway, "/api/alerts", b);
        Assert.DoesNotContain(id, listed.ToJsonString(), StringComparison.Ordinal);
        // B's delete attempt left it alone.
        var (still, _, _) = await Api.SendAsync(system.Gateway, HttpMethod.Get, $"/api/alerts/{id}", a);
        Assert.Equal(200, still);
    }

    [Theory]
    [InlineData("no_such_condition", 5.0, "conditions[0].type")]
    [InlineData("price_above", -5.0, "conditions[0].value")]
    public async Task Invalid_alert_is_a_400_problem_naming_the_field(string type, double value, string field)
    {
        var token = await Api.RegisterAndLoginAsync(system.Gateway, "v");
        using var request = Api.Request(HttpMethod.Post, "/api/alerts", token,
            new { symbol = system.Sample.Symbols[0], conditions = new[] { new { type, value } } });
        using var response = await system.Gateway.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 400, $"POST /api/alerts {type} {value} -> {(int)response.StatusCode} {raw}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(raw)!["errors"]?.AsObject();
        Assert.True(errors is not null && errors.Any(e => e.Key.Equals(field, StringComparison.OrdinalIgnoreCase)),
            $"problem details should name {field}: {raw}");
    }

    [Fact]
    public async Task Invalid_symbol_is_a_400_problem_naming_the_symbol()
    {
        var token = await Api.RegisterAndLoginAsync(system.Gateway, "s");
        var (status, body, raw) = await Api.SendAsync(system.Gateway, HttpMethod.Post, "/api/alerts", token,
            new { symbol = "", conditions = new[] { new { type = "price_above", value = 1.0 } } });
        Assert.True(status == 400, $"POST /api/alerts with an empty symbol -> {status} {raw}");
        Assert.True(body?["errors"]?.AsObject().Any(e => e.Key.Equals("symbol", StringComparison.OrdinalIgnoreCase)) == true,
            $"problem details should name symbol: {raw}");
    }
}
