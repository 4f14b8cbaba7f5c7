using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The derivatives side of the fake, with the payloads of Binance's USDT-M documentation:
/// <c>!markPrice@arr@1s</c> (every symbol's <c>markPriceUpdate</c> once a second, plus an untracked perpetual and a
/// delivery contract with an empty funding rate), <c>!forceOrder@arr</c> (the orders given to <see cref="Liquidate"/>,
/// of which, per symbol, only the latest of each second is pushed, as Binance does), the four <c>/futures/data</c>
/// statistics (period 5m, weight 0, 1000 requests per 5 minutes each, at most 500 rows, the last 30 days) and
/// <c>/fapi/v1/fundingRate</c> (every symbol's settlements when no symbol is given, 500 requests per 5 minutes, at
/// most 1000 rows). Every request to them is logged with the fake clock's time; values are pure functions of
/// (symbol, time).
/// </summary>
public sealed partial class FakeBinanceServer
{
    public const long PeriodMs = 300_000;
    public const long FundingIntervalMs = 8 * 3_600_000L;
    public const string OpenInterestPath = "/futures/data/openInterestHist";
    public const string GlobalAccountsPath = "/futures/data/globalLongShortAccountRatio";
    public const string TopTraderPositionsPath = "/futures/data/topLongShortPositionRatio";
    public const string TakerBuySellPath = "/futures/data/takerlongshortRatio";
    public const string FundingRatePath = "/fapi/v1/fundingRate";

    public static readonly string[] DataPaths = [OpenInterestPath, GlobalAccountsPath, TopTraderPositionsPath, TakerBuySellPath];

    /// <summary>A request to a derivatives endpoint: path, symbol (null: all), the fake clock's time, the query's range and limit.</summary>
    public sealed record DataRequest(string Path, string? Symbol, long Time, long? StartTime, long? EndTime, int Limit, int Status);

    /// <summary>A forced order as pushed.</summary>
    public sealed record ForceOrder(string Symbol, string Side, double Price, double Quantity, long Time);

    private readonly Lock _derivativesGate = new();
    private readonly List<ForceOrder> _pendingOrders = [];
    private readonly List<ForceOrder> _pushedOrders = [];
    private readonly List<(string Stream, string Data)> _injected = [];
    private readonly Dictionary<string, Queue<long>> _countWindows = new(StringComparer.Ordinal);

    public ConcurrentQueue<DataRequest> DataRequests { get; } = new();

    /// <summary>Data requests beyond an endpoint's count limit (answered 429).</summary>
    public int DataViolations;

    /// <summary>The next this many <c>/futures/data</c> requests are answered 429 with <see cref="RetryAfterSeconds"/>.</summary>
    public int TooManyDataRequests;

    public int RetryAfterSeconds = 1;

    /// <summary>Symbols whose <c>/futures/data</c> calls fail (400, as for a symbol Binance has no statistics of).</summary>
    public ConcurrentDictionary<string, byte> BrokenDataSymbols { get; } = new(StringComparer.Ordinal);

    /// <summary>Periods an endpoint does not have (yet): (path, symbol, timestamp).</summary>
    public ConcurrentDictionary<(string Path, string Symbol, long Time), byte> MissingPeriods { get; } = new();

    public int SwallowedLiquidations;

    /// <summary>The forced orders pushed on the stream (the latest per symbol and second).</summary>
    public IReadOnlyList<ForceOrder> PushedLiquidations
    {
        get
        {
            lock (_derivativesGate)
            {
                return _pushedOrders.ToArray();
            }
        }
    }

    public int MarkPriceFramesSent;

    /// <summary>A symbol Binance lists on the all-market streams but the feed does not follow.</summary>
    public const string UntrackedSymbol = "BTCUSDC";

    private static int Seed(string symbol) => symbol.Sum(c => c) % 97;

    /// <summary>The mark price the stream sends at event time <paramref name="eventTime"/>: constant over the minute that ends at or after it.</summary>
    public static double MarkPrice(string symbol, long eventTime) => Math.Round(Kline(symbol, (eventTime - 1) / 60_000).Close + 0.05, 4);

    /// <summary>The funding rate of the 8-hour interval holding <paramref name="time"/> (the stream's current rate; a settlement's rate at its end).</summary>
    public static double FundingRate(string symbol, long time) => Math.Round(0.0001 * Math.Sin((time / FundingIntervalMs) + Seed(symbol)), 8);

    public static long NextFundingTime(long time) => ((time / FundingIntervalMs) + 1) * FundingIntervalMs;

    /// <summary>A settlement's <c>fundingTime</c>: a few milliseconds after the interval's end, as Binance's are.</summary>
    public static long SettlementTime(long intervalEnd) => intervalEnd + 11;

    public static double OpenInterest(string symbol, long t) => Math.Round(10_000 + (100 * Seed(symbol)) + (500 * Math.Sin((t / (double)PeriodMs / 11) + Seed(symbol))), 3);

    public static double OpenInterestValue(string symbol, long t) => Math.Round(OpenInterest(symbol, t) * Kline(symbol, t / 60_000).Open, 8);

    public static double GlobalAccountsRatio(string symbol, long t) => Math.Round(1 + (0.5 * Math.Sin((t / (double)PeriodMs / 7) + Seed(symbol))), 4);

    public static double TopTraderPositionsRatio(string symbol, long t) => Math.Round(1.2 + (0.4 * Math.Cos((t / (double)PeriodMs / 5) + Seed(symbol))), 4);

    public static double TakerBuySellRatio(string symbol, long t) => Math.Round(1 + (0.3 * Math.Sin((t / (double)PeriodMs / 3) + (2 * Seed(symbol)))), 4);

    /// <summary>A forced order at the fake clock's now (or <paramref name="time"/>); pushed once its second is over, if it is the symbol's latest of that second.</summary>
    public void Liquidate(string symbol, string side, double price, double quantity, long? time = null)
    {
        lock (_derivativesGate)
        {
            _pendingOrders.Add(new ForceOrder(symbol, side, price, quantity, time ?? _clock.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    /// <summary>Sends <paramref name="data"/> (raw JSON, malformed or not) once, as a payload of <paramref name="stream"/>.</summary>
    public void Inject(string stream, string data)
    {
        lock (_derivativesGate)
        {
            _injected.Add((stream, data));
        }
    }

    private void MapDerivatives(WebApplication app)
    {
        app.MapGet(OpenInterestPath, (HttpContext http, string? symbol, string? period, int? limit, long? startTime, long? endTime) =>
            Statistics(http, OpenInterestPath, symbol, period, limit, startTime, endTime, (s, t) => new Dictionary<string, object>
            {
                ["symbol"] = s,
                ["sumOpenInterest"] = S(OpenInterest(s, t)),
                ["sumOpenInterestValue"] = S(OpenInterestValue(s, t)),
                ["CMCCirculatingSupply"] = "165880.538",
                ["timestamp"] = t,
            }));
        app.MapGet(GlobalAccountsPath, (HttpContext http, string? symbol, string? period, int? limit, long? startTime, long? endTime) =>
            Statistics(http, GlobalAccountsPath, symbol, period, limit, startTime, endTime, (s, t) => Ratio(s, t, GlobalAccountsRatio(s, t))));
        app.MapGet(TopTraderPositionsPath, (HttpContext http, string? symbol, string? period, int? limit, long? startTime, long? endTime) =>
            Statistics(http, TopTraderPositionsPath, symbol, period, limit, startTime, endTime, (s, t) => Ratio(s, t, TopTraderPositionsRatio(s, t))));
        app.MapGet(TakerBuySellPath, (HttpContext http, string? symbol, string? period, int? limit, long? startTime, long? endTime) =>
            Statistics(http, TakerBuySellPath, symbol, period, limit, startTime, endTime, (s, t) =>
            {
                var ratio = TakerBuySellRatio(s, t);
                return new Dictionary<string, object> { ["buySellRatio"] = S(ratio), ["buyVol"] = S(ratio * 100), ["sellVol"] = "100", ["timestamp"] = t };
            }));
        app.MapGet(FundingRatePath, FundingRates);
    }

    private static Dictionary<string, object> Ratio(string symbol, long t, double ratio)
    {
        var longShare = Math.Round(ratio / (1 + ratio), 4);
        return new Dictionary<string, object>
        {
            ["symbol"] = symbol, ["longShortRatio"] = S(ratio), ["longAccount"] = S(longShare), ["shortAccount"] = S(1 - longShare), ["timestamp"] = t,
        };
    }

    /// <summary>Counts a request against its endpoint's limit per (sliding) 5 minutes; false past it.</summary>
    private bool Count(string path, int limitPerFiveMinutes)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_derivativesGate)
        {
            if (!_countWindows.TryGetValue(path, out var window))
            {
                _countWindows[path] = window = new Queue<long>();
            }
            while (window.Count > 0 && window.Peek() <= now - (5 * 60_000))
            {
                window.Dequeue();
            }
            if (window.Count >= limitPerFiveMinutes)
            {
                DataViolations++;
                return false;
            }
            window.Enqueue(now);
            return true;
        }
    }

    private IResult Statistics(HttpContext http, string path, string? symbol, string? period, int? limit, long? startTime, long? endTime,
        Func<string, long, Dictionary<string, object>> row)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var n = limit ?? 30;
        if (Interlocked.Decrement(ref TooManyDataRequests) >= 0)
        {
            DataRequests.Enqueue(new DataRequest(path, symbol, now, startTime, endTime, n, 429));
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new { code = -1003, msg = "Way too many requests; IP banned until later." }, statusCode: 429);
        }
        if (!Count(path, 1000))
        {
            DataRequests.Enqueue(new DataRequest(path, symbol, now, startTime, endTime, n, 429));
            http.Response.Headers.RetryAfter = "1";
            return Results.Json(new { code = -1003, msg = "Too many requests." }, statusCode: 429);
        }
        Charge(http, 0);
        var bad = symbol is null || !_symbols.Contains(symbol) || BrokenDataSymbols.ContainsKey(symbol) || period != "5m" || n is < 1 or > 500;
        DataRequests.Enqueue(new DataRequest(path, symbol, now, startTime, endTime, n, bad ? 400 : 200));
        if (bad)
        {
            return Results.Json(new { code = -1130, msg = "Data sent for parameter is not valid." }, statusCode: 400);
        }
        // The last 30 days, published at the period's start.
        var first = Math.Max(startTime ?? long.MinValue, now - (30L * 86_400_000));
        var last = Math.Min(endTime ?? now, now);
        var times = new List<long>();
        if (startTime is null && endTime is null)
        {
            for (var t = now / PeriodMs * PeriodMs; times.Count < n && t >= first; t -= PeriodMs)
            {
                times.Insert(0, t);
            }
        }
        else
        {
            for (var t = ((first + PeriodMs - 1) / PeriodMs) * PeriodMs; t <= last && times.Count < n; t += PeriodMs)
            {
                times.Add(t);
            }
        }
        return Results.Json(times.Where(t => !MissingPeriods.ContainsKey((path, symbol!, t))).Select(t => row(symbol!, t)).ToList());
    }

    private IResult FundingRates(HttpContext http, string? symbol, long? startTime, long? endTime, int? limit)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var n = limit ?? 100;
        if (!Count(FundingRatePath, 500))
        {
            DataRequests.Enqueue(new DataRequest(FundingRatePath, symbol, now, startTime, endTime, n, 429));
            http.Response.Headers.RetryAfter = "1";
            return Results.Json(new { code = -1003, msg = "Too many requests." }, statusCode: 429);
        }
        Charge(http, 0);
        var bad = (symbol is not null && !_symbols.Contains(symbol)) || n is < 1 or > 1000;
        DataRequests.Enqueue(new DataRequest(FundingRatePath, symbol, now, startTime, endTime, n, bad ? 400 : 200));
        if (bad)
        {
            return Results.Json(new { code = -1130, msg = "Data sent for parameter is not valid." }, statusCode: 400);
        }
        string[] symbols = symbol is not null ? [symbol] : [.. _symbols, UntrackedSymbol];
        var from = startTime ?? now - (30L * 86_400_000);
        var to = Math.Min(endTime ?? now, now);
        var rows = new List<object>();
        for (var end = (from / FundingIntervalMs) * FundingIntervalMs; SettlementTime(end) <= to && rows.Count < n; end += FundingIntervalMs)
        {
            var time = SettlementTime(end);
            if (time < from)
            {
                continue;
            }
            foreach (var s in symbols.Order(StringComparer.Ordinal))
            {
                if (rows.Count < n)
                {
                    rows.Add(new { symbol = s, fundingTime = time, fundingRate = S(FundingRate(s, end - 1)), markPrice = S(MarkPrice(s, end)) });
                }
            }
        }
        return Results.Json(rows);
    }

    /// <summary>What one connection has sent of the derivatives streams.</summary>
    private sealed class DerivativesCursor(HashSet<string> streams, FakeBinanceServer server)
    {
        public readonly bool MarkPrices = streams.Contains("!markPrice@arr@1s");
        public readonly bool ForceOrders = streams.Contains("!forceOrder@arr");
        public readonly HashSet<string> Streams = streams;
        public long MarkSecond = server._clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000;
        public int OrdersSent = server.PushedLiquidations.Count;
    }

    private async Task SendDerivativesAsync(WebSocket ws, DerivativesCursor cursor)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        List<string> frames = [];
        lock (_derivativesGate)
        {
            PublishForceOrders(now);
            if (cursor.ForceOrders)
            {
                for (; cursor.OrdersSent < _pushedOrders.Count; cursor.OrdersSent++)
                {
                    frames.Add(ForceOrderFrame(_pushedOrders[cursor.OrdersSent]));
                }
            }
            for (var i = 0; i < _injected.Count; i++)
            {
                if (cursor.Streams.Contains(_injected[i].Stream))
                {
                    frames.Add($"{{\"stream\":\"{_injected[i].Stream}\",\"data\":{_injected[i].Data}}}");
                    _injected.RemoveAt(i--);
                }
            }
        }
        if (cursor.MarkPrices && now / 1000 > cursor.MarkSecond)
        {
            cursor.MarkSecond = now / 1000;
            frames.Insert(0, MarkPriceFrame(cursor.MarkSecond * 1000));
            Interlocked.Increment(ref MarkPriceFramesSent);
        }
        foreach (var f in frames)
        {
            await SendAsync(ws, f);
        }
    }

    /// <summary>Orders whose second is over go out, per symbol only the latest of the second (Binance's snapshot rule).</summary>
    private void PublishForceOrders(long now)
    {
        var due = _pendingOrders.Where(o => o.Time / 1000 < now / 1000).ToList();
        if (due.Count == 0)
        {
            return;
        }
        _pendingOrders.RemoveAll(due.Contains);
        foreach (var group in due.GroupBy(o => (o.Symbol, o.Time / 1000)))
        {
            var kept = group.MaxBy(o => o.Time)!;
            _pushedOrders.Add(kept);
            SwallowedLiquidations += group.Count() - 1;
        }
    }

    private static string ForceOrderFrame(ForceOrder o) => Frame("!forceOrder@arr", new Dictionary<string, object?>
    {
        ["e"] = "forceOrder", ["E"] = o.Time + 3,
        ["o"] = new Dictionary<string, object?>
        {
            ["s"] = o.Symbol, ["S"] = o.Side, ["o"] = "LIMIT", ["f"] = "IOC", ["q"] = S(o.Quantity), ["p"] = S(Math.Round(o.Price * 0.99, 4)),
            ["ap"] = S(o.Price), ["X"] = "FILLED", ["l"] = S(o.Quantity), ["z"] = S(o.Quantity), ["T"] = o.Time,
        },
    });

    private string MarkPriceFrame(long eventTime)
    {
        var items = _symbols.Append(UntrackedSymbol).Select(s => (object)new Dictionary<string, object>
        {
            ["e"] = "markPriceUpdate", ["E"] = eventTime, ["s"] = s, ["p"] = S(MarkPrice(s, eventTime)), ["i"] = S(MarkPrice(s, eventTime) - 0.02),
            ["P"] = S(MarkPrice(s, eventTime) + 0.01), ["r"] = S(FundingRate(s, eventTime)), ["T"] = NextFundingTime(eventTime),
        }).Append(new Dictionary<string, object>
        {
            // A delivery contract: no funding.
            ["e"] = "markPriceUpdate", ["E"] = eventTime, ["s"] = "BTCUSDT_261225", ["p"] = "70000.1", ["i"] = "69990.5", ["P"] = "70001.2", ["r"] = "", ["T"] = 0,
        });
        return Frame("!markPrice@arr@1s", items.ToList());
    }
}
