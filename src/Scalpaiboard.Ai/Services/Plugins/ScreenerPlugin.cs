using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Scalpaiboard.Ai.Infrastructure;
using Microsoft.SemanticKernel;
using Scalpaiboard.Ai.Services.Patterns;
using static Scalpaiboard.Ai.Services.Plugins.ToolArguments;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// The screener functions: market screening, one coin's analysis, chart patterns, and exports of the previous result.
/// Every call acts for the kernel's <see cref="ToolSession"/> user (the Ingest and Alerts services are called with that
/// user's signed identity). Bad arguments throw <see cref="ToolException"/>, which <see cref="Filters.ToolErrorFilter"/>
/// turns into <c>{"error": "..."}</c> for the model.
/// </summary>
public sealed partial class ScreenerPlugin(MarketServicesClient api, ExportStore exports, TimeProvider time)
{

    private static readonly string[] HeadlineFields =
    [
        "symbol", "price", "change_5m", "change_15m", "change_1h", "change_4h", "change_8h", "change_1d",
        "quoteVolume_5m", "quoteVolume_15m", "quoteVolume_1h", "quoteVolume_4h", "quoteVolume_8h", "quoteVolume_1d", "rsi14_1h",
    ];

    [GeneratedRegex("^(min|max)[A-Za-z][A-Za-z0-9]*(_[0-9]+[mhd])?$")]
    private static partial Regex BoundName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*(_[0-9]+[mhd])?$")]
    private static partial Regex FieldName();

    /// <summary>
    /// The smallest bound that leaves 0 out. The screener's bounds are inclusive (<c>maxFundingRate=0</c> keeps a funding
    /// of exactly 0), so "negative funding" is <c>maxFundingRate=-JustAboveZero</c> and "rising open interest"
    /// <c>minOiChange_1h=JustAboveZero</c>: no double lies between 0 and it, so the bound is exactly "&lt; 0" or "&gt; 0",
    /// and the screener's own count and pages stay right (no filtering after the fact).
    /// </summary>
    public const double JustAboveZero = double.Epsilon;

    [KernelFunction(ToolNames.FilterCoins)]
    [Description("Screens the USDT-M futures market: coins whose metrics lie within the given bounds, sorted. " +
        "Windows are 5m, 15m, 1h, 4h, 8h, 1d; change_<window> is the price change in percent, quoteVolume_<window> the traded " +
        "volume in USDT. Derivatives: fundingRate (a fraction: 0.0001 = 0.01 %), openInterestValue (USDT), oiChange_1h/_4h/_1d " +
        "(open-interest change, percent), longShortRatio (accounts), topTraderLongShortRatio, takerBuySellRatio, " +
        "liquidationsLong_<w>/liquidationsShort_<w> for 5m, 1h, 1d (USDT, a lower bound), nextFundingTime (Unix ms). " +
        "Every bound is optional and inclusive; a coin whose value is unavailable never passes a bound on it. For a strict " +
        "sign use 5e-324, the smallest number above 0: negative funding is maxFundingRate -5e-324, rising open interest " +
        "minOiChange_1h 5e-324.")]
    public async Task<JsonObject> FilterCoinsAsync(
        Kernel kernel,
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
        [Description("Minimum funding rate as a fraction: 0.0001 = 0.01 %, so \"funding above 0.05%\" is 0.0005; positive funding: 5e-324")] double? minFundingRate = null,
        [Description("Maximum funding rate as a fraction: 0.0001 = 0.01 %, so \"funding below -0.01%\" is -0.0001; negative funding: -5e-324")] double? maxFundingRate = null,
        [Description("Minimum 1-hour open-interest change, percent; rising open interest: 5e-324")] double? minOiChange_1h = null,
        [Description("Maximum 1-hour open-interest change, percent; falling open interest: -5e-324")] double? maxOiChange_1h = null,
        [Description("Minimum 4-hour open-interest change, percent")] double? minOiChange_4h = null,
        [Description("Maximum 4-hour open-interest change, percent")] double? maxOiChange_4h = null,
        [Description("Minimum 1-day open-interest change, percent")] double? minOiChange_1d = null,
        [Description("Maximum 1-day open-interest change, percent")] double? maxOiChange_1d = null,
        [Description("Minimum open interest, USDT")] double? minOpenInterestValue = null,
        [Description("Maximum open interest, USDT")] double? maxOpenInterestValue = null,
        [Description("Minimum long/short account ratio (above 1: more accounts long than short)")] double? minLongShortRatio = null,
        [Description("Maximum long/short account ratio (below 1: more accounts short than long)")] double? maxLongShortRatio = null,
        [Description("Bounds on any other metric field of the screener, as {\"min<Field>\" or \"max<Field>\": number}, " +
            "for example {\"minRsi14_15m\": 30, \"maxChange_1d\": 10}")] Dictionary<string, double>? filters = null,
        [Description("Field to sort by, e.g. quoteVolume_1h, change_5m, change_1d, price, rsi14_1h, fundingRate, oiChange_1h, " +
            "openInterestValue, longShortRatio, liquidationsLong_1h (default quoteVolume_1d); unavailable values come last")] string? sortBy = null,
        [Description("Sort order: desc (largest first, the default) or asc")][AllowedValues("asc", "desc", null)] string? sortOrder = null,
        [Description("How many coins to return, 1-100 (default 20)")] int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
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
            (nameof(minFundingRate), minFundingRate), (nameof(maxFundingRate), maxFundingRate),
            (nameof(minOiChange_1h), minOiChange_1h), (nameof(maxOiChange_1h), maxOiChange_1h),
            (nameof(minOiChange_4h), minOiChange_4h), (nameof(maxOiChange_4h), maxOiChange_4h),
            (nameof(minOiChange_1d), minOiChange_1d), (nameof(maxOiChange_1d), maxOiChange_1d),
            (nameof(minOpenInterestValue), minOpenInterestValue), (nameof(maxOpenInterestValue), maxOpenInterestValue),
            (nameof(minLongShortRatio), minLongShortRatio), (nameof(maxLongShortRatio), maxLongShortRatio),
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
        var result = new JsonObject
        {
            ["total"] = response?["total"]?.DeepClone() ?? data.Count,
            ["count"] = data.Count,
            ["sortBy"] = sort,
            ["sortOrder"] = order,
            ["filters"] = applied,
            ["coins"] = coins,
        };
        if (wanted.Any(f => f.StartsWith("liquidations", StringComparison.OrdinalIgnoreCase)))
        {
            result["note"] = CoinDerivatives.LiquidationsNote;
        }
        return result;
    }

    [KernelFunction(ToolNames.GetCoinAnalysis)]
    [Description("Analyses one coin on a timeframe: current metrics and indicators, trend, support and resistance " +
        "levels from swing points and pivots, its derivatives (open interest and its 1h/4h/1d change, funding rate in percent " +
        "and the next funding time, long/short ratios, 1h/1d liquidations per side, a lower bound; null = unavailable, " +
        "listed in derivatives.unavailable) and its recent preset signals.")]
    public async Task<JsonObject> GetCoinAnalysisAsync(
        Kernel kernel,
        [Description("Symbol, e.g. BTCUSDT (BTC is read as BTCUSDT)")] string symbol,
        [Description("Bar timeframe: 1m, 5m, 15m, 1h, 4h, 8h or 1d (default 1h)")]
        [AllowedValues("1m", "5m", "15m", "1h", "4h", "8h", "1d", null)] string? timeframe = null,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
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
            ["derivatives"] = CoinDerivatives.Describe(coin, time.GetUtcNow()),
            ["metrics"] = metrics?.DeepClone(),
            ["recentSignals"] = (signals?["signals"] ?? signals as JsonArray)?.DeepClone() ?? new JsonArray(),
        };
    }

    [KernelFunction(ToolNames.AnalyzePattern)]
    [Description("Finds chart patterns on a coin's recent bars, each with a confidence 0-1: double top/bottom, bull/bear " +
        "flags, ascending/descending/symmetric triangles, head and shoulders (and inverse), from swing points.")]
    public async Task<JsonObject> AnalyzePatternAsync(
        Kernel kernel,
        [Description("Symbol, e.g. BTCUSDT (BTC is read as BTCUSDT)")] string symbol,
        [Description("Bar timeframe: 1m, 5m, 15m, 1h, 4h, 8h or 1d (default 1h)")]
        [AllowedValues("1m", "5m", "15m", "1h", "4h", "8h", "1d", null)] string? timeframe = null,
        [Description("How many recent bars to read, 30-500 (default 150)")] int? bars = null,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
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

    [KernelFunction(ToolNames.ExportResults)]
    [Description("Exports the previous tool result of this conversation (e.g. a screener list) as a CSV or JSON file and " +
        "returns a download link.")]
    public async Task<JsonObject> ExportResultsAsync(
        Kernel kernel,
        [Description("File format: csv (default) or json")][AllowedValues("csv", "json", null)] string? format = null,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
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
