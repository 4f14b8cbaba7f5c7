using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Apis;

public static class CoinsApi
{
    public const int MaxPageSize = 1000;
    public const int MaxCandles = 1500;
    public const int MaxDepth = 1000;

    public static IEndpointRouteBuilder MapCoinsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/coins").WithTags("Market");
        api.MapGet("", GetCoins).WithSummary("The screener: every symbol's latest metrics, paged, sorted and filtered (min<Field>/max<Field>).");
        api.MapGet("/{symbol}", GetCoin).WithSummary("One symbol's screener row.");
        api.MapGet("/{symbol}/candles", GetCandles).WithSummary("UTC-aligned bars, oldest first (1m from the store, larger timeframes aggregated).");
        api.MapGet("/{symbol}/derivatives", GetDerivatives).WithSummary("Open interest, funding, long/short ratio and liquidations at 5-minute steps, oldest first.");
        api.MapGet("/{symbol}/orderbook", GetOrderBook).WithSummary("The order book, optionally summed into price buckets.");
        return app;
    }

    /// <summary>
    /// Answered from the current snapshot's response cache when the same query string (or the same normalised
    /// query) was answered since the last state change: one lookup and one write of the cached bytes. Otherwise the
    /// query is validated, the pre-sorted rows filtered and the page's pre-written rows copied into a new body.
    /// A cached answer is sent gzip when Accept-Encoding allows it (compressed once per entry), an uncached one plain.
    /// </summary>
    public static Results<CoinsJson, ValidationProblem> GetCoins(
        HttpRequest request, CoinTable coins,
        string? page, string? pageSize, string? sortBy, string? sortOrder, string? search)
    {
        // Cached answers may be gzip (CoinsJson): every answer of this endpoint, problems too, varies by Accept-Encoding.
        request.HttpContext.Response.Headers.Vary = "Accept-Encoding";
        var snapshot = coins.Current();
        var rawKey = request.QueryString.Value ?? "";
        if (snapshot.Responses.TryGet(rawKey, out var cached))
        {
            return cached;
        }
        if (!ApiResults.TryInt(page, "page", 1, 1, int.MaxValue, out var p, out var problem)
            || !ApiResults.TryInt(pageSize, "pageSize", 50, 1, MaxPageSize, out var size, out problem))
        {
            return problem;
        }
        var sortField = -1;
        var sortName = sortBy ?? "quoteVolume_1d";
        if (!string.Equals(sortName, "symbol", StringComparison.OrdinalIgnoreCase) && !CoinFields.TryFind(sortName, out sortField))
        {
            return ApiResults.Invalid("sortBy", $"unknown field '{sortName}'; valid: symbol, {string.Join(", ", CoinFields.Names)}");
        }
        var descending = true;
        if (sortOrder is not null)
        {
            if (string.Equals(sortOrder, "asc", StringComparison.OrdinalIgnoreCase))
            {
                descending = false;
            }
            else if (!string.Equals(sortOrder, "desc", StringComparison.OrdinalIgnoreCase))
            {
                return ApiResults.Invalid("sortOrder", "must be asc or desc");
            }
        }
        else if (sortField < 0)
        {
            descending = false;
        }
        var filters = new List<(int Field, bool IsMin, double Bound)>();
        foreach (var (key, values) in request.Query)
        {
            var isMin = key.StartsWith("min", StringComparison.OrdinalIgnoreCase);
            if (!isMin && !key.StartsWith("max", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var fieldName = key[3..];
            if (!CoinFields.TryFind(fieldName, out var field))
            {
                return ApiResults.Invalid(key, $"unknown field '{fieldName}'; valid: {string.Join(", ", CoinFields.Names)}");
            }
            var text = values.ToString();
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) || !double.IsFinite(bound))
            {
                return ApiResults.Invalid(key, $"'{text}' is not a number");
            }
            filters.Add((field, isMin, bound));
        }
        var term = string.IsNullOrEmpty(search) ? null : search.Trim();

        // The same page asked differently (parameter order, case of names, empty parameters) shares one body.
        filters.Sort();
        var normalized = new System.Text.StringBuilder("\n")
            .Append(CultureInfo.InvariantCulture, $"{p}|{size}|{sortField}|{descending}|");
        foreach (var (field, isMin, bound) in filters)
        {
            normalized.Append(CultureInfo.InvariantCulture, $"{field}{(isMin ? '>' : '<')}{bound:R}|");
        }
        normalized.Append(term is null ? "\0" : "=" + term);
        var normalizedKey = normalized.ToString();
        if (!snapshot.Responses.TryGet(normalizedKey, out var response))
        {
            var body = WritePage(snapshot.Sorted(sortField, descending), term, filters, p, size);
            response = new CoinsJson(body);
            if (!snapshot.Responses.TryAdd(normalizedKey, response))
            {
                // Not kept (cache full, or another request just kept the same page): compressing it for this one
                // answer would cost more CPU than sending the plain bytes saves (docs/performance.md), so it goes plain.
                return new CoinsJson(body, compressible: false);
            }
        }
        snapshot.Responses.TryAdd(rawKey, response);
        return response;
    }

    /// <summary>
    /// <c>{"data":[rows],"total":n,"page":p,"pageSize":s}</c>, exactly what serializing a <see cref="CoinsPage"/>
    /// with the web defaults gives: the rows that pass the search and every bound, in the snapshot's order.
    /// </summary>
    private static byte[] WritePage(CoinRow[] sorted, string? term, List<(int Field, bool IsMin, double Bound)> filters, int page, int size)
    {
        var skip = (long)(page - 1) * size;
        var data = new List<CoinRow>(Math.Min(size, sorted.Length));
        var total = 0;
        foreach (var row in sorted)
        {
            if (term is not null && !row.Symbol.Contains(term, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var keep = true;
            foreach (var (field, isMin, bound) in filters)
            {
                var v = row.Values[field];
                // An unavailable value never satisfies a bound.
                if (!double.IsFinite(v) || (isMin ? v < bound : v > bound))
                {
                    keep = false;
                    break;
                }
            }
            if (!keep)
            {
                continue;
            }
            if (total >= skip && data.Count < size)
            {
                data.Add(row);
            }
            total++;
        }

        var tail = System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"],\"total\":{total},\"page\":{page},\"pageSize\":{size}}}"));
        ReadOnlySpan<byte> head = "{\"data\":["u8;
        var length = head.Length + tail.Length + Math.Max(0, data.Count - 1);
        foreach (var row in data)
        {
            length += row.Json.Length;
        }
        var body = new byte[length];
        head.CopyTo(body);
        var at = head.Length;
        for (var i = 0; i < data.Count; i++)
        {
            if (i > 0)
            {
                body[at++] = (byte)',';
            }
            var json = data[i].Json;
            json.CopyTo(body, at);
            at += json.Length;
        }
        tail.CopyTo(body, at);
        return body;
    }

    public static Results<Ok<Dictionary<string, object?>>, ProblemHttpResult> GetCoin(string symbol, MarketState state)
    {
        symbol = ApiResults.Normalize(symbol);
        if (!state.TryGet(symbol, out var s))
        {
            return ApiResults.UnknownSymbol(symbol);
        }
        double[] values;
        lock (s.Gate)
        {
            values = CoinFields.Read(s);
        }
        return TypedResults.Ok(CoinFields.ToJson(symbol, values));
    }

    public static async Task<Results<Ok<CandlesResponse>, ValidationProblem, ProblemHttpResult>> GetCandles(
        string symbol, MarketState state, CandleStore store, BarStore barStore, string? timeframe, string? limit, string? from, string? to,
        CancellationToken cancellationToken)
    {
        symbol = ApiResults.Normalize(symbol);
        var tfName = timeframe ?? "1m";
        if (!Timeframes.TryParse(tfName, out var tf))
        {
            return ApiResults.Invalid("timeframe", $"'{tfName}' is not a timeframe; valid: {string.Join(", ", Timeframes.Names)}");
        }
        if (!ApiResults.TryInt(limit, "limit", 500, 1, MaxCandles, out var n, out var problem)
            || !ApiResults.TryTime(from, "from", out var fromMs, out problem)
            || !ApiResults.TryTime(to, "to", out var toMs, out problem))
        {
            return problem;
        }
        if (fromMs is { } f0 && toMs is { } t0 && f0 > t0)
        {
            return ApiResults.Invalid("from", "must not be after 'to'");
        }
        if (!state.TryGet(symbol, out var s))
        {
            return ApiResults.UnknownSymbol(symbol);
        }
        var minutes = Timeframes.Minutes[(int)tf];
        var stored = await store.ReadBarsAsync(symbol, minutes, fromMs, toMs, n, cancellationToken);
        var bars = stored.Select(b => new CandleDto(b.OpenTime, b.Open, b.High, b.Low, b.Close, b.Volume, b.QuoteVolume, b.Trades)).ToList();
        var ascending = fromMs is not null && toMs is null;
        if (tf >= Timeframe.H4 && (ascending || bars.Count < n))
        {
            // Before the oldest stored 1m candle's bar: the stored 4h/8h/1d bars (the seeded history, and bars whose
            // 1m candles retention deleted), so a daily chart reaches back as far as the indicators do.
            var cut = await store.FirstOpenTimeAsync(symbol, long.MinValue, cancellationToken) is { } first ? tf.AlignedOpen(first) : long.MaxValue;
            var lower = fromMs is { } fl ? tf.AlignedOpen(fl) : long.MinValue;
            var upper = toMs is { } tu && tu < cut ? tu + 1 : cut;
            if (lower < upper)
            {
                var older = await barStore.ReadRangeAsync(symbol, tf, lower, upper, ascending ? n : n - bars.Count, newest: !ascending, cancellationToken);
                bars.InsertRange(0, older.Select(b => CandleDto.From(b)));
                if (ascending && bars.Count > n)
                {
                    bars.RemoveRange(n, bars.Count - n);
                }
            }
        }

        // Closed candles not yet in the store, and the forming one, come from memory.
        List<Candle> extra;
        lock (s.Gate)
        {
            extra = s.RecentAfter(s.StoredOpenTime);
            if (s.Forming is { } forming && forming.OpenTime > (extra.Count > 0 ? extra[^1].OpenTime : s.StoredOpenTime))
            {
                extra.Add(forming);
            }
        }
        foreach (var c in extra)
        {
            var open = tf.AlignedOpen(c.OpenTime);
            if ((toMs is { } t && open > t) || (fromMs is { } fr && open + tf.DurationMs() <= fr))
            {
                continue;
            }
            if (bars.Count > 0 && bars[^1].OpenTime == open)
            {
                var b = bars[^1];
                bars[^1] = new CandleDto(open, b.Open, Math.Max(b.High, c.High), Math.Min(b.Low, c.Low), c.Close,
                    b.Volume + c.Volume, b.QuoteVolume + c.QuoteVolume, b.Trades + c.Trades);
            }
            else if (bars.Count == 0 || bars[^1].OpenTime < open)
            {
                if (ascending && bars.Count >= n)
                {
                    break;
                }
                bars.Add(new CandleDto(open, c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume, c.Trades));
            }
        }
        if (bars.Count > n)
        {
            bars.RemoveRange(0, bars.Count - n);
        }
        return TypedResults.Ok(new CandlesResponse(symbol, tf.Name(), bars));
    }

    public const int MaxDerivativesPoints = 3000;

    /// <summary>
    /// The 5-minute derivatives history of a symbol (../docs/DERIVATIVES.md): by default the day up to its last close;
    /// at most <see cref="MaxDerivativesPoints"/> points (about ten days), the oldest of the range first.
    /// </summary>
    public static async Task<Results<Ok<DerivativesResponse>, ValidationProblem, ProblemHttpResult>> GetDerivatives(
        string symbol, MarketState state, DerivativesStore store, IngestPipeline pipeline, string? from, string? to, CancellationToken cancellationToken)
    {
        symbol = ApiResults.Normalize(symbol);
        if (!ApiResults.TryTime(from, "from", out var fromMs, out var problem) || !ApiResults.TryTime(to, "to", out var toMs, out problem))
        {
            return problem;
        }
        if (fromMs is { } f0 && toMs is { } t0 && f0 > t0)
        {
            return ApiResults.Invalid("from", "must not be after 'to'");
        }
        if (!state.TryGet(symbol, out var s))
        {
            return ApiResults.UnknownSymbol(symbol);
        }
        long last;
        lock (s.Gate)
        {
            last = s.LastClosed is { } c ? c.OpenTime + Candle.MinuteMs : 0;
        }
        var upper = toMs ?? (last > 0 ? last : long.MaxValue);
        var lower = fromMs ?? (upper == long.MaxValue ? 0 : upper - (24 * 3_600_000L));
        var points = await store.ReadPointsAsync(symbol, lower, upper, MaxDerivativesPoints, pipeline.TracksLiquidations, cancellationToken);
        return TypedResults.Ok(new DerivativesResponse(symbol, points));
    }

    public static Results<Ok<OrderBookResponse>, ValidationProblem, ProblemHttpResult> GetOrderBook(
        string symbol, MarketState state, IOptions<IngestOptions> options, TimeProvider time, string? depth, string? bucket)
    {
        symbol = ApiResults.Normalize(symbol);
        if (!ApiResults.TryInt(depth, "depth", 100, 1, MaxDepth, out var d, out var problem))
        {
            return problem;
        }
        double? step = null;
        if (!string.IsNullOrEmpty(bucket))
        {
            if (!double.TryParse(bucket, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || !(b > 0) || !double.IsFinite(b))
            {
                return ApiResults.Invalid("bucket", "must be a positive price step");
            }
            step = b;
        }
        if (!state.TryGet(symbol, out var s))
        {
            return ApiResults.UnknownSymbol(symbol);
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        state.WatchedBooks[symbol] = now;
        var book = LivePublisher.CurrentBook(s, options.Value, now) ?? new OrderBookSnapshot(symbol, now, [], [], Synthetic: false);
        return TypedResults.Ok(LivePublisher.ToResponse(book, d, step));
    }
}
