using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// <c>GET /api/coins</c> answers exactly what serializing the page of a straightforward filter and sort over the
/// symbols' fields gives (the bytes the endpoint answered before its responses were cached), for the first request
/// and for repeated ones, and a change of the market state is seen by the next request.
/// </summary>
public sealed class CoinsResponseTests(CoinsResponseTests.ReplayedSample sample) : IClassFixture<CoinsResponseTests.ReplayedSample>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>The sample replayed to completion (the state no longer changes by itself), shared by the class.</summary>
    public sealed class ReplayedSample : IAsyncLifetime
    {
        public IngestApp App { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var cs = await PostgresServer.Shared.CreateDatabaseAsync("coinsresponse");
            App = new IngestApp(new Dictionary<string, string?>
            {
                ["ConnectionStrings:postgres"] = cs,
                ["Ingest:Feed"] = "replay",
                ["Ingest:Replay:Path"] = IngestApp.SampleData,
                ["Ingest:Replay:Speed"] = "max",
                ["Ingest:RetentionDays"] = "36500",
            });
            Client = App.CreateClient();
            await App.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(120));
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
        }
    }

    public static TheoryData<string> Queries =>
    [
        "",
        "?sortBy=change_1h&sortOrder=desc&pageSize=50",
        "?sortBy=rsi14_1h&minQuoteVolume_1d=1000000&pageSize=100",
        "?search=US&page=2&pageSize=25",
        "?search=US&page=2&pageSize=5",
        "?pageSize=5&search=US&page=2",
        "?sortBy=symbol",
        "?sortBy=SYMBOL&sortOrder=desc&pageSize=3",
        "?sortBy=price&sortOrder=ASC&page=2&pageSize=4",
        "?sortBy=change_1d",
        "?minPrice=1&maxPrice=100&sortBy=price",
        "?MINPRICE=1&maxprice=100&sortBy=price",
        "?minChange_1h=&search=",
        "?search=%20btc%20",
        "?search=zzz",
        "?page=99&pageSize=10",
        "?pageSize=1000&sortBy=openTime&sortOrder=asc",
        "?maxRsi14_1h=40&minRsi14_1h=-1e300",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Coins_response_is_the_serialized_page_of_the_reference_filter_and_sort(string query)
    {
        var rows = sample.App.Services.GetRequiredService<CoinTable>().Current().Rows;
        var expected = Reference(rows, query);
        for (var i = 0; i < 3; i++)
        {
            using var response = await sample.Client.GetAsync("/api/coins" + query);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(expected, Encoding.UTF8.GetString(body));
        }
    }

    [Fact]
    public async Task A_state_change_is_seen_by_the_next_request()
    {
        var state = sample.App.Services.GetRequiredService<MarketState>();
        var table = sample.App.Services.GetRequiredService<CoinTable>();
        const string query = "?sortBy=symbol&sortOrder=desc&pageSize=2";
        var before = await sample.Client.GetStringAsync("/api/coins" + query);
        Assert.Equal(before, await sample.Client.GetStringAsync("/api/coins" + query));
        Assert.DoesNotContain("ZZZTESTUSDT", before, StringComparison.Ordinal);

        state.GetOrAdd("ZZZTESTUSDT");
        var after = await sample.Client.GetStringAsync("/api/coins" + query);
        Assert.NotEqual(before, after);
        Assert.Equal(Reference(table.Current().Rows, query), after);
        Assert.Equal("ZZZTESTUSDT", JsonDocument.Parse(after).RootElement.GetProperty("data")[0].GetProperty("symbol").GetString());
        Assert.Equal(JsonDocument.Parse(before).RootElement.GetProperty("total").GetInt32() + 1,
            JsonDocument.Parse(after).RootElement.GetProperty("total").GetInt32());
    }

    /// <summary>The endpoint's contract written the plain way: dictionaries, LINQ and the web serializer defaults.</summary>
    private static string Reference(CoinRow[] rows, string query)
    {
        var q = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
        string? Get(string name) => q.TryGetValue(name, out var v) ? v.ToString() : null;
        var page = string.IsNullOrEmpty(Get("page")) ? 1 : int.Parse(Get("page")!, CultureInfo.InvariantCulture);
        var size = string.IsNullOrEmpty(Get("pageSize")) ? 50 : int.Parse(Get("pageSize")!, CultureInfo.InvariantCulture);
        var sortBy = Get("sortBy") ?? "quoteVolume_1d";
        var bySymbol = sortBy.Equals("symbol", StringComparison.OrdinalIgnoreCase);
        var field = bySymbol ? -1 : Array.FindIndex(CoinFields.Names, n => n.Equals(sortBy, StringComparison.OrdinalIgnoreCase));
        var descending = Get("sortOrder") is { } order ? order.Equals("desc", StringComparison.OrdinalIgnoreCase) : !bySymbol;
        var search = Get("search") is { Length: > 0 } s ? s.Trim() : null;

        IEnumerable<CoinRow> selected = rows;
        if (search is not null)
        {
            selected = selected.Where(r => r.Symbol.Contains(search, StringComparison.OrdinalIgnoreCase));
        }
        foreach (var (key, value) in q)
        {
            var isMin = key.StartsWith("min", StringComparison.OrdinalIgnoreCase);
            if ((!isMin && !key.StartsWith("max", StringComparison.OrdinalIgnoreCase)) || string.IsNullOrEmpty(value.ToString()))
            {
                continue;
            }
            var f = Array.FindIndex(CoinFields.Names, n => n.Equals(key[3..], StringComparison.OrdinalIgnoreCase));
            var bound = double.Parse(value.ToString(), CultureInfo.InvariantCulture);
            selected = selected.Where(r => double.IsFinite(r.Values[f]) && (isMin ? r.Values[f] >= bound : r.Values[f] <= bound));
        }
        List<CoinRow> list;
        if (bySymbol)
        {
            list = (descending ? selected.OrderByDescending(r => r.Symbol, StringComparer.Ordinal) : selected.OrderBy(r => r.Symbol, StringComparer.Ordinal)).ToList();
        }
        else
        {
            var available = selected.Where(r => double.IsFinite(r.Values[field]));
            var ordered = descending ? available.OrderByDescending(r => r.Values[field]) : available.OrderBy(r => r.Values[field]);
            list = ordered.ThenBy(r => r.Symbol, StringComparer.Ordinal)
                .Concat(selected.Where(r => !double.IsFinite(r.Values[field])).OrderBy(r => r.Symbol, StringComparer.Ordinal))
                .ToList();
        }
        var data = list.Skip((page - 1) * size).Take(size).Select(r => CoinFields.ToJson(r.Symbol, r.Values)).ToList();
        return JsonSerializer.Serialize(new { data, total = list.Count, page, pageSize = size }, Web);
    }
}
