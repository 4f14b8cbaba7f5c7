using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

public sealed class ReplayInputTests
{
    [Fact]
    public async Task Files_without_header_in_microseconds_are_read_and_malformed_rows_counted_and_skipped()
    {
        var folder = Directory.CreateTempSubdirectory("replay-input").FullName;
        try
        {
            var t0 = 1_772_409_600_000L;
            // No header, open times in microseconds, two malformed rows.
            await File.WriteAllLinesAsync(Path.Combine(folder, "AAAUSDT-1m-2026-03-02.csv"),
            [
                Row(t0 * 1000, 10), Row((t0 + 60_000) * 1000, 11), "garbage,row", Row((t0 + 120_000) * 1000, 12),
            ]);
            // A header, milliseconds, one row whose high is below its low.
            await File.WriteAllLinesAsync(Path.Combine(folder, "BBBUSDT-1m-2026-03-02.csv"),
            [
                "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore",
                Row(t0, 20), Row(t0 + 60_000, 21),
                $"{t0 + 120_000},5,1,9,5,1,{t0 + 179_999},5,1,0,0,0",
            ]);
            var cs = await PostgresServer.Shared.CreateDatabaseAsync("input");
            await using var app = new IngestApp(new Dictionary<string, string?>
            {
                ["ConnectionStrings:postgres"] = cs,
                ["Ingest:Feed"] = "replay",
                ["Ingest:Replay:Path"] = folder,
                ["Ingest:RetentionDays"] = "36500",
            });
            var status = await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(60));
            Assert.Equal(5, status.GetProperty("candlesIngested").GetInt64());
            Assert.Equal(2, status.GetProperty("malformedRows").GetInt64());
            Assert.Equal(t0 + 120_000, status.GetProperty("lastOpenTime").GetInt64());
            var candles = (await app.GetJsonAsync("/api/coins/AAAUSDT/candles?timeframe=1m")).GetProperty("candles");
            Assert.Equal([t0, t0 + 60_000, t0 + 120_000], candles.EnumerateArray().Select(c => c.GetProperty("openTime").GetInt64()).ToArray());
            Assert.Equal(12, candles[2].GetProperty("close").GetDouble());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Row(long openTime, double close) =>
        FormattableString.Invariant($"{openTime},{close},{close + 1},{close - 1},{close},100,{openTime + 59_999},{close * 100},7,50,{close * 50},0");
}
