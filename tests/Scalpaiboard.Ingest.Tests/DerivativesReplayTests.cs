using System.Text.Json;
using Npgsql;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// A replay with derivatives files (klinegen.py --derivatives): the API's fields against derivatives_ref.py, the
/// store, the 5-minute history endpoint, malformed rows, and the values rebuilt from PostgreSQL after a restart.
/// </summary>
public sealed class DerivativesReplayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ingest-deriv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [PythonFact]
    public async Task Replay_merges_the_derivatives_files_stores_them_and_rebuilds_them_after_a_restart()
    {
        var klines = Path.Combine(_dir, "klines");
        var derivatives = Path.Combine(_dir, "deriv");
        var expectedPath = Path.Combine(_dir, "expected.json");
        await Python.CheckedAsync(SharedData.Acceptance("klinegen.py"), klines, "--seed", "4", "--symbols", "5", "--days", "2",
            "--start", "2026-03-02", "--derivatives", derivatives);
        await Python.CheckedAsync(SharedData.Acceptance("derivatives_ref.py"), klines, derivatives, expectedPath);
        var rows = Directory.EnumerateFiles(derivatives, "*-metrics-*.csv").Sum(f => File.ReadLines(f).Count() - 1);
        var fundingRows = Directory.EnumerateFiles(derivatives, "*-fundingRate-*.csv").Sum(f => File.ReadLines(f).Count() - 1);
        // One bad row: rejected and counted, the rest goes on.
        var first = Directory.EnumerateFiles(derivatives, "*-metrics-*.csv").Order(StringComparer.Ordinal).First();
        File.AppendAllText(first, "2026-03-02 99:00:00,X,1,1,1,1,1,1\n");
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(expectedPath));
        var fields = expected.RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).ToArray();

        var cs = await PostgresServer.Shared.CreateDatabaseAsync("deriv");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = cs,
            ["Ingest:Feed"] = "replay",
            ["Ingest:Replay:Path"] = klines,
            ["Ingest:Replay:DerivativesPath"] = derivatives,
            ["Ingest:Replay:Speed"] = "max",
            ["Ingest:RetentionDays"] = "36500",
        };
        await using (var app = new IngestApp(settings))
        {
            var status = await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(90));
            Assert.Equal(1, status.GetProperty("malformedRows").GetInt64());
            await AssertMatchesReferenceAsync(app, expected.RootElement, fields);

            // Every sample stored once.
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            Assert.Equal(rows, await CountAsync(conn, "ingest.open_interest"));
            Assert.Equal(fundingRows, await CountAsync(conn, "ingest.funding_rates"));

            // The 5-minute history: the stored samples of the last day up to the last close, oldest first.
            var symbol = expected.RootElement.GetProperty("symbols").EnumerateObject().First();
            var closeTime = symbol.Value.GetProperty("closeTime").GetInt64();
            var history = await app.GetJsonAsync($"/api/coins/{symbol.Name}/derivatives");
            var points = history.GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(symbol.Name, history.GetProperty("symbol").GetString());
            // (klinegen's rows run to 23:55 of the last day; the last close is midnight after it)
            Assert.Equal(24 * 12, points.Count);
            Assert.Equal(closeTime - 300_000, points[^1].GetProperty("time").GetInt64());
            Assert.Equal(closeTime - 86_400_000, points[0].GetProperty("time").GetInt64());
            Assert.True(points.Zip(points.Skip(1)).All(p => p.Second.GetProperty("time").GetInt64() - p.First.GetProperty("time").GetInt64() == 300_000));
            Assert.Equal(symbol.Value.GetProperty("openInterestValue").GetDouble(), points[^1].GetProperty("openInterestValue").GetDouble(), 6);
            Assert.Equal(symbol.Value.GetProperty("fundingRate").GetDouble(), points[^1].GetProperty("fundingRate").GetDouble(), 12);
            Assert.Equal(JsonValueKind.Null, points[^1].GetProperty("liquidationsLong").ValueKind); // a replay has no liquidations

            var range = await app.GetJsonAsync($"/api/coins/{symbol.Name}/derivatives?from={closeTime - 3_600_000}&to={closeTime}");
            Assert.Equal(12, range.GetProperty("points").GetArrayLength());
        }

        // A restart without the derivatives folder: the values come back from PostgreSQL.
        settings.Remove("Ingest:Replay:DerivativesPath");
        await using (var app = new IngestApp(settings))
        {
            await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(90));
            await AssertMatchesReferenceAsync(app, expected.RootElement, fields);
        }
    }

    [Fact]
    public async Task Derivatives_history_rejects_bad_parameters_naming_them()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("deriv-bad");
        await using var app = await IngestApp.StartIdleAsync(cs, RedisServer.Shared.ConnectionString);
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api/coins/BTCUSDT/derivatives?from=yesterday");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"from\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        response = await client.GetAsync("/api/coins/BTCUSDT/derivatives?from=2000&to=1000");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        response = await client.GetAsync("/api/coins/NOPEUSDT/derivatives");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        response = await client.GetAsync("/api/coins?maxFundingRate=low");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("maxFundingRate", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task AssertMatchesReferenceAsync(IngestApp app, JsonElement expected, string[] fields)
    {
        foreach (var symbol in expected.GetProperty("symbols").EnumerateObject())
        {
            var coin = await app.GetJsonAsync($"/api/coins/{symbol.Name}");
            foreach (var field in fields)
            {
                var want = symbol.Value.GetProperty(field);
                var got = coin.GetProperty(field);
                if (want.ValueKind == JsonValueKind.Null)
                {
                    Assert.True(got.ValueKind == JsonValueKind.Null, $"{symbol.Name} {field}: want null, got {got}");
                }
                else
                {
                    var w = want.GetDouble();
                    Assert.True(Math.Abs(got.GetDouble() - w) <= 1e-9 * Math.Max(1, Math.Abs(w)), $"{symbol.Name} {field}: want {w}, got {got}");
                }
            }
        }
        // The inclusive max filter returns exactly the symbols with fundingRate <= 0.
        var page = await app.GetJsonAsync("/api/coins?pageSize=1000&maxFundingRate=0");
        var got0 = page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("symbol").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(expected.GetProperty("nonPositiveFunding").EnumerateArray().Select(s => s.GetString()), got0);
        var rising = await app.GetJsonAsync("/api/coins?pageSize=1000&minOiChange_1h=1e-12");
        Assert.Equal(expected.GetProperty("risingOi_1h").EnumerateArray().Select(s => s.GetString()),
            rising.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("symbol").GetString()).Order(StringComparer.Ordinal));
    }

    private static async Task<long> CountAsync(NpgsqlConnection conn, string table)
    {
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
