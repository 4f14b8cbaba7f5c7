using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Services.Patterns;

namespace Scalpaiboard.Ai.Services.Tools;

/// <summary>
/// The assistant's tools ("plugins"): each public method becomes an AIFunction whose JSON schema comes from its
/// [Description] attributes. One instance per chat request, bound to that request's user and conversation; every
/// service call is made as that user. Bad arguments throw <see cref="ToolException"/>, which the loop returns
/// to the model as <c>{"error": "..."}</c>.
/// </summary>
public sealed partial class AssistantTools(MarketServicesClient api, ExportStore exports, ToolSession session, TimeProvider time)
{
    public const string FilterCoins = "filter_coins";
    public const string GetCoinAnalysis = "get_coin_analysis";
    public const string CreateAlert = "create_alert";
    public const string AddToWatchlist = "add_to_watchlist";
    public const string AnalyzePattern = "analyze_pattern";
    public const string ExportResults = "export_results";
    public const string GetPortfolio = "get_portfolio";

    public static readonly string[] Windows = ["5m", "15m", "1h", "4h", "8h", "1d"];
    public static readonly string[] Timeframes = ["1m", "5m", "15m", "1h", "4h", "8h", "1d"];
    public static readonly string[] ConditionTypes =
    [
        "price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above",
        "rsi_above", "rsi_below", "rsi_cross", "macd_cross", "bb_breakout",
    ];
    private static readonly string[] HeadlineFields =
    [
        "symbol", "price", "change_5m", "change_15m", "change_1h", "change_4h", "change_8h", "change_1d",
        "quoteVolume_5m", "quoteVolume_15m", "quoteVolume_1h", "quoteVolume_4h", "quoteVolume_8h", "quoteVolume_1d", "rsi14_1h",
    ];
    private static readonly string[] WindowedConditions = ["change_above", "change_below", "volume_above"];
    private static readonly string[] ValuelessConditions = ["macd_cross", "bb_breakout"];

    [GeneratedRegex("^(min|max)[A-Za-z][A-Za-z0-9]*(_[0-9]+[mhd])?$")]
    private static partial Regex BoundName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*(_[0-9]+[mhd])?$")]
    private static partial Regex FieldName();

    [Description("Screens the USDT-M futures market: coins whose metrics lie within the given bounds, sorted. " +
        "Windows are 5m, 15m, 1h, 4h, 8h, 1d; change_<window> is the price change in percent, quoteVolume_<window> the traded " +
        "volume in USDT. Every bound is optional.")]
    public async Task<JsonObject> FilterCoinsAsync(
        [Description("Minimum 5-minute price change, percent")] double? minChange_5m = null,
        [Description("Maximum 5-minute price change, percent")] double? maxChange_5m = null,
        [Description("Minimum 15-minute price change, percent")] double? minChange_15m = null,
        [Description("Maximum 15-minute price change, percent")] double? maxChange_15m = null,
        [Description("Minimum 1-hour price change, percent")] double? minChange_1h = null,
        [Description("Maximum 1-hour price change, percent")] double? maxChange_1h = null,
        [Description("Minimum 4-hour price change, percent")] double? minChange_4h = null,
        [Description("Maximum 4-hour price change, percent")] double? maxChange_4h = null,
        [Description("Minimum 8-hour price change, percent")] double? minChange_8h = null,
        [Description("Maximum 8-hour price change, percent")] double? maxChange_8h = null,
        [Description("Minimum 1-day price change, percent")] double? minChange_1d = null,
        [Description("Maximum 1-day price change, percent")] double? maxChange_1d = null,
        [Description("Minimum 5-minute quote volume, USDT")] double? minQuoteVolume_5m = null,
        [Description("Maximum 5-minute quote volume, USDT")] double? maxQuoteVolume_5m = null,
        [Description("Minimum 15-minute quote volume, USDT")] double? minQuoteVolume_15m = null,
        [Description("Maximum 15-minute quote volume, USDT")] double? maxQuoteVolume_15m = null,
        [Description("Minimum 1-hour quote volume, USDT")] double? minQuoteVolume_1h = null,
        [Description("Maximum 1-hour quote volume, USDT")] double? maxQuoteVolume_1h = null,
        [Description("Minimum 4-hour quote volume, USDT")] double? minQuoteVolume_4h = null,
        [Description("Maximum 4-hour quote volume, USDT")] double? maxQuoteVolume_4h = null,
        [Description("Minimum 8-hour quote volume, USDT")] double? minQuoteVolume_8h = null,
        [Description("Maximum 8-hour quote volume, USDT")] double? maxQuoteVolume_8h = null,
        [Description("Minimum 1-day quote volume, USDT")] double? minQuoteVolume_1d = null,
        [Description("Maximum 1-day quote volume, USDT")] double? maxQuoteVolume_1d = null,
        [Description("Minimum last price")] double? minPrice = null,
        [Description("Maximum last price")] double? maxPrice = null,
        [Description("Minimum RSI(14) on 1h bars, 0-100")] double? minRsi14_1h = null,
        [Description("Maximum RSI(14) on 1h bars, 0-100")] double? maxRsi14_1h = null,
        [Description("Bounds on any other metric field of the screener, as {\"min<Field>\" or \"max<Field>\": number}, " +
            "for example {\"minRsi14_15m\": 30, \"maxChange_1d\": 10}")] Dictionary<string, double>? filters = null,
        [Description("Field to sort by, e.g. quoteVolume_1h, change_5m, change_1d, price, rsi14_1h (default quoteVolume_1d)")] string? sortBy = null,
        [Description("Sort order: desc (largest first, the default) or asc")][AllowedValues("asc", "desc", null)] string? sortOrder = null,
        [Description("How many coins to return, 1-100 (default 20)")] int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var bounds = new List<(string Name, double? Value)>
        {
            (nameof(minChange_5m), minChange_5m), (nameof(maxChange_5m), maxChange_5m),
            (nameof(minChange_15m), minChange_15m), (nameof(maxChange_15m), maxChange_15m),
            (nameof(minChange_1h), minChange_1h), (nameof(maxChange_1h), maxChange_1h),
            (nameof(minChange_4h), minChange_4h), (nameof(maxChange_4h), maxChange_4h),
            (nameof(minChange_8h), minChange_8h), (nameof(maxChange_8h), maxChange_8h),
            (nameof(minChange_1d), minChange_1d), (nameof(maxChange_1d), maxChange_1d),
            (nameof(minQuoteVolume_5m), minQuoteVolume_5m), (nameof(maxQuoteVolume_5m), maxQuoteVolume_5m),
            (nameof(minQuoteVolume_15m), minQuoteVolume_15m), (nameof(maxQuoteVolume_15m), maxQuoteVolume_15m),
            (nameof(minQuoteVolume_1h), minQuoteVolume_1h), (nameof(maxQuoteVolume_1h), maxQuoteVolume_1h),
            (nameof(minQuoteVolume_4h), minQuoteVolume_4h), (nameof(maxQuoteVolume_4h), maxQuoteVolume_4h),
            (nameof(minQuoteVolume_8h), minQuoteVolume_8h), (nameof(maxQuoteVolume_8h), maxQuoteVolume_8h),
            (nameof(minQuoteVolume_1d), minQuoteVolume_1d), (nameof(maxQuoteVolume_1d), maxQuoteVolume_1d),
            (nameof(minPrice), minPrice), (nameof(maxPrice), maxPrice),
            (nameof(minRsi14_1h), minRsi14_1h), (nameof(maxRsi14_1h), maxRsi14_1h),
        };
        foreach (var (name, value) in filters ?? [])
        {
            if (!BoundName().IsMatch(name))
            {
                throw new ToolException($"filters: '{name}' is not a bound; use min<Field> or max<Field>, e.g. minRsi14_15m");
            }
            bounds.Add((name, value));
        }
        var applied = new JsonObject();
        var query = new List<string>();
        foreach (var (name, value) in bounds)
        {
            if (value is not { } v)
            {
                continue;
            }
            if (!double.IsFinite(v))
            {
                throw new ToolException($"{name}: must be a finite number");
            }
            applied[name] = v;
            query.Add($"{name}={v.ToString("R", CultureInfo.InvariantCulture)}");
        }
        var sort = string.IsNullOrWhiteSpace(sortBy) ? "quoteVolume_1d" : sortBy.Trim();
        if (!FieldName().IsMatch(sort))
        {
            throw new ToolException($"sortBy: '{sortBy}' is not a metric field name (e.g. quoteVolume_1h, change_5m)");
        }
        var order = string.IsNullOrWhiteSpace(sortOrder) ? "desc" : sortOrder.Trim().ToLowerInvariant();
        if (order is not ("asc" or "desc"))
        {
            throw new ToolException($"sortOrder: must be asc or desc, not '{sortOrder}'");
        }
        var size = limit ?? 20;
        if (size is < 1 or > 100)
        {
            throw new ToolException("limit: must be between 1 and 100");
        }
        query.Add($"sortBy={Uri.EscapeDataString(sort)}");
        query.Add($"sortOrder={order}");
        query.Add("page=1");
        query.Add($"pageSize={size}");
        var response = await api.GetAsync(session.UserId, $"{MarketServicesClient.Ingest}/api/coins?{string.Join('&', query)}", cancellationToken);
        var data = response?["data"] as JsonArray ?? response as JsonArray ?? [];
        // A coin carries dozens of indicator fields; the model gets the headline ones plus those it filtered or sorted
        // on, which keeps a 20-coin answer to a few thousand tokens.
        var wanted = new HashSet<string>(HeadlineFields, StringComparer.OrdinalIgnoreCase) { sort };
        foreach (var name in applied.Select(a => a.Key))
        {
            wanted.Add(name[3..]);
        }
        var coins = new JsonArray();
        foreach (var coin in data.OfType<JsonObject>())
        {
            var slim = new JsonObject();
            foreach (var (key, value) in coin)
            {
                if (wanted.Contains(key))
                {
                    slim[key] = value?.DeepClone();
                }
            }
            coins.Add(slim);
        }
        return new JsonObject
        {
            ["total"] = response?["total"]?.DeepClone() ?? data.Count,
            ["count"] = data.Count,
            ["sortBy"] = sort,
            ["sortOrder"] = order,
            ["filters"] = applied,
            ["coins"] = coins,
        };
    }

    [Description("Analyses one coin on a timeframe: current metrics and indicators, trend, support and resistance " +
        "levels from swing points and pivots, and its recent preset signals.")]
    public async Task<JsonObject> GetCoinAnalysisAsync(
        [Description("Symbol, e.g. BTCUSDT (BTC is read as BTCUSDT)")] string symbol,
        [Description("Bar timeframe: 1m, 5m, 15m, 1h, 4h, 8h or 1d (default 1h)")]
        [AllowedValues("1m", "5m", "15m", "1h", "4h", "8h", "1d", null)] string? timeframe = null,
        CancellationToken cancellationToken = default)
    {
        var sym = NormalizeSymbol(symbol);
        var tf = NormalizeTimeframe(timeframe);
        var coinTask = api.GetAsync(session.UserId, $"{MarketServicesClient.Ingest}/api/coins/{sym}", cancellationToken);
        var candlesTask = api.GetAsync(session.UserId, $"{MarketServicesClient.Ingest}/api/coins/{sym}/candles?timeframe={tf}&limit=200", cancellationToken);
        var metricsTask = Optional(api.GetAsync(session.UserId, $"{MarketServicesClient.Ingest}/api/metrics/{sym}", cancellationToken));
        var signalsTask = Optional(api.GetAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/signals?symbol={sym}&limit=5", cancellationToken));
        var coin = await coinTask;
        var bars = Bar.ParseCandles(await candlesTask);
        var metrics = await metricsTask;
        var signals = await signalsTask;

        var price = bars.Count > 0 ? bars[^1].Close : Bar.Number(coin?["price"]);
        var analysis = CoinAnalysis.Analyze(bars);
        return new JsonObject
        {
            ["symbol"] = sym,
            ["timeframe"] = tf,
            ["price"] = Round(price),
            ["bars"] = bars.Count,
            ["coin"] = coin?.DeepClone(),
            ["indicators"] = analysis.Indicators,
            ["trend"] = analysis.Trend,
            ["support"] = analysis.Support,
            ["resistance"] = analysis.Resistance,
            ["pivots"] = analysis.Pivots,
            ["metrics"] = metrics?.DeepClone(),
            ["recentSignals"] = (signals?["signals"] ?? signals as JsonArray)?.DeepClone() ?? new JsonArray(),
        };
    }

    [Description("Creates a price/indicator alert for the user. Condition types: price_above, price_below, price_cross, " +
        "change_above, change_below, volume_above (these three need a window), rsi_above, rsi_below, rsi_cross, macd_cross, bb_breakout.")]
    public async Task<JsonObject> CreateAlertAsync(
        [Description("Symbol, e.g. ETHUSDT (ETH is read as ETHUSDT)")] string symbol,
        [Description("Condition type, e.g. price_above")]
        [AllowedValues("price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above", "rsi_above",
            "rsi_below", "rsi_cross", "macd_cross", "bb_breakout")] string condition,
        [Description("Threshold: a price, a percent change, a USDT volume or an RSI level (not needed for macd_cross, bb_breakout)")] double? value = null,
        [Description("Window for change_above, change_below, volume_above: 5m, 15m, 1h, 4h, 8h or 1d")]
        [AllowedValues("5m", "15m", "1h", "4h", "8h", "1d", null)] string? window = null,
        [Description("true to fire every time the condition holds (after the cooldown), false to fire once")] bool recurring = false,
        [Description("Minutes between two triggers of a recurring alert (default 5)")] int cooldownMinutes = 5,
        [Description("A note shown with the alert")] string? note = null,
        CancellationToken cancellationToken = default)
    {
        var sym = NormalizeSymbol(symbol);
        var type = (condition ?? "").Trim().ToLowerInvariant();
        if (!ConditionTypes.Contains(type))
        {
            throw new ToolException($"condition: '{condition}' is not one of {string.Join(", ", ConditionTypes)}");
        }
        var cond = new Dictionary<string, object> { ["type"] = type };
        if (!ValuelessConditions.Contains(type))
        {
            if (value is not { } v || !double.IsFinite(v))
            {
                throw new ToolException($"value: {type} needs a numeric threshold");
            }
            if (type.StartsWith("rsi", StringComparison.Ordinal) && v is < 0 or > 100)
            {
                throw new ToolException("value: an RSI level is between 0 and 100");
            }
            if ((type.StartsWith("price", StringComparison.Ordinal) || type == "volume_above") && v <= 0)
            {
                throw new ToolException($"value: {type} needs a positive number");
            }
            cond["value"] = v;
        }
        if (WindowedConditions.Contains(type))
        {
            var w = (window ?? "").Trim().ToLowerInvariant();
            if (!Windows.Contains(w))
            {
                throw new ToolException($"window: {type} needs a window, one of {string.Join(", ", Windows)}");
            }
            cond["window"] = w;
        }
        if (cooldownMinutes is < 0 or > 10080)
        {
            throw new ToolException("cooldownMinutes: must be between 0 and 10080");
        }
        var body = new Dictionary<string, object?>
        {
            ["symbol"] = sym,
            ["conditions"] = new[] { cond },
            ["recurring"] = recurring,
            ["cooldownMinutes"] = cooldownMinutes,
            ["note"] = note ?? "",
        };
        var created = await api.PostAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/alerts", body, cancellationToken);
        return new JsonObject { ["created"] = true, ["alert"] = created?.DeepClone() };
    }

    [Description("Adds a coin to the user's watchlist.")]
    public async Task<JsonObject> AddToWatchlistAsync(
        [Description("Symbol, e.g. BTCUSDT (BTC is read as BTCUSDT)")] string symbol,
        CancellationToken cancellationToken = default)
    {
        var sym = NormalizeSymbol(symbol);
        var response = await api.PostAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/watchlist",
            new Dictionary<string, string> { ["symbol"] = sym }, cancellationToken);
        return new JsonObject { ["added"] = true, ["symbol"] = sym, ["watchlist"] = response?.DeepClone() };
    }

    [Description("Finds chart patterns on a coin's recent bars, each with a confidence 0-1: double top/bottom, bull/bear " +
        "flags, ascending/descending/symmetric triangles, head and shoulders (and inverse), from swing points.")]
    public async Task<JsonObject> AnalyzePatternAsync(
        [Description("Symbol, e.g. BTCUSDT (BTC is read as BTCUSDT)")] string symbol,
        [Description("Bar timeframe: 1m, 5m, 15m, 1h, 4h, 8h or 1d (default 1h)")]
        [AllowedValues("1m", "5m", "15m", "1h", "4h", "8h", "1d", null)] string? timeframe = null,
        [Description("How many recent bars to read, 30-500 (default 150)")] int? bars = null,
        CancellationToken cancellationToken = default)
    {
        var sym = NormalizeSymbol(symbol);
        var tf = NormalizeTimeframe(timeframe);
        var count = bars ?? 150;
        if (count is < 30 or > 500)
        {
            throw new ToolException("bars: must be between 30 and 500");
        }
        var response = await api.GetAsync(session.UserId,
            $"{MarketServicesClient.Ingest}/api/coins/{sym}/candles?timeframe={tf}&limit={count}", cancellationToken);
        var series = Bar.ParseCandles(response);
        var patterns = new JsonArray();
        foreach (var p in PatternDetector.Detect(series))
        {
            var levels = new JsonObject();
            foreach (var (k, v) in p.Levels)
            {
                levels[k] = Round(v);
            }
            patterns.Add(new JsonObject
            {
                ["pattern"] = p.Name,
                ["bias"] = p.Bias,
                ["confidence"] = p.Confidence,
                ["status"] = p.Status,
                ["startTime"] = series[p.StartIndex].OpenTime,
                ["endTime"] = series[p.EndIndex].OpenTime,
                ["levels"] = levels,
                ["description"] = p.Description,
            });
        }
        var width = SwingPoints.DefaultWidth(series.Count);
        var swings = new JsonArray();
        foreach (var s in SwingPoints.Find(series, width).TakeLast(8))
        {
            swings.Add(new JsonObject { ["kind"] = s.IsHigh ? "high" : "low", ["price"] = Round(s.Price), ["openTime"] = series[s.Index].OpenTime });
        }
        return new JsonObject
        {
            ["symbol"] = sym,
            ["timeframe"] = tf,
            ["bars"] = series.Count,
            ["method"] = $"fractal swing points ({width} bars each side), tolerance {PatternDetector.ToleranceAtr} x ATR(14)",
            ["patterns"] = patterns,
            ["recentSwings"] = swings,
            ["note"] = series.Count < 20 ? "too few bars to look for patterns" : null,
        };
    }

    [Description("Exports the previous tool result of this conversation (e.g. a screener list) as a CSV or JSON file and " +
        "returns a download link.")]
    public async Task<JsonObject> ExportResultsAsync(
        [Description("File format: csv (default) or json")][AllowedValues("csv", "json", null)] string? format = null,
        CancellationToken cancellationToken = default)
    {
        var fmt = string.IsNullOrWhiteSpace(format) ? "csv" : format.Trim().ToLowerInvariant();
        if (fmt is not ("csv" or "json"))
        {
            throw new ToolException($"format: must be csv or json, not '{format}'");
        }
        if (session.LastResult is not { } last)
        {
            throw new ToolException("there is no earlier tool result in this conversation to export; search or analyse something first");
        }
        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var fileName = $"{last.Tool}-{stamp}.{fmt}";
        int rows;
        string content;
        if (fmt == "csv")
        {
            (content, rows) = ResultExporter.ToCsv(last.Result);
        }
        else
        {
            content = ResultExporter.ToJson(last.Result);
            rows = ResultExporter.RowsOf(last.Result).Count();
        }
        var id = await exports.SaveAsync(session.UserId, session.ConversationId, new ExportFile(fmt, fileName, content), cancellationToken);
        return new JsonObject
        {
            ["exportId"] = id.ToString(),
            ["format"] = fmt,
            ["fileName"] = fileName,
            ["rows"] = rows,
            ["source"] = last.Tool,
            ["url"] = $"/api/ai/exports/{id}",
        };
    }

    [Description("Shows the user's portfolio: the watchlist with each coin's performance.")]
    public async Task<JsonObject> GetPortfolioAsync(CancellationToken cancellationToken = default)
    {
        var response = await api.GetAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/portfolio", cancellationToken);
        return new JsonObject { ["portfolio"] = response?.DeepClone() };
    }

    /// <summary>Upper case, separators dropped, a bare base asset completed with USDT: "btc" and "BTC/USDT" give BTCUSDT.</summary>
    public static string NormalizeSymbol(string? symbol)
    {
        var s = new string((symbol ?? "").Where(char.IsAsciiLetterOrDigit).ToArray()).ToUpperInvariant();
        if (s.Length is < 2 or > 20)
        {
            throw new ToolException($"symbol: '{symbol}' is not a symbol like BTCUSDT");
        }
        return s.EndsWith("USDT", StringComparison.Ordinal) || s.EndsWith("USDC", StringComparison.Ordinal) ? s : s + "USDT";
    }

    public static string NormalizeTimeframe(string? timeframe)
    {
        var tf = string.IsNullOrWhiteSpace(timeframe) ? "1h" : timeframe.Trim().ToLowerInvariant();
        if (!Timeframes.Contains(tf))
        {
            throw new ToolException($"timeframe: '{timeframe}' is not one of {string.Join(", ", Timeframes)}");
        }
        return tf;
    }

    internal static double Round(double v) =>
        !double.IsFinite(v) ? 0 : Math.Abs(v) >= 100 ? Math.Round(v, 2) : Math.Abs(v) >= 1 ? Math.Round(v, 4) : Math.Round(v, 8);

    private static async Task<JsonNode?> Optional(Task<JsonNode?> call)
    {
        try
        {
            return await call;
        }
        catch (ToolException)
        {
            return null;
        }
    }
}
