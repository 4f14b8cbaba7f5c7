using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Web.Tests.Fakes;

/// <summary>
/// A stand-in for our Gateway on a real Kestrel port: the contract endpoints the Web UI calls (CONTRACT.md), with
/// canned, deterministic data, per-user state, problem-details validation, an SSE chat and a /ws hub that pushes
/// ticker, candle, order-book and signal frames. It records what it was asked so tests can check headers.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    public const string Email = "trader@example.com";
    public const string Password = "Passw0rd!";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _users = new() { [Email] = Password };
    private readonly ConcurrentDictionary<string, string> _tokens = new();
    private readonly ConcurrentDictionary<string, UserState> _state = new();
    private long _ids = 100;

    public FakeMarket Market { get; }

    public ConcurrentQueue<(string Method, string Path, string? Authorization, string? ClientAddress)> Requests { get; } = new();

    public int WebSocketClients;

    /// <summary>Lifetime of issued access tokens (seconds), to exercise the Web server's refresh.</summary>
    public long TokenLifetimeSeconds { get; set; } = 3600;

    public string Url { get; private set; } = "";

    private FakeGateway(int symbols)
    {
        Market = new FakeMarket(symbols);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCors();
        _app = builder.Build();
        _app.UseCors(p => p.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod());
        _app.UseWebSockets();
        _app.Use(async (context, next) =>
        {
            Requests.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null,
                context.Request.Headers[Scalpaiboard.ServiceDefaults.ClientAddressSignature.Header].ToString() is { Length: > 0 } f ? f : null));
            await next();
        });
        Map(_app);
    }

    public static async Task<FakeGateway> StartAsync(int symbols = 50)
    {
        var gateway = new FakeGateway(symbols);
        await gateway._app.StartAsync();
        gateway.Url = gateway._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class UserState
    {
        public List<JsonObject> Alerts { get; } = [];
        public List<string> Watchlist { get; } = [];
        public List<string> Subscriptions { get; set; } = [];
        public List<JsonObject> Webhooks { get; set; } = [];
        public List<JsonObject> Providers { get; } = [];
        public List<JsonObject> Devices { get; } = [];
    }

    /// <summary>
    /// The VAPID public key the fake hands out (a real P-256 point, base64url, as the Alerts service would), or null
    /// for a server without push (404 problem details).
    /// </summary>
    public string? PushPublicKey { get; set; } = NewPushKey();

    /// <summary>Every push subscription posted (user, body), as the browser sent it.</summary>
    public ConcurrentQueue<(string User, JsonObject Body)> PushSubscriptions { get; } = new();

    private static string NewPushKey()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return System.Buffers.Text.Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]);
    }

    /// <summary>The Alerts service's checks of a subscription's keys: a 65-byte uncompressed point and a 16-byte secret.</summary>
    private static Dictionary<string, string[]> PushProblems(JsonObject body)
    {
        var errors = new Dictionary<string, string[]>();
        static byte[]? Bytes(string? s) => s is not null && System.Buffers.Text.Base64Url.IsValid(s) ? System.Buffers.Text.Base64Url.DecodeFromChars(s) : null;
        if (!Uri.TryCreate((string?)body["endpoint"], UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            errors["endpoint"] = ["An absolute https URL is required."];
        }
        if (Bytes((string?)body["keys"]?["p256dh"]) is not { Length: 65 } point || point[0] != 0x04)
        {
            errors["keys.p256dh"] = ["The browser's public key is required."];
        }
        if (Bytes((string?)body["keys"]?["auth"]) is not { Length: 16 })
        {
            errors["keys.auth"] = ["The auth secret is required."];
        }
        return errors;
    }

    private string? UserOf(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.TryGetValue(auth[7..], out var email) ? email : null;
    }

    private object Tokens(string email)
    {
        var access = "acc-" + Guid.NewGuid().ToString("N");
        var refresh = "ref-" + Guid.NewGuid().ToString("N");
        _tokens[access] = email;
        _tokens[refresh] = "refresh:" + email;
        return new { tokenType = "Bearer", accessToken = access, expiresIn = TokenLifetimeSeconds, refreshToken = refresh };
    }

    private static IResult Validation(Dictionary<string, string[]> errors) => Results.ValidationProblem(errors);

    private void Map(WebApplication app)
    {
        // Accounts
        app.MapPost("/api/auth/login", (JsonObject body) =>
        {
            var email = (string?)body["email"];
            var password = (string?)body["password"];
            return email is not null && _users.TryGetValue(email, out var p) && p == password
                ? Results.Ok(Tokens(email))
                : Results.Problem("Wrong e-mail or password.", statusCode: 401, title: "Login failed");
        });
        app.MapPost("/api/auth/register", (JsonObject body) =>
        {
            var email = (string?)body["email"] ?? "";
            var password = (string?)body["password"] ?? "";
            if (password.Length < 8 || !password.Any(char.IsDigit))
            {
                return Validation(new() { ["password"] = ["Passwords must be at least 8 characters and have a digit ('0'-'9')."] });
            }
            return _users.TryAdd(email, password)
                ? Results.Created("/api/auth/me", new { id = Guid.NewGuid().ToString(), email })
                : Validation(new() { ["email"] = [$"'{email}' is already registered."] });
        });
        app.MapPost("/api/auth/refresh", (JsonObject body) =>
        {
            var token = (string?)body["refreshToken"] ?? "";
            return _tokens.TryRemove(token, out var owner) && owner.StartsWith("refresh:", StringComparison.Ordinal)
                ? Results.Ok(Tokens(owner["refresh:".Length..]))
                : Results.Problem("The refresh token is invalid or expired; log in again.", statusCode: 401);
        });

        // Market
        app.MapGet("/api/symbols", () => Market.Coins.Select(c => new { symbol = c["symbol"], price = c["price"] }));
        app.MapGet("/api/coins", (HttpContext context) => Coins(context.Request.Query));
        app.MapGet("/api/coins/{symbol}", (string symbol) => Market.Find(symbol) is { } c ? Results.Ok(c) : UnknownSymbol(symbol));
        app.MapGet("/api/coins/{symbol}/candles", (string symbol, string? timeframe, int? limit) =>
        {
            if (Market.Find(symbol) is null)
            {
                return UnknownSymbol(symbol);
            }
            var tf = timeframe ?? "1m";
            if (!FakeMarket.TimeframeMs.ContainsKey(tf))
            {
                return Validation(new() { ["timeframe"] = ["timeframe must be one of 1m, 5m, 15m, 1h, 4h, 8h, 1d."] });
            }
            return Results.Ok(new { symbol, timeframe = tf, candles = Market.Candles(symbol, tf, Math.Clamp(limit ?? 500, 1, 1000)) });
        });
        app.MapGet("/api/coins/{symbol}/derivatives", (string symbol, string? from, string? to) =>
        {
            if (Market.Find(symbol) is null)
            {
                return UnknownSymbol(symbol);
            }
            long? Time(string? text) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : null;
            foreach (var (name, text) in new[] { ("from", from), ("to", to) })
            {
                if (!string.IsNullOrEmpty(text) && Time(text) is null)
                {
                    return Validation(new() { [name] = ["must be a Unix time in milliseconds"] });
                }
            }
            return Time(from) > Time(to)
                ? Validation(new() { ["from"] = ["must not be after 'to'"] })
                : Results.Ok(Market.Derivatives(symbol, Time(from), Time(to)));
        });
        app.MapGet("/api/coins/{symbol}/orderbook", (string symbol, int? depth) =>
            Market.Find(symbol) is null ? UnknownSymbol(symbol) : Results.Ok(Market.OrderBook(symbol, Math.Clamp(depth ?? 100, 5, 500))));
        app.MapGet("/api/metrics/{symbol}", (string symbol) => Market.Find(symbol) is null ? UnknownSymbol(symbol) : Results.Ok(Market.Metrics(symbol)));
        app.MapGet("/api/presets", () => new { presets = new[] { new { key = "futures_big_bull_60", displayName = "60 Big Bull", description = "" } }, cooldownMinutes = 5 });
        app.MapGet("/api/signals", (string? symbol, string? type, int? limit) =>
        {
            var all = Enumerable.Range(0, 30).Select(i => new
            {
                id = 1000L + i,
                symbol = (string)Market.Coins[i % Market.Coins.Count]["symbol"]!,
                type = i % 2 == 0 ? "futures_pioneer_bull" : "futures_top_hunter",
                openTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000 - i * 300_000L,
                time = DateTimeOffset.UtcNow.AddMinutes(-5 * i),
                price = FakeMarket.Num(Market.Coins[i % Market.Coins.Count], "price"),
                metrics = new Dictionary<string, double> { ["change_5m"] = 1.2, ["change_1h"] = -0.4, ["quoteVolume_1h"] = 2_500_000 },
            }).Where(s => (string.IsNullOrEmpty(symbol) || s.symbol == symbol) && (string.IsNullOrEmpty(type) || s.type == type)).ToList();
            return new { signals = all.Take(limit ?? 100), total = all.Count, limit = limit ?? 100, offset = 0 };
        });

        // Per user
        var user = app.MapGroup("/api").AddEndpointFilter(async (ctx, next) =>
            UserOf(ctx.HttpContext) is null ? Results.Problem("Authentication required.", statusCode: 401) : await next(ctx));
        user.MapGet("/alerts", (HttpContext c) => new { alerts = State(c).Alerts });
        user.MapPost("/alerts", (HttpContext c, JsonObject body) => CreateAlert(State(c), body));
        user.MapPut("/alerts/{id:long}", (HttpContext c, long id, JsonObject body) =>
        {
            var a = State(c).Alerts.FirstOrDefault(x => (long)x["id"]! == id);
            if (a is null)
            {
                return Results.NotFound();
            }
            a["enabled"] = (bool?)body["enabled"] ?? true;
            return Results.Ok(a);
        });
        user.MapDelete("/alerts/{id:long}", (HttpContext c, long id) =>
            State(c).Alerts.RemoveAll(x => (long)x["id"]! == id) > 0 ? Results.NoContent() : Results.NotFound());
        user.MapGet("/alerts/{id:long}/history", (HttpContext c, long id) => new
        {
            alertId = id,
            triggers = new[]
            {
                new { id = 1L, alertId = id, symbol = "BTCUSDT", openTime = 1_700_000_000_000L, time = DateTimeOffset.UtcNow.AddMinutes(-3), price = 65100.0,
                    deliveries = new[] { new { id = 1L, target = "https://hooks.example/x", kind = "generic", status = "delivered", attempts = 1, lastStatusCode = 200, lastError = (string?)null, deliveredAt = DateTimeOffset.UtcNow } } },
            },
        });
        user.MapGet("/notifications", (string? status) => new
        {
            notifications = new[]
            {
                new { id = 1L, target = "https://hooks.example/x", kind = "generic", messageKind = "alert", status = "delivered", attempts = 1, lastStatusCode = 200, lastError = (string?)null, createdAt = DateTimeOffset.UtcNow.AddMinutes(-3), deliveredAt = (DateTimeOffset?)DateTimeOffset.UtcNow },
                new { id = 2L, target = "https://discord.example/y", kind = "discord", messageKind = "signal", status = "failed", attempts = 3, lastStatusCode = 500, lastError = (string?)"500", createdAt = DateTimeOffset.UtcNow.AddMinutes(-2), deliveredAt = (DateTimeOffset?)null },
            }.Where(n => string.IsNullOrEmpty(status) || n.status == status),
        });
        user.MapGet("/settings", (HttpContext c) => Settings(State(c)));
        user.MapPut("/settings", (HttpContext c, JsonObject body) =>
        {
            var s = State(c);
            if (body["presetSubscriptions"] is JsonArray subs)
            {
                s.Subscriptions = subs.Select(x => (string)x!).ToList();
            }
            if (body["webhooks"] is JsonArray hooks)
            {
                var list = new List<JsonObject>();
                foreach (var h in hooks.OfType<JsonObject>())
                {
                    var url = (string?)h["url"];
                    var email = (string?)h["kind"] == "email";
                    if (email ? url?.Contains('@', StringComparison.Ordinal) != true : !Uri.TryCreate(url, UriKind.Absolute, out _))
                    {
                        return Validation(new() { [$"webhooks[{list.Count}].url"] = ["must be an absolute URL"] });
                    }
                    list.Add(new JsonObject
                    {
                        ["id"] = (long?)h["id"] ?? Interlocked.Increment(ref _ids), ["kind"] = (string?)h["kind"] ?? "generic", ["url"] = url,
                        ["hasSecret"] = h["secret"] is not null, ["chatId"] = (string?)h["chatId"], ["name"] = (string?)h["name"] ?? "", ["enabled"] = true,
                        // Alerts: a new e-mail address is unconfirmed; one kept (same id) stays as it was.
                        ["confirmed"] = email ? s.Webhooks.FirstOrDefault(w => (long)w["id"]! == (long?)h["id"])?["confirmed"]?.GetValue<bool>() ?? false : null,
                    });
                }
                s.Webhooks = list;
            }
            return Results.Ok(Settings(s));
        });
        user.MapPost("/settings/webhooks/test", (HttpContext c, JsonObject body) =>
            State(c).Webhooks.Concat(State(c).Devices).Any(w => (long)w["id"]! == (long?)body["webhookId"])
                ? Results.Ok(new { ok = true, statusCode = 204, error = (string?)null, durationMs = 12L })
                : Results.NotFound());
        app.MapGet("/api/notifications/push/key", () => PushPublicKey is { } key
            ? Results.Ok(new { publicKey = key })
            : Results.Problem("This server does not send push notifications.", statusCode: 404, title: "Push notifications are not available"));
        user.MapGet("/settings/push-subscriptions", (HttpContext c) => new { subscriptions = State(c).Devices });
        user.MapPost("/settings/push-subscriptions", (HttpContext c, JsonObject body) =>
        {
            if (PushProblems(body) is { Count: > 0 } errors)
            {
                return Validation(errors);
            }
            PushSubscriptions.Enqueue((UserOf(c)!, body));
            var devices = State(c).Devices;
            var endpoint = (string)body["endpoint"]!;
            var known = devices.FirstOrDefault(d => (string?)d["endpoint"] == endpoint);
            if (known is not null)
            {
                known["name"] = (string?)body["name"] ?? "";
                return Results.Ok(known);
            }
            var device = new JsonObject
            {
                ["id"] = Interlocked.Increment(ref _ids), ["endpoint"] = endpoint, ["name"] = (string?)body["name"] ?? "", ["createdAt"] = DateTimeOffset.UtcNow,
            };
            devices.Add(device);
            return Results.Created($"/api/settings/push-subscriptions/{device["id"]}", device);
        });
        user.MapDelete("/settings/push-subscriptions/{id:long}", (HttpContext c, long id) =>
            State(c).Devices.RemoveAll(d => (long)d["id"]! == id) > 0 ? Results.NoContent() : Results.NotFound());
        user.MapGet("/watchlist", (HttpContext c) => new { items = State(c).Watchlist.Select(s => new { symbol = s, addedPrice = 1.0, addedAt = DateTimeOffset.UtcNow, currentPrice = 1.1 }) });
        user.MapPost("/watchlist", (HttpContext c, JsonObject body) =>
        {
            var symbol = ((string?)body["symbol"] ?? "").ToUpperInvariant();
            if (Market.Find(symbol) is null)
            {
                return Validation(new() { ["symbol"] = [$"Unknown symbol '{symbol}'."] });
            }
            var list = State(c).Watchlist;
            if (!list.Contains(symbol))
            {
                list.Add(symbol);
            }
            return Results.Created($"/api/watchlist/{symbol}", new { symbol });
        });
        user.MapDelete("/watchlist/{symbol}", (HttpContext c, string symbol) => State(c).Watchlist.Remove(symbol) ? Results.NoContent() : Results.NotFound());
        user.MapGet("/portfolio", (HttpContext c) =>
        {
            var items = State(c).Watchlist.Select(s =>
            {
                var p = FakeMarket.Num(Market.Find(s)!, "price");
                return new { symbol = s, addedPrice = p * 0.95, addedAt = DateTimeOffset.UtcNow.AddDays(-1), currentPrice = p, changePercent = 5.26, lastOpenTime = 1L };
            }).ToList();
            return new { items, count = items.Count, averageChangePercent = items.Count > 0 ? 5.26 : (double?)null, best = items.FirstOrDefault(), worst = items.LastOrDefault() };
        });

        // Assistant
        user.MapGet("/ai/providers", (HttpContext c) => State(c).Providers);
        user.MapPost("/ai/providers", (HttpContext c, JsonObject body) =>
        {
            if (string.IsNullOrWhiteSpace((string?)body["name"]))
            {
                return Validation(new() { ["name"] = ["A name is required."] });
            }
            var p = new JsonObject
            {
                ["id"] = Guid.NewGuid(), ["name"] = (string?)body["name"], ["preset"] = (string?)body["preset"] ?? "openai", ["baseUrl"] = "https://api.example/v1",
                ["model"] = (string?)body["model"] ?? "gpt-4o-mini", ["hasKey"] = body["apiKey"] is not null, ["keyHint"] = "…abcd",
                ["monthlyBudget"] = (decimal?)body["monthlyBudget"], ["inputPricePer1M"] = 0.15m, ["outputPricePer1M"] = 0.6m,
            };
            State(c).Providers.Add(p);
            return Results.Created($"/api/ai/providers/{p["id"]}", p);
        });
        user.MapPost("/ai/providers/{id:guid}/test", (Guid id) => new { ok = true, error = (string?)null, models = new[] { "gpt-4o-mini" }, method = "models" });
        user.MapGet("/ai/usage", () => new
        {
            month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            days = Enumerable.Range(1, 5).Select(d => new { provider = d % 2 == 0 ? "openai" : "local", day = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-5 + d)), requests = d, failedRequests = 0, promptTokens = 100L * d, completionTokens = 50L * d, cost = 0.001m * d }),
            monthTotals = Array.Empty<object>(),
            monthCost = 0.015m,
            budgets = new[] { new { provider = "openai", budget = 10m, spent = 8.5m, percent = 85m, warning = true, exceeded = false } },
        });
        user.MapGet("/ai/conversations", () => Array.Empty<object>());
        user.MapPost("/ai/chat", async (HttpContext c, JsonObject body) =>
        {
            c.Response.ContentType = "text/event-stream";
            c.Response.Headers.CacheControl = "no-cache";
            await c.Response.StartAsync();
            async Task Send(object ev)
            {
                await c.Response.WriteAsync("data: " + JsonSerializer.Serialize(ev) + "\n\n");
                await c.Response.Body.FlushAsync();
                await Task.Delay(40);
            }
            await Send(new { type = "tool_call", name = "filter_coins", arguments = new { minQuoteVolume_1h = 1_000_000 }, callId = "c1" });
            await Send(new { type = "tool_result", name = "filter_coins", result = new { count = 2, symbols = new[] { "BTCUSDT", "ETHUSDT" } }, callId = "c1" });
            foreach (var token in new[] { "Found **2 coins**", " matching: ", "`BTCUSDT`", " and ", "`ETHUSDT`", ".\n\n<script>bad()</script>" })
            {
                await Send(new { type = "content", content = token });
            }
            await Send(new { type = "done", conversationId = Guid.NewGuid(), usage = new { promptTokens = 120, completionTokens = 30, cost = 0.0012m }, provider = "local", model = "local" });
        });

        app.Map("/ws", HubAsync);
    }

    private static IResult UnknownSymbol(string symbol) => Results.Problem($"Unknown symbol '{symbol}'.", statusCode: 404, title: "Not found");

    private UserState State(HttpContext c) => _state.GetOrAdd(UserOf(c)!, _ => new UserState());

    private static object Settings(UserState s) => new
    {
        presetSubscriptions = s.Subscriptions, symbolFilter = Array.Empty<string>(), webhooks = s.Webhooks,
        notifications = new { presetSignals = true, userAlerts = true }, maxNotificationsPerHour = 60,
    };

    private IResult CreateAlert(UserState s, JsonObject body)
    {
        var errors = new Dictionary<string, string[]>();
        var symbol = ((string?)body["symbol"] ?? "").ToUpperInvariant();
        if (Market.Find(symbol) is null)
        {
            errors["symbol"] = [$"Unknown symbol '{symbol}'."];
        }
        var conditions = body["conditions"] as JsonArray;
        if (conditions is null || conditions.Count == 0)
        {
            errors["conditions"] = ["at least one condition is required"];
        }
        else
        {
            for (var i = 0; i < conditions.Count; i++)
            {
                var c = conditions[i]!.AsObject();
                var type = (string?)c["type"];
                var value = (double?)c["value"];
                if (type is "price_above" or "price_below" && value is not > 0)
                {
                    errors[$"conditions[{i}].value"] = ["must be greater than 0"];
                }
                // The real engine bounds the change: the form cannot know it, so this proves the mapping of the Gateway's errors.
                if (type is "change_above" or "change_below" && value is > 1000 or < -100)
                {
                    errors[$"conditions[{i}].value"] = ["must be between -100 and 1000 percent"];
                }
            }
        }
        if (errors.Count > 0)
        {
            return Validation(errors);
        }
        var alert = new JsonObject
        {
            ["id"] = Interlocked.Increment(ref _ids), ["symbol"] = symbol, ["conditions"] = conditions!.DeepClone(), ["recurring"] = (bool?)body["recurring"] ?? false,
            ["cooldownMinutes"] = (int?)body["cooldownMinutes"] ?? 5, ["note"] = (string?)body["note"] ?? "", ["enabled"] = true,
            ["createdAt"] = DateTimeOffset.UtcNow, ["updatedAt"] = DateTimeOffset.UtcNow, ["lastTriggeredAt"] = DateTimeOffset.UtcNow.AddMinutes(-3), ["triggerCount"] = 1,
        };
        s.Alerts.Add(alert);
        return Results.Created($"/api/alerts/{alert["id"]}", alert);
    }

    private IResult Coins(IQueryCollection q)
    {
        IEnumerable<Dictionary<string, object?>> rows = Market.Coins;
        var search = q["search"].ToString();
        if (search.Length > 0)
        {
            rows = rows.Where(r => ((string)r["symbol"]!).Contains(search, StringComparison.OrdinalIgnoreCase));
        }
        foreach (var (key, value) in q)
        {
            var isMin = key.StartsWith("min", StringComparison.Ordinal);
            if (!isMin && !key.StartsWith("max", StringComparison.Ordinal) || key.Length < 4)
            {
                continue;
            }
            var field = char.ToLowerInvariant(key[3]) + key[4..];
            var bound = double.Parse(value.ToString(), CultureInfo.InvariantCulture);
            rows = rows.Where(r => FakeMarket.Num(r, field) is var v && !double.IsNaN(v) && (isMin ? v >= bound : v <= bound)).ToList();
        }
        var sortBy = q["sortBy"].ToString();
        if (sortBy.Length > 0)
        {
            if (!Market.Coins[0].ContainsKey(sortBy))
            {
                return Validation(new() { ["sortBy"] = [$"Unknown sort field '{sortBy}'."] });
            }
            rows = q["sortOrder"] == "asc" ? rows.OrderBy(r => FakeMarket.Num(r, sortBy)) : rows.OrderByDescending(r => FakeMarket.Num(r, sortBy));
        }
        var list = rows.ToList();
        var size = int.TryParse(q["pageSize"], out var s) ? s : 50;
        return Results.Ok(new { data = list.Take(size), total = list.Count, page = 1, pageSize = size });
    }

    private async Task HubAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using var ws = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref WebSocketClients);
        var channels = new ConcurrentDictionary<string, bool>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var sendLock = new SemaphoreSlim(1, 1);
        async Task Send(object frame)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(frame);
            await sendLock.WaitAsync(cts.Token);
            try
            {
                await ws.SendAsync(bytes, WebSocketMessageType.Text, true, cts.Token);
            }
            finally
            {
                sendLock.Release();
            }
        }
        var pump = Task.Run(async () =>
        {
            var n = 0;
            while (!cts.IsCancellationRequested && ws.State == WebSocketState.Open)
            {
                await Task.Delay(250, cts.Token);
                n++;
                var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (var channel in channels.Keys)
                {
                    if (channel == "tickers")
                    {
                        var data = Market.Coins.Select(c => new { symbol = c["symbol"], price = FakeMarket.Num(c, "price") * (1 + 0.001 * Math.Sin(n)), change_5m = FakeMarket.Num(c, "change_5m") + 0.01 * Math.Sin(n) });
                        await Send(new { type = "tickers", channel, ts, data });
                    }
                    else if (channel.StartsWith("candles:", StringComparison.Ordinal))
                    {
                        var parts = channel.Split(':');
                        if (Market.Find(parts[1]) is not null)
                        {
                            await Send(new { type = "candles", channel, ts, data = Market.LiveCandle(parts[1], parts[2]) });
                        }
                    }
                    else if (channel.StartsWith("orderbook:", StringComparison.Ordinal) && n % 2 == 0)
                    {
                        var symbol = channel[10..];
                        if (Market.Find(symbol) is not null)
                        {
                            await Send(new { type = "orderbook", channel, ts, data = Market.OrderBook(symbol, 100) });
                        }
                    }
                    else if (channel == "alerts" && n % 8 == 4)
                    {
                        await Send(new
                        {
                            type = "alerts", channel, ts,
                            data = new
                            {
                                id = 7000 + n, alertId = 101, symbol = "ETHUSDT", type = "price_above", openTime = ts / 60_000 * 60_000, time = DateTimeOffset.UtcNow, price = 3401.5,
                                message = "price 3401.5 above 3400",
                            },
                        });
                    }
                    else if (channel == "signals" && n % 8 == 0)
                    {
                        await Send(new
                        {
                            type = "signals", channel, ts,
                            data = new { id = 5000 + n, symbol = "BTCUSDT", type = "futures_pioneer_bull", openTime = ts / 60_000 * 60_000, time = DateTimeOffset.UtcNow, price = 65000.0, metrics = new { change_5m = 1.1 } },
                        });
                    }
                }
            }
        });
        var buffer = new byte[16 * 1024];
        try
        {
            while (ws.State == WebSocketState.Open)
            {
                var result = await ws.ReceiveAsync(buffer, cts.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                using var doc = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                var type = doc.RootElement.GetProperty("type").GetString();
                if (type is "subscribe" or "unsubscribe")
                {
                    foreach (var c in doc.RootElement.GetProperty("channels").EnumerateArray())
                    {
                        if (type == "subscribe")
                        {
                            channels[c.GetString()!] = true;
                        }
                        else
                        {
                            channels.TryRemove(c.GetString()!, out _);
                        }
                    }
                    await Send(new { type = type + "d", channels = channels.Keys });
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            await cts.CancelAsync();
            try
            {
                await pump;
            }
            catch (OperationCanceledException)
            {
            }
            catch (WebSocketException)
            {
            }
            Interlocked.Decrement(ref WebSocketClients);
        }
    }
}
