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

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Gzip_answer_decompresses_to_exactly_the_plain_bytes(string query)
    {
        var rows = sample.App.Services.GetRequiredService<CoinTable>().Current().Rows;
        var expected = Encoding.UTF8.GetBytes(Reference(rows, query));
        var plain = await GetAsync(query, null);
        Assert.Null(plain.Encoding);
        Assert.Equal(expected, plain.Body);
        byte[]? first = null;
        for (var i = 0; i < 3; i++)
        {
            var gzip = await GetAsync(query, "gzip, deflate, br");
            Assert.Equal("gzip", gzip.Encoding);
            Assert.Equal(gzip.Body.Length, gzip.ContentLength);
            Assert.Equal(expected, Gunzip(gzip.Body));
            Assert.True(gzip.Body.Length < expected.Length || expected.Length < 100);
            first ??= gzip.Body;
            Assert.Equal(first, gzip.Body);
        }
        // The plain answer is unchanged by the entry having been compressed.
        Assert.Equal(expected, (await GetAsync(query, "identity")).Body);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("identity", false)]
    [InlineData("deflate, br", false)]
    [InlineData("gzip;q=0", false)]
    [InlineData("gzip;q=0.000, br", false)]
    [InlineData("*;q=0", false)]
    [InlineData("gzip;q=0, *", false)]
    [InlineData("identity, gzip;q=0.5", false)]
    [InlineData("gzip;q=abc", false)]
    [InlineData("gzip", true)]
    [InlineData("GZIP;Q=0.5", true)]
    [InlineData("x-gzip", true)]
    [InlineData("*", true)]
    [InlineData("br;q=1.0, gzip;q=0.8, *;q=0.1", true)]
    [InlineData("identity;q=0.5, gzip", true)]
    [InlineData("deflate , gzip ; q=1", true)]
    public async Task Accept_encoding_q_values_decide_between_gzip_and_the_plain_bytes(string? acceptEncoding, bool gzip)
    {
        const string query = "?sortBy=change_1h&sortOrder=desc&pageSize=7";
        var table = sample.App.Services.GetRequiredService<CoinTable>();
        var expected = Encoding.UTF8.GetBytes(Reference(table.Current().Rows, query));
        var answer = await GetAsync(query, acceptEncoding);
        Assert.Equal(gzip ? "gzip" : null, answer.Encoding);
        Assert.Equal(answer.Body.Length, answer.ContentLength);
        Assert.Equal(expected, gzip ? Gunzip(answer.Body) : answer.Body);
    }

    [Fact]
    public async Task Problems_vary_by_accept_encoding_too_and_are_never_compressed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/coins?sortBy=nope");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var response = await sample.Client.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Contains("sortBy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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

    [Fact]
    public async Task Different_queries_never_share_an_entry_and_the_same_page_asked_differently_does()
    {
        var table = sample.App.Services.GetRequiredService<CoinTable>();
        string[] queries = ["?sortBy=price&pageSize=3", "?sortBy=price&pageSize=4", "?pageSize=3&SORTBY=price&search=", "?sortBy=price&pageSize=3&sortOrder=asc"];
        var bodies = new List<string>();
        foreach (var q in queries)
        {
            bodies.Add(await sample.Client.GetStringAsync("/api/coins" + q));
        }
        var snapshot = table.Current();
        var entries = queries.Select(q => snapshot.Responses.TryGet(q, out var r) ? r : null).ToArray();
        Assert.All(entries, Assert.NotNull);
        Assert.Same(entries[0], entries[2]);
        Assert.Equal(bodies[0], bodies[2]);
        Assert.NotSame(entries[0], entries[1]);
        Assert.NotSame(entries[0], entries[3]);
        Assert.NotEqual(bodies[0], bodies[1]);
        Assert.NotEqual(bodies[0], bodies[3]);
        for (var i = 0; i < queries.Length; i++)
        {
            Assert.Equal(Reference(snapshot.Rows, queries[i]), bodies[i]);
        }
    }

    [Fact]
    public async Task The_cache_is_bounded_and_answers_stay_right_once_it_is_full()
    {
        var table = sample.App.Services.GetRequiredService<CoinTable>();
        var state = sample.App.Services.GetRequiredService<MarketState>();
        state.GetOrAdd("AAACACHEUSDT"); // a fresh snapshot, with an empty cache
        var snapshot = table.Current();
        Assert.Equal(0, snapshot.Responses.Count);
        var max = snapshot.Responses.MaxEntries;
        // Each distinct query keeps two entries (its query string and its normalised form).
        for (var i = 0; i < max / 2 + 20; i++)
        {
            var q = FormattableString.Invariant($"?sortBy=price&maxPrice={1e9 + i}&pageSize=2");
            Assert.Equal(Reference(snapshot.Rows, q), await sample.Client.GetStringAsync("/api/coins" + q));
        }
        Assert.Same(snapshot, table.Current());
        Assert.Equal(max, snapshot.Responses.Count);
        Assert.True(snapshot.Responses.Bytes <= snapshot.Responses.MaxBytes);
        Assert.False(snapshot.Responses.TryGet(FormattableString.Invariant($"?sortBy=price&maxPrice={1e9 + max / 2 + 19}&pageSize=2"), out _));
        // Once full, answers are not kept and go plain even to a gzip caller; kept ones are still compressed.
        var uncached = FormattableString.Invariant($"?sortBy=price&maxPrice={2e9}&pageSize=3");
        var answer = await GetAsync(uncached, "gzip");
        Assert.Null(answer.Encoding);
        Assert.Equal(Encoding.UTF8.GetBytes(Reference(snapshot.Rows, uncached)), answer.Body);
        var kept = FormattableString.Invariant($"?sortBy=price&maxPrice={1e9}&pageSize=2");
        answer = await GetAsync(kept, "gzip");
        Assert.Equal("gzip", answer.Encoding);
        Assert.Equal(Encoding.UTF8.GetBytes(Reference(snapshot.Rows, kept)), Gunzip(answer.Body));
        state.GetOrAdd("AAACACHE2USDT"); // leaves the other tests a fresh snapshot
    }

    private async Task<(byte[] Body, string? Encoding, long? ContentLength)> GetAsync(string query, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/coins" + query);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        using var response = await sample.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(["Accept-Encoding"], response.Headers.Vary);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var encodings = response.Content.Headers.ContentEncoding;
        return (await response.Content.ReadAsByteArrayAsync(), encodings.Count == 0 ? null : string.Join(",", encodings), response.Content.Headers.ContentLength);
    }

    internal static byte[] Gunzip(byte[] gzip)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(gzip), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
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
