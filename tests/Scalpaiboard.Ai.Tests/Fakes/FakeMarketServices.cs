using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Ai.Tests.Fakes;

public sealed record ServiceCall(string Method, string Path, string Query, string? User, bool SignatureValid, JsonNode? Body);

/// <summary>
/// Stand-ins for our own Ingest and Alerts services (Kestrel on 127.0.0.1, port 0) implementing just the endpoints the
/// assistant's tools call. Per-user endpoints demand a valid signed user header, as the real services do, and every
/// call is recorded with the user it was made for.
/// </summary>
public sealed class FakeMarketServices : IAsyncDisposable
{
    public static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];

    /// <summary>BTCUSDT's next funding: the next 8-hour boundary after the fake started (live feeds have one).</summary>
    public static readonly long NextFundingTime = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 28_800_000 + 1) * 28_800_000;

    /// <summary>
    /// The derivatives fields of ../docs/DERIVATIVES.md per coin, as <c>/api/coins</c> carries them: BTCUSDT has every one
    /// (a live feed), ETHUSDT what a replay has (no next funding time, mark price or liquidations; its 1d open-interest
    /// change not yet known), SOLUSDT none (every field null).
    /// </summary>
    public static readonly Dictionary<string, Dictionary<string, double?>> Derivatives = new()
    {
        ["BTCUSDT"] = new()
        {
            ["openInterest"] = 80_000, ["openInterestValue"] = 5_200_000_000, ["oiChange_1h"] = -0.8, ["oiChange_4h"] = 1.5,
            ["oiChange_1d"] = 3.2, ["longShortRatio"] = 1.9, ["topTraderLongShortRatio"] = 1.4, ["takerBuySellRatio"] = 0.95,
            ["fundingRate"] = 0.0001, ["nextFundingTime"] = NextFundingTime, ["markPrice"] = 1000.5,
            ["liquidationsLong_5m"] = 0, ["liquidationsShort_5m"] = 12_000, ["liquidationsLong_1h"] = 125_000,
            ["liquidationsShort_1h"] = 40_000, ["liquidationsLong_1d"] = 2_300_000, ["liquidationsShort_1d"] = 1_100_000,
        },
        ["ETHUSDT"] = new()
        {
            ["openInterest"] = 1_100_000, ["openInterestValue"] = 2_200_000_000, ["oiChange_1h"] = 3.4, ["oiChange_4h"] = 6.1,
            ["longShortRatio"] = 0.8, ["topTraderLongShortRatio"] = 0.9, ["takerBuySellRatio"] = 1.1, ["fundingRate"] = -0.00025,
        },
        ["SOLUSDT"] = [],
    };

    private readonly WebApplication _app;
    private readonly UserContextSigner _signer;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<JsonObject>> _alerts = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _watchlists = new();
    private readonly ConcurrentDictionary<string, (string User, JsonObject Inputs, int Polls)> _backtests = new();
    private int _alertIds;

    public ConcurrentQueue<ServiceCall> Calls { get; } = new();

    public string BaseUrl { get; private set; } = "";

    /// <summary>When set, GET /api/portfolio waits until a watchlist POST arrives (proves tool calls run concurrently).</summary>
    public TaskCompletionSource? PortfolioWaitsForWatchlist { get; set; }

    private FakeMarketServices(WebApplication app, UserContextSigner signer)
    {
        _app = app;
        _signer = signer;
    }

    /// <summary>GETs of a backtest before it reads completed (the ones before read running, progress 0.5).</summary>
    public int BacktestPollsToComplete { get; set; } = 2;

    /// <summary>The inputs of the user's backtests, as POSTed.</summary>
    public IReadOnlyList<JsonObject> Backtests(string user) => _backtests.Values.Where(b => b.User == user).Select(b => b.Inputs).ToList();

    public IReadOnlyList<string> Watchlist(string user) => _watchlists.TryGetValue(user, out var w) ? w.Keys.Order().ToList() : [];

    /// <summary>The user's alerts, including deleted ones (marked <c>deleted</c>).</summary>
    public IReadOnlyList<JsonObject> Alerts(string user) => _alerts.TryGetValue(user, out var a) ? a.ToList() : [];

    public IReadOnlyList<ServiceCall> CallsFor(string user) => Calls.Where(c => c.User == user).ToList();

    public static async Task<FakeMarketServices> StartAsync(string signingKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeMarketServices(app, new UserContextSigner(signingKey));
        app.Use(fake.RecordAsync);
        app.MapGet("/api/coins", (HttpContext c) => Results.Json(new JsonObject
        {
            ["data"] = new JsonArray([.. Symbols.Select(Coin)]),
            ["total"] = Symbols.Length,
            ["page"] = 1,
            ["pageSize"] = 20,
        }));
        app.MapGet("/api/coins/{symbol}", (string symbol) => Symbols.Contains(symbol)
            ? Results.Json(Coin(symbol))
            : Results.Problem(statusCode: 404, title: "Unknown symbol", detail: $"{symbol} is not a known symbol"));
        app.MapGet("/api/coins/{symbol}/candles", (string symbol, string? timeframe, int? limit) => Symbols.Contains(symbol)
            ? Results.Json(new JsonObject { ["symbol"] = symbol, ["timeframe"] = timeframe, ["candles"] = Candles(limit ?? 200) })
            : Results.Problem(statusCode: 404, detail: $"{symbol} is not a known symbol"));
        app.MapGet("/api/metrics/{symbol}", (string symbol) => Results.Json(new JsonObject { ["symbol"] = symbol, ["change_1h"] = 0.8 }));
        app.MapGet("/api/signals", (string? symbol) => Results.Json(new JsonObject
        {
            ["signals"] = new JsonArray(new JsonObject { ["id"] = 7, ["symbol"] = symbol, ["type"] = "futures_pioneer_bull", ["price"] = 100.5 }),
            ["total"] = 1,
        }));
        app.MapPost("/api/alerts", fake.CreateAlert);
        app.MapGet("/api/alerts", (HttpContext c) => fake.WithUser(c, user =>
            Results.Json(new JsonObject { ["alerts"] = new JsonArray([.. fake.Alerts(user).Where(a => a["deleted"] is null).Select(a => a.DeepClone())]) })));
        app.MapGet("/api/alerts/{id:long}", (HttpContext c, long id) => fake.WithUser(c, user =>
            fake.FindAlert(user, id) is { } a ? Results.Json(a.DeepClone()) : Results.NotFound()));
        app.MapPut("/api/alerts/{id:long}", fake.UpdateAlert);
        app.MapDelete("/api/alerts/{id:long}", (HttpContext c, long id) => fake.WithUser(c, user =>
            fake.FindAlert(user, id) is { } a && a["deleted"] is null ? fake.MarkDeleted(a) : Results.NotFound()));
        app.MapPost("/api/watchlist", fake.AddToWatchlist);
        app.MapDelete("/api/watchlist/{symbol}", (HttpContext c, string symbol) => fake.WithUser(c, user =>
            fake._watchlists.TryGetValue(user, out var w) && w.TryRemove(symbol, out _) ? Results.NoContent() : Results.NotFound()));
        app.MapGet("/api/watchlist", (HttpContext c) => fake.WithUser(c, user => Results.Json(fake.Watchlist(user))));
        app.MapGet("/api/portfolio", (Delegate)fake.PortfolioAsync);
        app.MapPost("/api/backtests", fake.StartBacktest);
        app.MapGet("/api/backtests/{id}", fake.GetBacktest);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.EnableBuffering();
        JsonNode? body = null;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var text = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            body = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        var h = context.Request.Headers;
        string? user = h[UserContextSigner.UserHeader];
        var valid = _signer.Verify(user, h[UserContextSigner.TimeHeader], h[UserContextSigner.SignatureHeader], context.Request.Method,
            UserContextSigner.Target(context.Request), await UserContextSigner.DigestAsync(context.Request, context.RequestAborted));
        context.Items["user"] = valid ? user : null;
        Calls.Enqueue(new ServiceCall(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", user, valid, body));
        await next(context);
    }

    private IResult WithUser(HttpContext context, Func<string, IResult> handler) =>
        context.Items["user"] is string user ? handler(user) : Results.Problem(statusCode: 401, title: "Unauthorized");

    private IResult CreateAlert(HttpContext context, JsonObject body) => WithUser(context, user =>
    {
        var type = body["conditions"]?[0]?["type"]?.ToString();
        if (type is null or "nonsense")
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["conditions[0].type"] = ["unknown condition type"] });
        }
        var alert = (JsonObject)body.DeepClone();
        alert["id"] = Interlocked.Increment(ref _alertIds);
        alert["enabled"] = true;
        _alerts.GetOrAdd(user, _ => new()).Enqueue(alert);
        return Results.Json(alert, statusCode: 201);
    });

    /// <summary>One of the user's alerts (not deleted); another user's id is not found, as in the Alerts service.</summary>
    private JsonObject? FindAlert(string user, long id) =>
        Alerts(user).FirstOrDefault(a => a["id"]!.GetValue<int>() == id && a["deleted"] is null);

    private IResult MarkDeleted(JsonObject alert)
    {
        alert["deleted"] = true;
        return Results.NoContent();
    }

    private IResult UpdateAlert(HttpContext context, long id, JsonObject body) => WithUser(context, user =>
    {
        if (FindAlert(user, id) is not { } alert)
        {
            return Results.NotFound();
        }
        if (body["symbol"] is null || body["conditions"] is not JsonArray { Count: > 0 })
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["conditions"] = ["required"] });
        }
        foreach (var (key, value) in body)
        {
            alert[key] = value?.DeepClone();
        }
        return Results.Json(alert.DeepClone());
    });

    private IResult AddToWatchlist(HttpContext context, JsonObject body) => WithUser(context, user =>
    {
        var symbol = body["symbol"]?.ToString() ?? "";
        _watchlists.GetOrAdd(user, _ => new())[symbol] = true;
        PortfolioWaitsForWatchlist?.TrySetResult();
        return Results.Json(new JsonObject { ["symbol"] = symbol }, statusCode: 201);
    });

    private IResult StartBacktest(HttpContext context, JsonObject body) => WithUser(context, user =>
    {
        if (!Scalpaiboard.Market.Signals.PresetTypes.TryParse(body["rule"]?.ToString(), out _))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["rule"] = ["must be one of the ten presets"] });
        }
        if (_backtests.Values.Any(b => b.User == user && b.Polls < BacktestPollsToComplete))
        {
            return Results.Problem(statusCode: 409, title: "A backtest is already running");
        }
        var id = Guid.NewGuid().ToString();
        _backtests[id] = (user, (JsonObject)body.DeepClone(), 0);
        return Results.Json(new JsonObject { ["id"] = id, ["status"] = "queued" }, statusCode: 202);
    });

    /// <summary>Running (progress 0.5) for <see cref="BacktestPollsToComplete"/> GETs, then completed; another user's id is 404.</summary>
    private IResult GetBacktest(HttpContext context, string id) => WithUser(context, user =>
    {
        if (!_backtests.TryGetValue(id, out var b) || b.User != user)
        {
            return Results.NotFound();
        }
        var polls = b.Polls + 1;
        _backtests[id] = b with { Polls = polls };
        var done = polls >= BacktestPollsToComplete;
        return Results.Json(new JsonObject
        {
            ["id"] = id,
            ["status"] = done ? "completed" : "running",
            ["progress"] = done ? 1.0 : 0.5,
            ["inputs"] = b.Inputs.DeepClone(),
            ["summary"] = done ? new JsonObject
            {
                ["trades"] = 4, ["wins"] = 3, ["losses"] = 1, ["winRate"] = 0.75, ["profitFactor"] = 3.2, ["totalReturnPct"] = 2.5,
                ["maxDrawdownPct"] = 0.9, ["sharpe"] = 1.7, ["avgR"] = 0.62, ["avgHoldMinutes"] = 35.0,
                ["exits"] = new JsonObject { ["target"] = 3, ["stop"] = 1, ["time"] = 0, ["end"] = 0 }, ["skippedSignals"] = 2,
            } : null,
            ["error"] = null,
        });
    });

    private async Task<IResult> PortfolioAsync(HttpContext context)
    {
        if (context.Items["user"] is not string user)
        {
            return Results.Problem(statusCode: 401, title: "Unauthorized");
        }
        if (PortfolioWaitsForWatchlist is { } wait)
        {
            await wait.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        // The Alerts service's shape: each symbol's move since it was added, and the equal-weight average.
        var items = Watchlist(user).Select(s => (JsonNode)new JsonObject
        {
            ["symbol"] = s, ["addedPrice"] = 80.0, ["currentPrice"] = 100.0, ["changePercent"] = 25.0,
        }).ToArray();
        return Results.Json(new JsonObject
        {
            ["items"] = new JsonArray(items),
            ["count"] = items.Length,
            ["averageChangePercent"] = items.Length == 0 ? null : 25.0,
            ["best"] = items.FirstOrDefault()?.DeepClone(),
            ["worst"] = items.LastOrDefault()?.DeepClone(),
        });
    }

    private static JsonObject Coin(string symbol)
    {
        var i = Array.IndexOf(Symbols, symbol) + 1;
        var coin = new JsonObject
        {
            ["symbol"] = symbol,
            ["price"] = 1000.0 * i,
            ["change_5m"] = 0.5 * i,
            ["change_1h"] = 1.1 * i,
            ["quoteVolume_1h"] = 1_500_000.0 * i,
            ["quoteVolume_1d"] = 40_000_000.0 * i,
            ["rsi14_1h"] = 50 + i,
            ["adx14_1h"] = 20 + i,
        };
        foreach (var name in Scalpaiboard.Market.Derivatives.DerivativesValues.Names)
        {
            coin[name] = Derivatives[symbol].GetValueOrDefault(name);
        }
        return coin;
    }

    /// <summary>A gently rising, oscillating series with an hourly step.</summary>
    private static JsonArray Candles(int count)
    {
        var array = new JsonArray();
        var start = DateTimeOffset.Parse("2026-03-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var prev = 100.0;
        for (var i = 0; i < count; i++)
        {
            var close = 100 + i * 0.05 + 3 * Math.Sin(i / 6.0);
            array.Add(new JsonObject
            {
                ["openTime"] = start + i * 3_600_000L,
                ["open"] = prev,
                ["high"] = Math.Max(prev, close) + 0.3,
                ["low"] = Math.Min(prev, close) - 0.3,
                ["close"] = close,
                ["volume"] = 1000,
                ["quoteVolume"] = 100_000,
                ["trades"] = 50,
            });
            prev = close;
        }
        return array;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
