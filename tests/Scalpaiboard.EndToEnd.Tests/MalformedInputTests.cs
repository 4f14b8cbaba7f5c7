using System.Net.Http.Headers;
using System.Text;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>Every write endpoint answers malformed input with a 4xx, never a 5xx, through the Gateway.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(36)]
public sealed class MalformedInputTests(SystemFixture system)
{
    private static readonly (string Method, string Path)[] WriteEndpoints =
    [
        ("POST", "/api/auth/register"), ("POST", "/api/auth/login"), ("POST", "/api/auth/refresh"), ("POST", "/api/auth/logout"),
        ("POST", "/api/alerts"), ("PUT", "/api/alerts/1"), ("PUT", "/api/settings"), ("POST", "/api/settings/webhooks/test"),
        ("POST", "/api/watchlist"), ("POST", "/api/backtests"), ("POST", "/api/ai/chat"), ("POST", "/api/ai/providers"), ("PUT", "/api/ai/providers/00000000-0000-0000-0000-000000000001"),
        ("POST", "/api/ai/providers/00000000-0000-0000-0000-000000000001/test"),
    ];

    /// <summary>
    /// Bodies wrong for every endpoint (must be 4xx), and bodies that may be fine where the endpoint ignores the fields
    /// they spoil (an unknown property) but must never be a 5xx.
    /// </summary>
    private static IEnumerable<(string Name, byte[] Body, string ContentType, bool Always4xx)> Bodies() =>
        AllBodies().Select(b => (b.Name, b.Body, b.ContentType, b.Name is not ("invalid UTF-8" or "a huge number" or "a 1 MB string")));

    private static IEnumerable<(string Name, byte[] Body, string ContentType)> AllBodies()
    {
        yield return ("truncated JSON", "{\"symbol\": \"BTC"u8.ToArray(), "application/json");
        yield return ("not JSON", "symbol=BTCUSDT"u8.ToArray(), "application/json");
        yield return ("an array", "[1, 2, 3]"u8.ToArray(), "application/json");
        yield return ("a number", "42"u8.ToArray(), "application/json");
        yield return ("null", "null"u8.ToArray(), "application/json");
        yield return ("empty", [], "application/json");
        yield return ("wrong types", """{"symbol": 5, "conditions": "x", "webhooks": {"a": 1}, "email": [], "password": {}, "message": 7, "refreshToken": 1, "apiKey": true, "recurring": "yes", "cooldownMinutes": "ten"}"""u8.ToArray(), "application/json");
        yield return ("NaN and Infinity", """{"symbol": "BTCUSDT", "conditions": [{"type": "price_above", "value": NaN}], "monthlyBudget": Infinity}"""u8.ToArray(), "application/json");
        yield return ("a huge number", """{"symbol": "BTCUSDT", "conditions": [{"type": "price_above", "value": 1e400}], "cooldownMinutes": 99999999999999999999}"""u8.ToArray(), "application/json");
        yield return ("invalid UTF-8", [(byte)'{', (byte)'"', (byte)'s', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}'], "application/json");
        yield return ("a 1 MB string", Encoding.UTF8.GetBytes("{\"symbol\": \"" + new string('A', 1 << 20) + "\", \"message\": \"" + new string('B', 1 << 20) + "\"}"), "application/json");
        yield return ("deep nesting", Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), "application/json");
        yield return ("form content", "symbol=BTCUSDT"u8.ToArray(), "application/x-www-form-urlencoded");
    }

    [Fact]
    public async Task No_write_endpoint_answers_malformed_input_with_a_5xx()
    {
        var token = await Api.RegisterAndLoginAsync(system.Gateway, "malformed");
        var failures = new List<string>();
        var answered = 0;
        foreach (var (method, path) in WriteEndpoints)
        {
            foreach (var (name, body, contentType, always4xx) in Bodies())
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await system.Gateway.SendAsync(request);
                var status = (int)response.StatusCode;
                answered++;
                if (status >= 500 || (always4xx && status < 400))
                {
                    var text = await response.Content.ReadAsStringAsync();
                    failures.Add($"{method} {path} with {name} -> {status} {text[..Math.Min(200, text.Length)]}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {answered} malformed requests were not answered 4xx:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("POST", "/api/alerts")]
    [InlineData("PUT", "/api/settings")]
    [InlineData("POST", "/api/watchlist")]
    public async Task A_body_over_the_endpoints_limit_is_413(string method, string path)
    {
        var token = await Api.RegisterAndLoginAsync(system.Gateway, "bulky");
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("{\"note\": \"" + new string('x', 70 * 1024) + "\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await system.Gateway.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
