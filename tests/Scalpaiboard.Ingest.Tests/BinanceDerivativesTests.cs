using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Services.Feeds.Binance;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The Binance feed's derivatives against the fake Binance over real sockets, with real PostgreSQL: the mark-price and
/// liquidation streams, the open-interest and ratio statistics (backfill, merge, 5-minute polls) and their request
/// budget.
/// </summary>
public sealed class BinanceDerivativesTests
{
    private const long Minute = 60_000;
    private const long Period = FakeBinanceServer.PeriodMs;

    [Fact]
    public async Task Mark_price_and_liquidation_streams_reach_the_coin_rows_and_malformed_frames_are_counted_and_skipped()
    {
        // Ten market seconds per real second; hours away from an 8-hour funding boundary (the stream's rate changes there).
        var clock = new ScaledClock(10, new DateTimeOffset(2026, 3, 10, 9, 30, 20, TimeSpan.Zero));
        await using var fake = new FakeBinanceServer(clock, ["BTCUSDT", "ETHUSDT"], weightLimit: 2400);
        await fake.StartAsync();
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("bstreams");
        await using var app = new IngestApp(Settings(cs, fake), services => services.AddSingleton<TimeProvider>(clock));

        // The note comes with the liquidation stream's subscription.
        var status = await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running"
            && s.GetProperty("liquidationsNote").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(60));
        Assert.Contains("lower bound", status.GetProperty("liquidationsNote").GetString());
        Assert.Contains("one liquidation per symbol per second", status.GetProperty("liquidationsNote").GetString());

        // Two orders of BTCUSDT in one second: Binance pushes only the later one.
        var second = ((clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000) + 1) * 1000;
        fake.Liquidate("BTCUSDT", "SELL", 100.5, 2, second + 100);
        fake.Liquidate("BTCUSDT", "SELL", 101.25, 3, second + 700);
        fake.Liquidate("BTCUSDT", "BUY", 99.5, 1.5, second + 1300);
        fake.Liquidate("ETHUSDT", "BUY", 20, 10, second + 500);
        // Malformed: a side that is neither, a mark price that is not a number. Then a valid order without "z": its
        // original quantity counts.
        fake.Inject("!forceOrder@arr", $$$"""{"e":"forceOrder","E":{{{second}}},"o":{"s":"ETHUSDT","S":"HOLD","o":"LIMIT","f":"IOC","q":"1","p":"20","ap":"20","X":"FILLED","l":"1","z":"1","T":{{{second}}}}}""");
        fake.Inject("!markPrice@arr@1s", $$$"""[{"e":"markPriceUpdate","E":{{{second}}},"s":"BTCUSDT","p":"abc","i":"1","P":"1","r":"0.0001","T":{{{second + 3_600_000}}}}]""");
        fake.Inject("!forceOrder@arr", $$$"""{"e":"forceOrder","E":{{{second + 1}}},"o":{"s":"ETHUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"4","p":"19.8","ap":"20.5","X":"FILLED","l":"4","T":{{{second + 1}}}}}""");

        JsonElement btc = default, eth = default;
        await WaitForAsync(async () =>
        {
            btc = await app.GetJsonAsync("/api/coins/BTCUSDT");
            eth = await app.GetJsonAsync("/api/coins/ETHUSDT");
            return btc.GetProperty("liquidationsShort_1h").ValueKind == JsonValueKind.Number && btc.GetProperty("liquidationsShort_1h").GetDouble() > 0
                && eth.GetProperty("liquidationsLong_1h").ValueKind == JsonValueKind.Number && eth.GetProperty("liquidationsLong_1h").GetDouble() > 0
                && eth.GetProperty("liquidationsShort_1h").GetDouble() > 0;
        }, TimeSpan.FromSeconds(40), async () => $"{btc}\n{eth}\npushed: {string.Join(", ", fake.PushedLiquidations)}\n{await app.GetJsonAsync("/api/feed/status")}");

        // A SELL order closed longs, a BUY order shorts; notional = filled quantity x average price.
        Assert.Equal(101.25 * 3, btc.GetProperty("liquidationsLong_1h").GetDouble(), 9);
        Assert.Equal(99.5 * 1.5, btc.GetProperty("liquidationsShort_1h").GetDouble(), 9);
        Assert.Equal(20.5 * 4, eth.GetProperty("liquidationsLong_1h").GetDouble(), 9);
        Assert.Equal(20.0 * 10, eth.GetProperty("liquidationsShort_1h").GetDouble(), 9);
        Assert.Equal(1, fake.SwallowedLiquidations);
        Assert.True(btc.GetProperty("liquidationsLong_1h").GetDouble() < (100.5 * 2) + (101.25 * 3), "the total is a lower bound");

        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT symbol, side, price, quantity FROM ingest.liquidations ORDER BY symbol, time", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            var rows = new List<(string, short, double, double)>();
            while (await r.ReadAsync())
            {
                rows.Add((r.GetString(0), r.GetInt16(1), r.GetDouble(2), r.GetDouble(3)));
            }
            var want = new (string, short, double, double)[]
            {
                ("BTCUSDT", (short)LiquidationSide.Long, 101.25, 3.0), ("BTCUSDT", (short)LiquidationSide.Short, 99.5, 1.5),
                ("ETHUSDT", (short)LiquidationSide.Long, 20.5, 4.0), ("ETHUSDT", (short)LiquidationSide.Short, 20.0, 10.0),
            };
            Assert.Equal(want, rows);
        }

        // The mark-price stream at the close of the row's candle (the fake's values are constant over each minute).
        foreach (var (symbol, row) in new[] { ("BTCUSDT", btc), ("ETHUSDT", eth) })
        {
            var close = row.GetProperty("openTime").GetInt64() + Minute;
            Assert.Equal(FakeBinanceServer.MarkPrice(symbol, close), row.GetProperty("markPrice").GetDouble(), 9);
            Assert.Equal(FakeBinanceServer.FundingRate(symbol, close - 1), row.GetProperty("fundingRate").GetDouble(), 12);
            Assert.Equal(FakeBinanceServer.NextFundingTime(close - 1), row.GetProperty("nextFundingTime").GetDouble());
        }

        // Two malformed frames, nothing else (the delivery contract's empty funding rate is not malformed); the
        // untracked symbol of the all-market stream is not a coin; every stream went to its route.
        status = await app.GetJsonAsync("/api/feed/status");
        Assert.Equal(2, status.GetProperty("malformedFrames").GetInt64());
        Assert.True(fake.MarkPriceFramesSent > 0, "no mark-price frame sent");
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/coins/{FakeBinanceServer.UntrackedSymbol}")).StatusCode);
        Assert.Equal(0, fake.MisroutedStreams);
    }

    [Fact]
    public async Task Open_interest_and_ratios_are_backfilled_from_the_newest_stored_sample_merged_by_timestamp_and_polled_every_five_minutes()
    {
        var t0 = new DateTimeOffset(2026, 3, 10, 9, 31, 10, TimeSpan.Zero);
        var clock = new ScaledClock(60, t0);
        string[] symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];
        await using var fake = new FakeBinanceServer(clock, symbols, weightLimit: 2400);
        // SOLUSDT's statistics fail until the feed has run a while; the others must not wait for it.
        fake.BrokenDataSymbols["SOLUSDT"] = 0;
        // A period the taker statistics never have: delivered without that ratio once it is old enough.
        var start = t0.ToUnixTimeMilliseconds();
        var hole = ((start - (3 * 3_600_000)) / Period) * Period;
        fake.MissingPeriods[(FakeBinanceServer.TakerBuySellPath, "BTCUSDT", hole)] = 0;
        await fake.StartAsync();

        // ETHUSDT has a sample stored from an earlier run: its backfill starts after it.
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("boi");
        var stored = ((start - (2 * 3_600_000)) / Period) * Period;
        await using (var dataSource = NpgsqlDataSource.Create(cs))
        {
            await new MigrationRunner(dataSource, "ingest", EmbeddedMigrations.Load(typeof(DerivativesStore).Assembly), NullLogger<MigrationRunner>.Instance)
                .ApplyAsync(CancellationToken.None);
            await new DerivativesStore(dataSource).WriteAsync([DerivativesUpdate.Of("ETHUSDT", Expected("ETHUSDT", stored))], CancellationToken.None);
        }

        await using var app = new IngestApp(Settings(cs, fake), services => services.AddSingleton<TimeProvider>(clock));
        await app.WaitForStatusAsync(s => s.GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
        var running = clock.GetUtcNow().ToUnixTimeMilliseconds();

        // The backfill: the last day and an hour (what the engine keeps), or from after the stored sample.
        var btcFirst = FirstRequest(fake, FakeBinanceServer.OpenInterestPath, "BTCUSDT");
        Assert.InRange(btcFirst.Time - DerivativesHistory.KeepMs - btcFirst.StartTime!.Value, 0, 5 * Minute);
        Assert.Equal(stored + 1, FirstRequest(fake, FakeBinanceServer.OpenInterestPath, "ETHUSDT").StartTime);
        foreach (var path in FakeBinanceServer.DataPaths)
        {
            Assert.Equal(btcFirst.StartTime, FirstRequest(fake, path, "BTCUSDT").StartTime);
        }
        var backfillFrom = Ceiling(btcFirst.StartTime.Value);

        // Polled live: the period that starts 5 minutes after the next one (BTCUSDT comes first in each poll).
        var live = ((running / Period) + 2) * Period;
        await WaitForAsync(async () => await MaxTimeAsync(cs, "BTCUSDT") >= live, TimeSpan.FromSeconds(40));
        Assert.Null(await MaxTimeAsync(cs, "SOLUSDT"));
        Assert.Contains(fake.DataRequests, r => r.Symbol == "SOLUSDT" && r.Status == 400);

        // Mended, SOLUSDT catches up from where its backfill would have started, at its next poll.
        fake.BrokenDataSymbols.TryRemove("SOLUSDT", out _);
        await WaitForAsync(async () => await MaxTimeAsync(cs, "SOLUSDT") >= live, TimeSpan.FromSeconds(40));

        var rows = await ReadOpenInterestAsync(cs);
        foreach (var symbol in symbols)
        {
            var times = rows.Where(r => r.Symbol == symbol).Select(r => r.Sample.Time).ToList();
            var from = symbol == "ETHUSDT" ? stored : backfillFrom;
            Assert.True(times[0] <= from + Period && times[0] >= from, $"{symbol} starts at {times[0]}, expected {from}");
            for (var i = 1; i < times.Count; i++)
            {
                Assert.True(times[i] == times[i - 1] + Period, $"{symbol}: gap between {times[i - 1]} and {times[i]}");
            }
            Assert.True(times[^1] >= live);
        }
        // Each period is the four statistics of its timestamp.
        foreach (var (symbol, sample) in rows)
        {
            var want = Expected(symbol, sample.Time);
            Assert.Equal(want.OpenInterest, sample.OpenInterest, 9);
            Assert.Equal(want.OpenInterestValue, sample.OpenInterestValue, 6);
            Assert.Equal(want.LongShortRatio, sample.LongShortRatio, 9);
            Assert.Equal(want.TopTraderLongShortRatio, sample.TopTraderLongShortRatio, 9);
            if (symbol == "BTCUSDT" && sample.Time == hole)
            {
                Assert.True(double.IsNaN(sample.TakerBuySellRatio));
            }
            else
            {
                Assert.Equal(want.TakerBuySellRatio, sample.TakerBuySellRatio, 9);
            }
        }
        Assert.Contains(rows, r => r.Symbol == "BTCUSDT" && r.Sample.Time == hole);

        // The coin row: the latest period known at its candle's close, and the changes against the periods 1h and 1d before.
        var btc = await app.GetJsonAsync("/api/coins/BTCUSDT");
        var close = btc.GetProperty("openTime").GetInt64() + Minute;
        var value = btc.GetProperty("openInterestValue").GetDouble();
        var at = Enumerable.Range(0, 3).Select(k => ((close / Period) - k) * Period)
            .FirstOrDefault(t => Math.Abs(FakeBinanceServer.OpenInterestValue("BTCUSDT", t) - value) < 1e-6, -1);
        Assert.True(at > 0, $"openInterestValue {value} at close {close} is none of the last periods'");
        var expected = Expected("BTCUSDT", at);
        Assert.Equal(expected.OpenInterest, btc.GetProperty("openInterest").GetDouble(), 9);
        Assert.Equal(expected.LongShortRatio, btc.GetProperty("longShortRatio").GetDouble(), 9);
        Assert.Equal(expected.TopTraderLongShortRatio, btc.GetProperty("topTraderLongShortRatio").GetDouble(), 9);
        Assert.Equal(expected.TakerBuySellRatio, btc.GetProperty("takerBuySellRatio").GetDouble(), 9);
        foreach (var (field, back) in new[] { ("oiChange_1h", 3_600_000L), ("oiChange_1d", 86_400_000L) })
        {
            var then = FakeBinanceServer.OpenInterestValue("BTCUSDT", ((close - back) / Period) * Period);
            Assert.Equal(((value / then) - 1) * 100, btc.GetProperty(field).GetDouble(), 9);
        }

        // No request went past a limit: weight per minute, and each statistic's count per 5 minutes.
        Assert.Equal(0, fake.Violations);
        Assert.Equal(0, fake.DataViolations);
        foreach (var path in FakeBinanceServer.DataPaths.Append(FakeBinanceServer.FundingRatePath))
        {
            Assert.InRange(MaxPerFiveMinutes(fake, path), 1, path == FakeBinanceServer.FundingRatePath ? 400 : 800);
        }
    }

    [Fact]
    public async Task Five_hundred_symbols_are_polled_every_five_minutes_spread_over_the_period_inside_each_statistics_request_budget()
    {
        // One real second is a market minute: a 5-minute poll every five seconds.
        var clock = new ScaledClock(60, new DateTimeOffset(2026, 3, 10, 9, 33, 0, TimeSpan.Zero));
        var symbols = Enumerable.Range(0, 500).Select(i => $"S{i:000}USDT").ToArray();
        await using var fake = new FakeBinanceServer(clock, symbols, weightLimit: 2400);
        await fake.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fake.RestUrl) };
        var rest = new BinanceRestClient(http, new RequestWeightLimiter(clock, 2400, 0.8), clock);
        var delivered = new List<DerivativesUpdate>();
        var poller = new DerivativesPoller(rest, symbols, updates => { lock (delivered) delivered.AddRange(updates); }, clock, NullLogger.Instance);

        // Stored up to an hour ago: the backfill is one request per symbol and statistic (12 periods each).
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var lastStored = symbols.ToDictionary(s => s, _ => ((now - 3_600_000) / Period) * Period);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await poller.BackfillAsync(lastStored, cts.Token);
        var backfilled = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var run = poller.RunAsync(cts.Token);
        // Two whole polls; each starts with its funding request, 30 s into its period.
        long firstCycle = 0;
        while (firstCycle == 0 || clock.GetUtcNow().ToUnixTimeMilliseconds() < firstCycle + (2 * Period) + Minute)
        {
            Assert.False(run.IsCompleted, run.Exception?.ToString());
            if (firstCycle == 0 && fake.DataRequests.FirstOrDefault(r => r.Path == FakeBinanceServer.FundingRatePath && r.Time > backfilled) is { } poll)
            {
                firstCycle = (((poll.Time - DerivativesPoller.PollDelayMs) / Period) * Period) + DerivativesPoller.PollDelayMs;
            }
            await Task.Delay(100);
        }
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal(0, fake.DataViolations);
        Assert.Equal(0, poller.Failures);
        var requests = fake.DataRequests.ToArray();
        foreach (var path in FakeBinanceServer.DataPaths)
        {
            // Our budget: 80 % of Binance's 1000 per 5 minutes, in any 5 minutes (counted when sent; at 60x the few real
            // milliseconds a request is in flight are seconds of the fake's clock, so a handful more may land in one window).
            Assert.InRange(MaxPerFiveMinutes(fake, path), 500, 820);
            for (var cycle = 0; cycle < 2; cycle++)
            {
                var from = firstCycle + (cycle * Period);
                var polled = requests.Where(r => r.Path == path && r.Time >= from && r.Time < from + Period).ToList();
                // Every symbol once, none twice, and the 500 spread over the period rather than sent at once.
                Assert.Equal(symbols.Order(), polled.Select(r => r.Symbol!).Order());
                var times = polled.Select(r => r.Time).Order().ToList();
                Assert.True(times[^1] - times[0] >= 3 * Minute, $"{path} cycle {cycle}: spread over {(times[^1] - times[0]) / 1000} s only");
                Assert.True(times.Count(t => t < from + Minute) <= 250, $"{path} cycle {cycle}: {times.Count(t => t < from + Minute)} requests in its first minute");
            }
        }
        // The funding history: every symbol's in one request (pages of 1000 rows in the backfill), one per poll.
        Assert.All(requests.Where(r => r.Path == FakeBinanceServer.FundingRatePath), r => Assert.Null(r.Symbol));
        Assert.Equal(2, requests.Count(r => r.Path == FakeBinanceServer.FundingRatePath && r.Time >= firstCycle && r.Time < firstCycle + (2 * Period)));
        var settlements = delivered.Where(u => u.Kind == DerivativesKind.Funding).ToList();
        var settled = Enumerable.Range(0, 6).Select(k => FakeBinanceServer.SettlementTime(((now / FakeBinanceServer.FundingIntervalMs) - k) * FakeBinanceServer.FundingIntervalMs))
            .Where(t => t >= now - DerivativesHistory.KeepMs - (8 * 3_600_000) && t <= now).ToList();
        Assert.Equal(symbols.Length * settled.Count, settlements.Count);
        Assert.All(settlements, u => Assert.Equal(FakeBinanceServer.FundingRate(u.Symbol, u.Time - 12), u.Funding.Rate, 12));
        // Every symbol's periods up to the second poll arrived, each once.
        var periods = delivered.Where(u => u.Kind == DerivativesKind.OpenInterest).GroupBy(u => u.Symbol).ToDictionary(g => g.Key, g => g.Select(u => u.Time).ToList());
        Assert.Equal(500, periods.Count);
        foreach (var (symbol, times) in periods)
        {
            Assert.Equal(times.Distinct().Count(), times.Count);
            Assert.Equal(lastStored[symbol] + Period, times.Min());
            Assert.True(times.Max() >= firstCycle - DerivativesPoller.PollDelayMs + Period, $"{symbol}: last period {times.Max()}");
        }
    }

    [Fact]
    public async Task A_429_on_a_statistic_pauses_every_call_for_its_Retry_After_and_the_backfill_still_completes()
    {
        var clock = new ScaledClock(60, new DateTimeOffset(2026, 3, 10, 9, 33, 0, TimeSpan.Zero));
        var symbols = Enumerable.Range(0, 40).Select(i => $"S{i:00}USDT").ToArray();
        await using var fake = new FakeBinanceServer(clock, symbols, weightLimit: 2400) { TooManyDataRequests = 1, RetryAfterSeconds = 20 };
        await fake.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fake.RestUrl) };
        var rest = new BinanceRestClient(http, new RequestWeightLimiter(clock, 2400, 0.8), clock);
        var delivered = new List<DerivativesUpdate>();
        var poller = new DerivativesPoller(rest, symbols, updates => { lock (delivered) delivered.AddRange(updates); }, clock, NullLogger.Instance);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var lastStored = symbols.ToDictionary(s => s, _ => ((now - 3_600_000) / Period) * Period);

        await poller.BackfillAsync(lastStored, CancellationToken.None);

        Assert.Equal(1, rest.RateLimited);
        Assert.Equal(0, poller.Failures);
        var refused = Assert.Single(fake.DataRequests, r => r.Status == 429);
        // Nothing but what was already on its way before the answer came, until Retry-After has passed; then the
        // refused call again.
        Assert.DoesNotContain(fake.DataRequests, r => r.Time > refused.Time + 5_000 && r.Time < refused.Time + 20_000);
        var retried = fake.DataRequests.First(r => r.Status == 200 && r.Path == refused.Path && r.Symbol == refused.Symbol);
        Assert.True(retried.Time >= refused.Time + 20_000, $"retried {retried.Time - refused.Time} ms after the 429");
        // Every symbol's periods since its stored one.
        var periods = delivered.Where(u => u.Kind == DerivativesKind.OpenInterest).GroupBy(u => u.Symbol).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(symbols.Length, periods.Count);
        Assert.All(periods.Values, n => Assert.True(n >= 12, $"{n} periods"));
    }

    private static Dictionary<string, string?> Settings(string cs, FakeBinanceServer fake) => new()
    {
        ["ConnectionStrings:postgres"] = cs,
        ["Ingest:Feed"] = "binance",
        ["Ingest:Binance:RestUrl"] = fake.RestUrl,
        ["Ingest:Binance:StreamUrl"] = fake.StreamUrl,
        ["Ingest:Binance:BatchWaitSeconds"] = "0.3",
        ["Ingest:SeedDays"] = "0",
        ["Ingest:StaleAfterSeconds"] = "600",
    };

    private static OpenInterestSample Expected(string symbol, long t) => new(t,
        FakeBinanceServer.OpenInterest(symbol, t), FakeBinanceServer.OpenInterestValue(symbol, t), FakeBinanceServer.GlobalAccountsRatio(symbol, t),
        FakeBinanceServer.TopTraderPositionsRatio(symbol, t), FakeBinanceServer.TakerBuySellRatio(symbol, t));

    private static long Ceiling(long t) => ((t + Period - 1) / Period) * Period;

    private static FakeBinanceServer.DataRequest FirstRequest(FakeBinanceServer fake, string path, string symbol) =>
        fake.DataRequests.First(r => r.Path == path && r.Symbol == symbol);

    /// <summary>The most requests of an endpoint the fake saw in any 5 minutes (of its clock).</summary>
    private static int MaxPerFiveMinutes(FakeBinanceServer fake, string path)
    {
        var times = fake.DataRequests.Where(r => r.Path == path).Select(r => r.Time).Order().ToArray();
        var max = 0;
        for (int i = 0, j = 0; i < times.Length; i++)
        {
            while (times[j] <= times[i] - (5 * Minute))
            {
                j++;
            }
            max = Math.Max(max, i - j + 1);
        }
        return max;
    }

    private static async Task<long?> MaxTimeAsync(string cs, string symbol)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT max(time) FROM ingest.open_interest WHERE symbol = $1", conn);
        cmd.Parameters.AddWithValue(symbol);
        return await cmd.ExecuteScalarAsync() is long t ? t : null;
    }

    private static async Task<List<(string Symbol, OpenInterestSample Sample)>> ReadOpenInterestAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT symbol, time, open_interest, open_interest_value, long_short_ratio, top_trader_long_short_ratio, taker_buy_sell_ratio
            FROM ingest.open_interest ORDER BY symbol, time
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, OpenInterestSample)>();
        static double D(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);
        while (await r.ReadAsync())
        {
            rows.Add((r.GetString(0), new OpenInterestSample(r.GetInt64(1), D(r, 2), D(r, 3), D(r, 4), D(r, 5), D(r, 6))));
        }
        return rows;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>>? state = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail("condition not met in time: " + (state is null ? "" : await state()));
            }
            await Task.Delay(100);
        }
    }
}
