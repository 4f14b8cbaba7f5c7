using System.Globalization;
using System.Net;
using System.Text.Json;
using Scalpaiboard.Market;

namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>A symbol of exchangeInfo.</summary>
public sealed record BinanceSymbol(string Symbol, string Status, string ContractType, string QuoteAsset);

public sealed record ExchangeInfo(IReadOnlyList<BinanceSymbol> Symbols, int? WeightLimitPerMinute);

/// <summary>Binance USDT-M futures REST (market data only) with request-weight accounting.</summary>
public sealed class BinanceRestClient(HttpClient http, RequestWeightLimiter limiter, TimeProvider time)
{
    public RequestWeightLimiter Limiter => limiter;

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

    private static Candle ParseRestKline(JsonElement k)
    {
        static double D(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.Parse(e.GetString()!, CultureInfo.InvariantCulture);
        return new Candle(k[0].GetInt64(), D(k[1]), D(k[2]), D(k[3]), D(k[4]), D(k[5]), D(k[7]), k[8].GetInt64(), D(k[9]), D(k[10]));
    }

    private async Task<JsonDocument> GetAsync(string path, int weight, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
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
