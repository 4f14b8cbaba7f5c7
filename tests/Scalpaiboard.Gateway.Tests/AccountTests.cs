using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Scalpaiboard.Gateway.Tests.Support;

namespace Scalpaiboard.Gateway.Tests;

public sealed class AccountFixture : IAsyncLifetime
{
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await GatewayFactory.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>Accounts on one Gateway (every test uses its own e-mail addresses).</summary>
public sealed class AccountTests(AccountFixture fixture) : IClassFixture<AccountFixture>, IDisposable
{
    private const string Password = "Good-pass-123";
    private readonly GatewayFactory _gateway = fixture.Gateway;
    private readonly HttpClient _http = fixture.Gateway.CreateHttpClient();

    public void Dispose() => _http.Dispose();

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Register_login_me_and_refresh_work_with_bearer_tokens()
    {
        var email = NewEmail();
        var register = await _http.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        var account = await register.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, account.GetProperty("email").GetString());

        var login = await _http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", tokens.GetProperty("tokenType").GetString());
        Assert.True(tokens.GetProperty("expiresIn").GetInt64() > 0);
        var access = tokens.GetProperty("accessToken").GetString()!;
        var refresh = tokens.GetProperty("refreshToken").GetString()!;

        var me = await GetMeAsync(access);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var meBody = await me.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, meBody.GetProperty("email").GetString());
        Assert.Equal(account.GetProperty("id").GetString(), meBody.GetProperty("id").GetString());

        var refreshed = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = refresh });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var newTokens = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, (await GetMeAsync(newTokens.GetProperty("accessToken").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token_and_the_access_tokens_of_every_session()
    {
        var email = NewEmail();
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/auth/register", new { email, password = Password })).StatusCode);
        var phone = await (await _http.PostAsJsonAsync("/api/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<JsonElement>();
        var laptop = await (await _http.PostAsJsonAsync("/api/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, (await GetMeAsync(laptop.GetProperty("accessToken").GetString()!)).StatusCode);

        var logout = await _http.PostAsJsonAsync("/api/auth/logout", new { refreshToken = phone.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        foreach (var session in new[] { phone, laptop })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeAsync(session.GetProperty("accessToken").GetString()!)).StatusCode);
            var refreshed = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = session.GetProperty("refreshToken").GetString() });
            Assert.Equal(HttpStatusCode.Unauthorized, refreshed.StatusCode);
        }
        var again = await _http.PostAsJsonAsync("/api/auth/logout", new { refreshToken = phone.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        var missing = await _http.PostAsJsonAsync("/api/auth/logout", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        // Logging in again opens a new session.
        var fresh = await (await _http.PostAsJsonAsync("/api/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, (await GetMeAsync(fresh.GetProperty("accessToken").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Me_without_or_with_a_bad_token_is_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeAsync("not-a-token")).StatusCode);
    }

    [Fact]
    public async Task Refresh_with_a_garbage_token_is_401_problem()
    {
        var response = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "garbage" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Wrong_password_is_401_problem_details()
    {
        var email = NewEmail();
        await RegisterAsync(email);
        var response = await _http.PostAsJsonAsync("/api/auth/login", new { email, password = "Wrong-pass-123" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("password", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Five_failed_logins_lock_the_account_even_for_the_right_password()
    {
        var email = NewEmail();
        await RegisterAsync(email);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _http.PostAsJsonAsync("/api/auth/login", new { email, password = "Wrong-pass-123" })).StatusCode);
        }
        // Still usable after four failures.
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsJsonAsync("/api/auth/login", new { email, password = Password })).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            await _http.PostAsJsonAsync("/api/auth/login", new { email, password = "Wrong-pass-123" });
        }
        var locked = await _http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        var problem = await locked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("locked", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("short1A", "password")]
    [InlineData("nodigits-Abc", "password")]
    [InlineData("alllower123", "password")]
    [InlineData("", "password")]
    public async Task Register_with_a_weak_password_is_400_naming_the_field(string password, string field)
    {
        var response = await _http.PostAsJsonAsync("/api/auth/register", new { email = NewEmail(), password });
        await AssertValidationProblemAsync(response, field);
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("")]
    public async Task Register_with_a_bad_email_is_400_naming_the_field(string email)
    {
        var response = await _http.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        await AssertValidationProblemAsync(response, "email");
    }

    [Fact]
    public async Task Registering_an_email_twice_is_400_naming_the_email()
    {
        var email = NewEmail();
        await RegisterAsync(email);
        var response = await _http.PostAsJsonAsync("/api/auth/register", new { email = email.ToUpperInvariant(), password = Password });
        await AssertValidationProblemAsync(response, "email");
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_one_account()
    {
        var email = NewEmail();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            _http.PostAsJsonAsync("/api/auth/register", new { email, password = Password })));
        Assert.Equal(1, attempts.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(attempts.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
    }

    [Fact]
    public async Task A_token_from_one_gateway_works_on_another_and_after_a_restart()
    {
        var email = NewEmail();
        await RegisterAsync(email);
        var login = await (await _http.PostAsJsonAsync("/api/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<JsonElement>();
        var access = login.GetProperty("accessToken").GetString()!;

        await using var second = await GatewayFactory.StartAsync(connectionString: _gateway.ConnectionString);
        using var secondHttp = second.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        Assert.Equal(HttpStatusCode.OK, (await secondHttp.SendAsync(request)).StatusCode);
        var refreshed = await secondHttp.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task Gateways_starting_together_on_an_empty_database_share_one_key()
    {
        var database = await Scalpaiboard.Testing.PostgresServer.Shared.CreateDatabaseAsync("gwpair");
        var starts = await Task.WhenAll(
            Task.Run(() => GatewayFactory.StartAsync(connectionString: database)),
            Task.Run(() => GatewayFactory.StartAsync(connectionString: database)));
        await using var a = starts[0];
        await using var b = starts[1];
        using var httpA = a.CreateHttpClient();
        using var httpB = b.CreateHttpClient();
        var email = NewEmail();
        Assert.Equal(HttpStatusCode.Created, (await httpA.PostAsJsonAsync("/api/auth/register", new { email, password = Password })).StatusCode);
        var tokens = await (await httpB.PostAsJsonAsync("/api/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<JsonElement>();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await httpA.SendAsync(request)).StatusCode);
    }

    private async Task RegisterAsync(string email) =>
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/auth/register", new { email, password = Password })).StatusCode);

    private async Task<HttpResponseMessage> GetMeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    private static async Task AssertValidationProblemAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.True(messages.GetArrayLength() > 0);
    }
}
