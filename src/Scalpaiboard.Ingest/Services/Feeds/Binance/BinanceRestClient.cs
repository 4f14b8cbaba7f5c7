using System.Globalization;
using System.Net;
using System.Text.Json;
using Scalpaiboard.Market;

namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>A symbol of exchangeInfo.</summary>
public sealed record BinanceSymbol(string Symbol, string Status, string ContractType, string QuoteAsset);

public sealed record ExchangeInfo(IReadOnlyList<BinanceSymbol> Symbols, int? WeightLimitPerMinute);

/// <summary>One 5-minute open-interest row of <c>/futures/data/openInterestHist</c>.</summary>
public readonly record struct OpenInterestRow(long Time, double OpenInterest, double OpenInterestValue);

/// <summary>One 5-minute row of a ratio endpoint of <c>/futures/data</c>.</summary>
public readonly record struct RatioRow(long Time, double Ratio);

/// <summary>A funding settlement of <c>/fapi/v1/fundingRate</c>.</summary>
public readonly record struct FundingRow(string Symbol, long Time, double Rate);

/// <summary>The ratio statistics of <c>/futures/data</c> (<see cref="BinanceRestClient.RatioPath"/> gives each one's path).</summary>
public enum FuturesRatio
{
    /// <summary><c>globalLongShortAccountRatio</c>: long/short account ratio of all traders.</summary>
    GlobalAccounts,

    /// <summary><c>topLongShortPositionRatio</c>: long/short position ratio of the top traders.</summary>
    TopTraderPositions,

    /// <summary><c>takerlongshortRatio</c>: taker buy/sell volume ratio.</summary>
    TakerBuySell,
}

/// <summary>
/// Binance USDT-M futures REST (market data only) with request-weight accounting, and request counting for the
/// endpoints limited by count instead (<c>/futures/data/*</c>: weight 0, 1000 requests per 5 minutes per IP each;
/// <c>/fapi/v1/fundingRate</c>: 500 per 5 minutes per IP).
/// </summary>
public sealed class BinanceRestClient(
    HttpClient http, RequestWeightLimiter limiter, TimeProvider time, int dataRequestsPerFiveMinutes = 1000, int fundingRequestsPerFiveMinutes = 500)
{
    public const string OpenInterestPath = "/futures/data/openInterestHist";
    public const string GlobalAccountsPath = "/futures/data/globalLongShortAccountRatio";
    public const string TopTraderPositionsPath = "/futures/data/topLongShortPositionRatio";
    public const string TakerBuySellPath = "/futures/data/takerlongshortRatio";
    public const string FundingRatePath = "/fapi/v1/fundingRate";

    /// <summary>The statistics' period we ask for (5m).</summary>
    public const long PeriodMs = 300_000;

    /// <summary>The most rows a statistic and the funding history answer with.</summary>
    public const int MaxDataRows = 500;
    public const int MaxFundingRows = 1000;

    private static readonly TimeSpan CountWindow = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, RequestCountLimiter> _counted = new(StringComparer.Ordinal)
    {
        [OpenInterestPath] = new(time, dataRequestsPerFiveMinutes, CountWindow, limiter.BudgetFraction),
        [GlobalAccountsPath] = new(time, dataRequestsPerFiveMinutes, CountWindow, limiter.BudgetFraction),
        [TopTraderPositionsPath] = new(time, dataRequestsPerFiveMinutes, CountWindow, limiter.BudgetFraction),
        [TakerBuySellPath] = new(time, dataRequestsPerFiveMinutes, CountWindow, limiter.BudgetFraction),
        [FundingRatePath] = new(time, fundingRequestsPerFiveMinutes, CountWindow, limiter.BudgetFraction),
    };

    public RequestWeightLimiter Limiter => limiter;

    public static string RatioPath(FuturesRatio ratio) => ratio switch
    {
        FuturesRatio.GlobalAccounts => GlobalAccountsPath,
        FuturesRatio.TopTraderPositions => TopTraderPositionsPath,
        _ => TakerBuySellPath,
    };

    /// <summary>Requests answered 429/418 (each followed by a pause).</summary>
    public long RateLimited { get; private set; }

    public async Task<ExchangeInfo> GetExchangeInfoAsync(CancellationToken cancellationToken)
    {
        using var doc = await GetAsync("/fapi/v1/exchangeInfo", 1, cancellationToken);
        var root = doc.RootElement;
        int? limit = null;
        if (root.TryGetProperty("rateLimits", out var limits))
        {
            foreach (var l in limits.EnumerateArray())
            {
                if (l.GetProperty("rateLimitType").GetString() == "REQUEST_WEIGHT" && l.GetProperty("interval").GetString() == "MINUTE")
                {
                    var perMinute = l.GetProperty("limit").GetInt32() / Math.Max(1, l.TryGetProperty("intervalNum", out var n) ? n.GetInt32() : 1);
                    limit = perMinute;
                }
            }
        }
        var symbols = new List<BinanceSymbol>();
        foreach (var s in root.GetProperty("symbols").EnumerateArray())
        {
            symbols.Add(new BinanceSymbol(
                s.GetProperty("symbol").GetString()!,
                s.TryGetProperty("status", out var st) ? st.GetString() ?? "" : "",
                s.TryGetProperty("contractType", out var ct) ? ct.GetString() ?? "" : "",
                s.TryGetProperty("quoteAsset", out var qa) ? qa.GetString() ?? "" : ""));
        }
        if (limit is { } l2)
        {
            limiter.SetLimit(l2);
        }
        return new ExchangeInfo(symbols, limit);
    }

    /// <summary>
    /// Closed 1m klines with open time in [<paramref name="from"/>, <paramref name="to"/>] (Unix ms), oldest first,
    /// paging as needed. The forming kline the server includes at the end is left out.
    /// </summary>
    public async Task<List<Candle>> GetClosedKlinesAsync(string symbol, long from, long to, CancellationToken cancellationToken)
    {
        var result = new List<Candle>();
        var start = from;
        while (start <= to)
        {
            var minutes = (int)Math.Min(1000, (to - start) / Candle.MinuteMs + 1);
            var weight = minutes < 100 ? 1 : minutes < 500 ? 2 : minutes <= 1000 ? 5 : 10;
            var path = string.Create(CultureInfo.InvariantCulture,
                $"/fapi/v1/klines?symbol={symbol}&interval=1m&startTime={start}&endTime={to + Candle.MinuteMs - 1}&limit={minutes}");
            using var doc = await GetAsync(path, weight, cancellationToken);
            var count = 0;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var k in doc.RootElement.EnumerateArray())
            {
                count++;
                var candle = ParseRestKline(k);
                if (candle.OpenTime + Candle.MinuteMs > now || candle.OpenTime < start || candle.OpenTime > to)
                {
                    continue;
                }
                result.Add(candle);
            }
            if (count == 0)
            {
                break;
            }
            start += minutes * Candle.MinuteMs;
        }
        return result;
    }

    /// <summary>
    /// The last <paramref name="count"/> closed klines of <paramref name="interval"/> (e.g. <c>4h</c>, lasting
    /// <paramref name="durationMs"/>) that end at or before <paramref name="before"/>, oldest first: pages of at most
    /// 499 (weight 2; under 100: weight 1) walking back with <c>endTime</c>, until the count or the listing is reached.
    /// </summary>
    public async Task<List<Candle>> GetClosedBarsBeforeAsync(string symbol, string interval, long durationMs, long before, int count, CancellationToken cancellationToken)
    {
        var pages = new List<List<Candle>>();
        var end = before - 1;
        var total = 0;
        while (total < count)
        {
            var n = Math.Min(499, count - total);
            var path = string.Create(CultureInfo.InvariantCulture, $"/fapi/v1/klines?symbol={symbol}&interval={interval}&endTime={end}&limit={n}");
            using var doc = await GetAsync(path, n < 100 ? 1 : 2, cancellationToken);
            var page = new List<Candle>(n);
            var rows = 0;
            foreach (var k in doc.RootElement.EnumerateArray())
            {
                rows++;
                var bar = ParseRestKline(k);
                if (bar.OpenTime + durationMs <= before && bar.OpenTime <= end)
                {
                    page.Add(bar);
                }
            }
            if (page.Count == 0)
            {
                break;
            }
            pages.Add(page);
            total += page.Count;
            end = page[0].OpenTime - 1;
            if (rows < n)
            {
                break; // the symbol's listing
            }
        }
        var result = new List<Candle>(total);
        for (var i = pages.Count - 1; i >= 0; i--)
        {
            result.AddRange(pages[i]);
        }
        // Oldest first, each once, the newest count.
        result = result.DistinctBy(b => b.OpenTime).OrderBy(b => b.OpenTime).ToList();
        return result.Count > count ? result[^count..] : result;
    }

    /// <summary>
    /// The 5-minute open interest of a symbol with timestamps in [<paramref name="from"/>, <paramref name="to"/>]
    /// (Unix ms), oldest first; at most <see cref="MaxDataRows"/> (the server keeps 30 days).
    /// </summary>
    public async Task<List<OpenInterestRow>> GetOpenInterestHistoryAsync(string symbol, long from, long to, CancellationToken cancellationToken)
    {
        using var doc = await GetAsync(DataPath(OpenInterestPath, symbol, from, to), 0, cancellationToken, _counted[OpenInterestPath]);
        var rows = new List<OpenInterestRow>();
        foreach (var r in doc.RootElement.EnumerateArray())
        {
            rows.Add(new OpenInterestRow(BinanceJson.Integer(r, "timestamp"), BinanceJson.Number(r, "sumOpenInterest"), BinanceJson.Number(r, "sumOpenInterestValue")));
        }
        rows.Sort((a, b) => a.Time.CompareTo(b.Time));
        return rows;
    }

    /// <summary>The 5-minute rows of a ratio statistic, as <see cref="GetOpenInterestHistoryAsync"/>.</summary>
    public async Task<List<RatioRow>> GetRatioHistoryAsync(FuturesRatio ratio, string symbol, long from, long to, CancellationToken cancellationToken)
    {
        var path = RatioPath(ratio);
        var field = ratio == FuturesRatio.TakerBuySell ? "buySellRatio" : "longShortRatio";
        using var doc = await GetAsync(DataPath(path, symbol, from, to), 0, cancellationToken, _counted[path]);
        var rows = new List<RatioRow>();
        foreach (var r in doc.RootElement.EnumerateArray())
        {
            rows.Add(new RatioRow(BinanceJson.Integer(r, "timestamp"), BinanceJson.Number(r, field)));
        }
        rows.Sort((a, b) => a.Time.CompareTo(b.Time));
        return rows;
    }

    /// <summary>
    /// The funding settlements of every symbol with <c>fundingTime</c> in [<paramref name="from"/>, <paramref name="to"/>],
    /// oldest first: one request covers all symbols (no <c>symbol</c> parameter), pages of 1000 walking forward from
    /// the last time seen (a page may end inside a group of settlements sharing a millisecond; they are read again and
    /// kept once).
    /// </summary>
    public async Task<List<FundingRow>> GetFundingRatesAsync(long from, long to, CancellationToken cancellationToken)
    {
        var result = new List<FundingRow>();
        var seen = new HashSet<(string, long)>();
        var start = from;
        while (start <= to)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{FundingRatePath}?startTime={start}&endTime={to}&limit={MaxFundingRows}");
            using var doc = await GetAsync(path, 0, cancellationToken, _counted[FundingRatePath]);
            var rows = 0;
            var last = start;
            foreach (var r in doc.RootElement.EnumerateArray())
            {
                rows++;
                var row = new FundingRow(BinanceJson.Text(r, "symbol"), BinanceJson.Integer(r, "fundingTime"), BinanceJson.Number(r, "fundingRate"));
                last = Math.Max(last, row.Time);
                if (seen.Add((row.Symbol, row.Time)))
                {
                    result.Add(row);
                }
            }
            if (rows < MaxFundingRows)
            {
                break;
            }
            // A full page of one millisecond cannot move on otherwise (more settlements at once than a page holds).
            start = last > start ? last : start + 1;
        }
        result.Sort((a, b) => a.Time.CompareTo(b.Time));
        return result;
    }

    private static string DataPath(string path, string symbol, long from, long to)
    {
        var periods = (int)Math.Clamp(((to - from) / PeriodMs) + 1, 1, MaxDataRows);
        return string.Create(CultureInfo.InvariantCulture, $"{path}?symbol={symbol}&period=5m&startTime={from}&endTime={to}&limit={periods}");
    }

    private static Candle ParseRestKline(JsonElement k)
    {
        static double D(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.Parse(e.GetString()!, CultureInfo.InvariantCulture);
        return new Candle(k[0].GetInt64(), D(k[1]), D(k[2]), D(k[3]), D(k[4]), D(k[5]), D(k[7]), k[8].GetInt64(), D(k[9]), D(k[10]));
    }

    private async Task<JsonDocument> GetAsync(string path, int weight, CancellationToken cancellationToken, RequestCountLimiter? counted = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (counted is not null)
            {
                await counted.AcquireAsync(cancellationToken);
            }
            // Weight 0 still waits out a 429/418 pause.
            await limiter.AcquireAsync(weight, cancellationToken);
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (response.Headers.TryGetValues("X-MBX-USED-WEIGHT-1M", out var values)
                && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var used))
            {
                limiter.Observe(used);
            }
            if (response.StatusCode is HttpStatusCode.TooManyRequests or (HttpStatusCode)418)
            {
                RateLimited++;
                var retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(Math.Min(60, 2 * attempt));
                limiter.Pause(retryAfter);
                continue;
            }
            if ((int)response.StatusCode >= 500 && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
                continue;
            }
            response.EnsureSuccessStatusCode();
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
    }
}
