using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Scalpaiboard.Testing;
using Scalpaiboard.Web.Tests.Fakes;

namespace Scalpaiboard.Web.Tests;

public sealed class GatewayFixture : IAsyncLifetime
{
    public FakeGateway Gateway { get; private set; } = null!;
    public WebApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gateway = await FakeGateway.StartAsync();
        App = new WebApp(Gateway.Url);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

/// <summary>Server-rendered pages against the fake Gateway (WebApplicationFactory, real HTTP to the fake).</summary>
public sealed partial class PageTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly WebApp _app = fixture.App;
    private readonly FakeGateway _gateway = fixture.Gateway;

    [Theory]
    [InlineData("/", "Market overview", "id=\"chart-grid\"")]
    [InlineData("/screener", "Screener", "id=\"screener\"")]
    [InlineData("/coins/BTCUSDT", "BTCUSDT", "<canvas")]
    [InlineData("/signals", "Preset signals", "id=\"signals-table\"")]
    [InlineData("/login", "Log in", "name=\"Form.Email\"")]
    [InlineData("/register", "Create an account", "name=\"Form.ConfirmPassword\"")]
    public async Task Route_renders_with_its_key_elements(string path, string heading, string element)
    {
        using var client = _app.Browser();
        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(heading, html);
        Assert.Contains(element, html);
        Assert.Contains("id=\"conn\"", html);
        Assert.Contains("<meta name=\"gateway-url\" content=\"" + _gateway.Url.TrimEnd('/') + "\"", html);
        Assert.DoesNotContain("unavailable: gateway not reachable", html);
        Assert.True(html.Length > 500);
    }

    [Fact]
    public async Task Screener_lists_every_symbol_with_at_least_30_columns()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener");
        foreach (var coin in _gateway.Market.Coins)
        {
            Assert.Contains($"<tr data-symbol=\"{coin["symbol"]}\"", html);
        }
        var columns = ColumnRegex().Matches(html.Split("id=\"screener-columns\"")[1]).Count;
        Assert.True(columns >= 30, $"only {columns} columns");
    }

    [Fact]
    public async Task Screener_sorts_server_side_from_the_query_string()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener?sort=rsi14_1h&dir=asc");
        var order = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var expected = _gateway.Market.Coins.OrderBy(c => FakeMarket.Num(c, "rsi14_1h")).Select(c => (string)c["symbol"]!).ToList();
        Assert.Equal(expected, order);
        Assert.Contains("data-sort=\"rsi14_1h\" data-dir=\"asc\"", html);
    }

    [Fact]
    public async Task Screener_filter_goes_to_the_gateway_as_min_max_parameters()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/screener?min_change_1h=2&max_rsi14_1h=60");
        var shown = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToHashSet();
        var expected = _gateway.Market.Coins.Where(c => FakeMarket.Num(c, "change_1h") >= 2 && FakeMarket.Num(c, "rsi14_1h") <= 60).Select(c => (string)c["symbol"]!).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, shown);
        Assert.Contains(_gateway.Requests, r => r.Path.Contains("minChange_1h=2", StringComparison.Ordinal) && r.Path.Contains("maxRsi14_1h=60", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Coin_page_has_chart_heatmap_canvas_and_metrics()
    {
        using var client = _app.Browser();
        var html = await client.GetStringAsync("/coins/ethusdt");
        Assert.Contains("id=\"heatmap\"", html);
        Assert.Contains("data-symbol=\"ETHUSDT\"", html);
        Assert.Contains("id=\"indicator-table\"", html);
        Assert.Contains("RSI 14", html);
        Assert.Matches("<canvas[^>]*id=\"heatmap\"", html);
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_that_allows_exactly_the_inline_import_map()
    {
        using var client = _app.Browser();
        var response = await client.GetAsync("/screener");
        var html = await response.Content.ReadAsStringAsync();
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var importMap = ImportMapPattern().Match(html);
        Assert.True(importMap.Success, html);
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(importMap.Groups[1].Value)));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d.Split(' ')[1..]);
        Assert.Equal(["'self'", $"'sha256-{hash}'"], directives["script-src"]);
        var gateway = new Uri(_gateway.Url);
        Assert.Contains($"http://{gateway.Authority}", directives["connect-src"]);
        Assert.Contains($"ws://{gateway.Authority}", directives["connect-src"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.Equal(["'none'"], directives["object-src"]);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [GeneratedRegex("<script type=\"importmap\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ImportMapPattern();

    [Fact]
    public async Task Unknown_coin_shows_the_gateways_message()
    {
        using var client = _app.Browser();
        var response = await client.GetAsync("/coins/NOPEUSDT");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body.Contains("Unknown symbol", StringComparison.Ordinal), body);
        Assert.Contains("<h1>NOPEUSDT</h1>", body);
    }

    [Theory]
    [InlineData("/watchlist")]
    [InlineData("/settings")]
    [InlineData("/chat")]
    [InlineData("/backtests?rule=futures_top_hunter")]
    public async Task Per_user_pages_redirect_anonymous_users_to_login(string path)
    {
        using var client = _app.Browser();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login?returnUrl=", response.Headers.Location!.OriginalString.Replace(client.BaseAddress!.ToString(), "/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_sets_an_httponly_samestrict_cookie_and_hands_out_the_access_token()
    {
        using var client = _app.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/session/token")).StatusCode);
        var response = await Forms.LoginAsync(client);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("scalpaiboard.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var token = await client.GetStringAsync("/session/token");
        Assert.Matches("\"accessToken\":\"acc-[0-9a-f]{32}\"", token);
        var home = await client.GetStringAsync("/");
        Assert.Contains(FakeGateway.Email, home);
        Assert.Contains("data-authenticated=\"true\"", home);
    }

    [Fact]
    public async Task Wrong_password_shows_the_gateway_message()
    {
        using var client = _app.Browser();
        var response = await Forms.LoginAsync(client, password: "wrong");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong e-mail or password.", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var c) ? c : [], v => v.StartsWith("scalpaiboard.auth=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_maps_the_gateway_password_rule_onto_the_field()
    {
        using var client = _app.Browser();
        var response = await Forms.SubmitAsync(client, "/register", "register", new Dictionary<string, string>
        {
            ["Form.Email"] = "new@example.com", ["Form.Password"] = "abcdefgh", ["Form.ConfirmPassword"] = "abcdefgh",
        });
        var html = await response.Content.ReadAsStringAsync();
        Assert.Matches("validation-message\">Passwords must be at least 8 characters", html);
    }

    [Fact]
    public async Task Alert_form_shows_validation_messages_for_bad_values()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var fields = new Dictionary<string, string>
        {
            ["Form.Symbol"] = "BTCUSDT", ["Form.ConditionType"] = "price_above", ["Form.Value"] = "-5", ["Form.Window"] = "1h", ["Form.CooldownMinutes"] = "5",
        };
        var local = await (await Forms.SubmitAsync(client, "/signals", "create-alert", fields)).Content.ReadAsStringAsync();
        Assert.Contains("The value must be greater than 0.", local);

        // A rule only the Gateway knows: its problem details come back onto the Value field.
        fields["Form.ConditionType"] = "change_above";
        fields["Form.Value"] = "5000";
        var remote = await (await Forms.SubmitAsync(client, "/signals", "create-alert", fields)).Content.ReadAsStringAsync();
        Assert.Matches("validation-message\">must be between -100 and 1000 percent", remote);

        fields["Form.Symbol"] = "NOPEUSDT";
        fields["Form.Value"] = "2";
        var symbol = await (await Forms.SubmitAsync(client, "/signals", "create-alert", fields)).Content.ReadAsStringAsync();
        Assert.Contains("Unknown symbol &#x27;NOPEUSDT&#x27;.", symbol);
    }

    [Fact]
    public async Task Alert_form_offers_the_derivatives_conditions_with_their_windows_and_side()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var page = await client.GetStringAsync("/signals");
        Assert.Contains("<option value=\"funding_above\" data-windows=\"\" data-side=\"false\"", page);
        Assert.Contains("<option value=\"oi_change_below\" data-windows=\"1h 4h 1d\" data-side=\"false\"", page);
        Assert.Contains("<option value=\"liquidations_above\" data-windows=\"5m 1h\" data-side=\"true\"", page);
        // the trend conditions (no value, a timeframe and a direction)
        Assert.Contains("<option value=\"supertrend_flip\" data-windows=\"5m 15m 1h 4h 8h 1d\" data-side=\"false\"", page);
        Assert.Contains("<option value=\"donchian_breakout\" data-windows=\"5m 15m 1h 4h 8h 1d\" data-side=\"false\"", page);
        Assert.Matches("<select name=\"Form.Side\"[^>]*>\\s*<option value=\"\">any</option>\\s*<option value=\"long\">long</option>\\s*<option value=\"short\">short</option>", page);

        var fields = new Dictionary<string, string>
        {
            ["Form.Symbol"] = "BTCUSDT", ["Form.ConditionType"] = "oi_change_above", ["Form.Value"] = "10", ["Form.Window"] = "15m", ["Form.CooldownMinutes"] = "5",
        };
        var window = await (await Forms.SubmitAsync(client, "/signals", "create-alert", fields)).Content.ReadAsStringAsync();
        Assert.Contains("The window of this condition is one of 1h, 4h, 1d.", window);

        fields["Form.ConditionType"] = "funding_above";
        fields["Form.Value"] = "0.5";
        var funding = await (await Forms.SubmitAsync(client, "/signals", "create-alert", fields)).Content.ReadAsStringAsync();
        Assert.Contains("The funding rate is a fraction between -0.1 and 0.1 (0.0005 = 0.05 %).", funding);

        fields["Form.ConditionType"] = "liquidations_above";
        fields["Form.Value"] = "1000000";
        fields["Form.Window"] = "4h";
        fields["Form.Side"] = "long";
        var liquidations = await (await Forms.SubmitAsync(client, "/signals", "create-alert", fields)).Content.ReadAsStringAsync();
        Assert.Contains("The window of this condition is one of 5m, 1h.", liquidations);

        fields["Form.Window"] = "5m";
        var created = await Forms.SubmitAsync(client, "/signals", "create-alert", fields);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var html = WebUtility.HtmlDecode(await client.GetStringAsync(created.Headers.Location!.OriginalString));
        Assert.Contains("liquidations above 1000000 · 5m · long", html);

        // funding takes no window: none is sent, whatever the window field held
        fields["Form.ConditionType"] = "funding_below";
        fields["Form.Value"] = "-0.0003";
        var fundingCreated = await Forms.SubmitAsync(client, "/signals", "create-alert", fields);
        Assert.Equal(HttpStatusCode.Redirect, fundingCreated.StatusCode);
        Assert.Contains("funding below -0.0003</td>", await client.GetStringAsync(fundingCreated.Headers.Location!.OriginalString));
    }

    [Fact]
    public async Task Signals_page_offers_a_backtest_of_each_preset()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var html = await client.GetStringAsync("/signals");
        var links = BacktestLinkRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(Model.BacktestForm.Rules, links);

        // Followed without a session, the link goes through the login and back to that preset.
        using var anonymous = _app.Browser();
        var rule = links[^1];
        var redirect = await anonymous.GetAsync($"/backtests?rule={rule}");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.EndsWith("/login?returnUrl=" + Uri.EscapeDataString($"/backtests?rule={rule}"), redirect.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Created_alert_redirects_and_appears_in_the_list_with_its_bearer_token_sent()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var response = await Forms.SubmitAsync(client, "/signals", "create-alert", new Dictionary<string, string>
        {
            ["Form.Symbol"] = "solusdt", ["Form.ConditionType"] = "price_above", ["Form.Value"] = "175.5", ["Form.Window"] = "1h", ["Form.CooldownMinutes"] = "5", ["Form.Note"] = "breakout",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var html = await client.GetStringAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("Alert created.", html);
        Assert.Matches("<tr data-alert-id=\"\\d+\">\\s*<td><a class=\"sym\" href=\"/coins/SOLUSDT\">SOLUSDT</a>", html);
        Assert.Contains("price above 175.5", html);
        Assert.Contains(_gateway.Requests, r => r.Method == "POST" && r.Path == "/api/alerts" && r.Authorization?.StartsWith("Bearer acc-", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Anonymous_gateway_calls_carry_the_browsers_address()
    {
        using var client = _app.Browser();
        await client.GetStringAsync("/screener?search=XRP");
        var call = _gateway.Requests.Last(r => r.Path.StartsWith("/api/coins?search=XRP", StringComparison.Ordinal));
        Assert.Null(call.Authorization);
        Assert.Equal(ClientAddressFilter.Address, Scalpaiboard.ServiceDefaults.ClientAddressSignature.Verify(WebApp.SigningKey, call.ClientAddress, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Watchlist_add_and_remove_through_the_forms()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var added = await (await Forms.SubmitAsync(client, "/watchlist", "watch-add", new Dictionary<string, string> { ["AddSymbol"] = "avaxusdt" })).Content.ReadAsStringAsync();
        Assert.Contains("AVAXUSDT added.", added);
        Assert.Contains("<tr data-symbol=\"AVAXUSDT\">", added);
        var bad = await (await Forms.SubmitAsync(client, "/watchlist", "watch-add", new Dictionary<string, string> { ["AddSymbol"] = "zzz" })).Content.ReadAsStringAsync();
        Assert.Contains("Unknown symbol", bad);
        var removed = await (await Forms.SubmitAsync(client, "/watchlist", "watch-remove", new Dictionary<string, string> { ["RemoveSymbol"] = "AVAXUSDT" })).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<tr data-symbol=\"AVAXUSDT\">", removed);
    }

    [Fact]
    public async Task Settings_adds_a_webhook_and_sends_a_test()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var html = await (await Forms.SubmitAsync(client, "/settings", "webhook-add", new Dictionary<string, string>
        {
            ["Webhook.Kind"] = "generic", ["Webhook.Url"] = "https://hooks.example/alerts", ["Webhook.Name"] = "desk",
        })).Content.ReadAsStringAsync();
        Assert.Contains("Webhook added.", html);
        var id = Regex.Match(html, "value=\"test:(\\d+)\"").Groups[1].Value;
        var tested = await (await Forms.SubmitAsync(client, "/settings", "webhook-action", new Dictionary<string, string> { ["WebhookAction"] = "test:" + id })).Content.ReadAsStringAsync();
        Assert.Contains("Test delivered (204, 12 ms).", tested);
        Assert.Contains("id=\"usage-chart\"", tested);
    }

    [Fact]
    public async Task Settings_adds_an_email_channel_shown_unconfirmed_and_validates_the_address()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var bad = await (await Forms.SubmitAsync(client, "/settings", "webhook-add", new Dictionary<string, string>
        {
            ["Webhook.Kind"] = "email", ["Webhook.Url"] = "not an address",
        })).Content.ReadAsStringAsync();
        Assert.Contains("Enter an e-mail address", bad);
        var html = await (await Forms.SubmitAsync(client, "/settings", "webhook-add", new Dictionary<string, string>
        {
            ["Webhook.Kind"] = "email", ["Webhook.Url"] = "me@example.com", ["Webhook.Name"] = "inbox",
        })).Content.ReadAsStringAsync();
        Assert.Contains("Open the link in the confirmation mail", html);
        Assert.Contains("me@example.com", html);
        Assert.Contains("unconfirmed", html);
    }

    [Fact]
    public async Task Expiring_access_token_is_refreshed_by_the_web_server()
    {
        _gateway.TokenLifetimeSeconds = 30;
        try
        {
            using var client = _app.Browser();
            await Forms.LoginAsync(client);
            var first = await client.GetStringAsync("/session/token");
            var second = await client.GetStringAsync("/session/token");
            Assert.NotEqual(first, second);
            Assert.Contains(_gateway.Requests, r => r.Path == "/api/auth/refresh");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/watchlist")).StatusCode);
        }
        finally
        {
            _gateway.TokenLifetimeSeconds = 3600;
        }
    }

    [Fact]
    public async Task Screen_filter_becomes_alerts_for_the_symbols_outside_the_screen()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        var before = _gateway.Requests.Count(r => r.Method == "POST" && r.Path == "/api/alerts");
        var response = await Forms.SubmitAsync(client, "/screener?min_change_1h=3&max_rsi14_1h=70&min_atrPercent_1h=0.1", "screen-alert", new Dictionary<string, string>());
        var html = await response.Content.ReadAsStringAsync();
        var inScreen = _gateway.Market.Coins.Count(c => FakeMarket.Num(c, "change_1h") >= 3 && FakeMarket.Num(c, "rsi14_1h") <= 70 && FakeMarket.Num(c, "atrPercent_1h") >= 0.1);
        var outside = _gateway.Market.Coins.Count - inScreen;
        Assert.Contains($"Created {outside} alert(s) for the symbols outside this screen (change_above 1h 3 and rsi_below 1h 70).", html);
        Assert.Contains("Not watched: min atrPercent_1h.", html);
        Assert.Equal(outside, _gateway.Requests.Count(r => r.Method == "POST" && r.Path == "/api/alerts") - before);
    }

    [Fact]
    public async Task Logout_clears_the_session()
    {
        using var client = _app.Browser();
        await Forms.LoginAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/session/token")).StatusCode);
        // Without the antiforgery token (another site's form) nothing happens.
        var forged = await client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/session/token")).StatusCode);
        Assert.DoesNotContain(_gateway.Requests, r => r.Path == "/api/auth/logout");
        var response = await Forms.SubmitAsync(client, "/", "", new Dictionary<string, string>(), action: "/logout");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // The Gateway was asked to revoke the session's tokens.
        Assert.Single(_gateway.Requests, r => r.Method == "POST" && r.Path == "/api/auth/logout");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/session/token")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/watchlist")).StatusCode);
    }

    [GeneratedRegex("\"key\":\"")]
    private static partial Regex ColumnRegex();

    [GeneratedRegex("<tr data-symbol=\"([A-Z0-9]+)\"")]
    private static partial Regex RowRegex();

    [GeneratedRegex("<a class=\"small backtest-preset\" href=\"/backtests\\?rule=([a-z0-9_]+)\"")]
    private static partial Regex BacktestLinkRegex();
}

/// <summary>The Gateway is not running: pages show a message box, not an error page.</summary>
public sealed class GatewayDownTests : IAsyncLifetime
{
    private WebApp _app = null!;

    public Task InitializeAsync()
    {
        _app = new WebApp("http://127.0.0.1:" + ServerProcess.FreePort());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/screener")]
    [InlineData("/coins/BTCUSDT")]
    [InlineData("/signals")]
    public async Task Market_pages_show_the_gateway_down_message(string path)
    {
        using var client = _app.Browser();
        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("unavailable: gateway not reachable", html);
        Assert.Contains("class=\"msgbox error\"", html);
    }

    [Fact]
    public async Task Login_says_the_gateway_is_not_reachable()
    {
        using var client = _app.Browser();
        var html = await (await Forms.LoginAsync(client)).Content.ReadAsStringAsync();
        Assert.Contains("Login unavailable: gateway not reachable.", html);
    }
}

/// <summary>
/// The Gateway runs but the service behind a route does not (a start or a restart): it answers 502 problem details,
/// as YARP does. A page shows that at once, with at most one quick retry per call, not after the standard resilience
/// handler's three retries 2 s apart (a page then took about 14 s).
/// </summary>
public sealed class GatewayAnswers502Tests : IAsyncLifetime
{
    private WebApplication _gateway = null!;
    private WebApp _app = null!;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _calls = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:" + ServerProcess.FreePort());
        _gateway = builder.Build();
        ((IApplicationBuilder)_gateway).Run(async context =>
        {
            _calls.AddOrUpdate(context.Request.Path, 1, (_, n) => n + 1);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsync("""{"title":"Service unavailable","status":502,"detail":"ingest is not answering"}""");
        });
        await _gateway.StartAsync();
        _app = new WebApp(_gateway.Urls.First());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/screener")]
    public async Task A_page_shows_the_502_after_at_most_one_retry_per_call(string path)
    {
        using var client = _app.Browser();
        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("class=\"msgbox error\"", html);
        Assert.NotEmpty(_calls);
        Assert.All(_calls, call => Assert.InRange(call.Value, 1, 2));
    }
}
