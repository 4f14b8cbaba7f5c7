using System.Net;
using System.Text.Json;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>Bad input gets problem details naming the field; unknown symbols get 404.</summary>
public sealed class ApiValidationTests : IAsyncLifetime
{
    private IngestApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("api");
        _app = new IngestApp(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "simulated",
            ["Ingest:Simulated:SymbolCount"] = "3",
        });
        _client = _app.CreateClient();
        await _app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("/api/coins/BTCUSDT/candles?timeframe=2h", "timeframe", "1m, 5m, 15m, 1h, 4h, 8h, 1d")]
    [InlineData("/api/coins/BTCUSDT/candles?limit=0", "limit", "between 1 and 1500")]
    [InlineData("/api/coins/BTCUSDT/candles?limit=abc", "limit", "between 1 and 1500")]
    [InlineData("/api/coins/BTCUSDT/candles?from=-5", "from", "Unix time")]
    [InlineData("/api/coins/BTCUSDT/candles?from=20&to=10", "from", "after")]
    [InlineData("/api/coins?sortBy=nonsense", "sortBy", "change_1h")]
    [InlineData("/api/coins?sortOrder=sideways", "sortOrder", "asc or desc")]
    [InlineData("/api/coins?pageSize=0", "pageSize", "between")]
    [InlineData("/api/coins?minBogus=1", "minBogus", "unknown field")]
    [InlineData("/api/coins?minChange_1h=abc", "minChange_1h", "not a number")]
    [InlineData("/api/coins/BTCUSDT/orderbook?depth=0", "depth", "between")]
    [InlineData("/api/coins/BTCUSDT/orderbook?bucket=-1", "bucket", "positive")]
    public async Task Bad_input_is_a_validation_problem_naming_the_field(string path, string field, string hint)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var errors = body.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains(errors, e => e!.Contains(hint, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/coins/NOPEUSDT")]
    [InlineData("/api/coins/NOPEUSDT/candles")]
    [InlineData("/api/coins/NOPEUSDT/orderbook")]
    [InlineData("/api/metrics/NOPEUSDT")]
    public async Task Unknown_symbol_is_404_problem(string path)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Coins_sort_filter_and_page()
    {
        var all = await _app.GetJsonAsync("/api/coins?sortBy=price&sortOrder=asc&pageSize=2&page=1");
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        var page1 = all.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("price").GetDouble()).ToArray();
        Assert.Equal(2, page1.Length);
        Assert.True(page1[0] <= page1[1]);
        var page2 = (await _app.GetJsonAsync("/api/coins?sortBy=price&sortOrder=asc&pageSize=2&page=2")).GetProperty("data");
        Assert.True(page2[0].GetProperty("price").GetDouble() >= page1[1]);

        var btc = await _app.GetJsonAsync("/api/coins/btcusdt");
        var price = btc.GetProperty("price").GetDouble();
        Assert.True(btc.EnumerateObject().Count() >= 30, "a coin has at least 30 fields");
        var filtered = await _app.GetJsonAsync(FormattableString.Invariant($"/api/coins?minPrice={price * 0.5}&search=usdt"));
        Assert.All(filtered.GetProperty("data").EnumerateArray(), c => Assert.True(c.GetProperty("price").GetDouble() >= price * 0.5));
        Assert.Contains(filtered.GetProperty("data").EnumerateArray(), c => c.GetProperty("symbol").GetString() == "BTCUSDT");

        var symbols = await _app.GetJsonAsync("/api/symbols");
        Assert.Equal(3, symbols.GetArrayLength());
        var openapi = await _app.GetJsonAsync("/openapi/v1.json");
        Assert.True(openapi.GetProperty("paths").TryGetProperty("/api/coins/{symbol}/candles", out _));
    }

    [Fact]
    public async Task Candles_include_the_forming_bar_and_are_utc_aligned()
    {
        var body = await _app.GetJsonAsync("/api/coins/BTCUSDT/candles?timeframe=1h&limit=30");
        var candles = body.GetProperty("candles").EnumerateArray().ToArray();
        Assert.Equal(30, candles.Length); // three days of history: the limit decides
        Assert.All(candles, c => Assert.Equal(0, c.GetProperty("openTime").GetInt64() % 3_600_000));
        var last = candles[^1].GetProperty("openTime").GetInt64();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(now - now % 3_600_000, last);
    }
}
