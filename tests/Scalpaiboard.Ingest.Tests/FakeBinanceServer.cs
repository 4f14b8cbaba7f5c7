using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// A small Binance USDT-M futures over real sockets on 127.0.0.1: exchangeInfo, klines (with request weight,
/// <c>X-MBX-USED-WEIGHT-1M</c> and 429 + Retry-After past the limit) and combined streams on Binance's routes
/// (<c>/market/stream?streams=</c>: kline_1m, forming then <c>"x": true</c> once the minute is over, miniTicker, the
/// derivatives streams; <c>/public/stream?streams=</c>: depth20, also on SUBSCRIBE). A stream asked for on the wrong
/// route is accepted and stays silent, as on Binance. It can drop every connection, go silent and send malformed
/// frames. Klines are a pure function of (symbol, minute), so a test can check every stored candle; the derivatives
/// (FakeBinanceServer.Derivatives.cs) likewise.
/// </summary>
public sealed partial class FakeBinanceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeProvider _clock;
    private readonly string[] _symbols;
    private readonly ConcurrentDictionary<WebSocket, byte> _sockets = new();
    private readonly Lock _weightGate = new();
    private long _weightMinute = -1;
    private int _weightUsed;
    private int _pushes;

    public FakeBinanceServer(TimeProvider clock, string[] symbols, int weightLimit)
    {
        _clock = clock;
        _symbols = symbols;
        WeightLimit = weightLimit;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.MapGet("/fapi/v1/exchangeInfo", ExchangeInfo);
        _app.MapGet("/fapi/v1/klines", Klines);
        _app.Map("/market/stream", http => Stream(http, StreamRoute.Market));
        _app.Map("/public/stream", http => Stream(http, StreamRoute.Public));
        MapDerivatives(_app);
    }

    private enum StreamRoute
    {
        Market,
        Public,
    }

    /// <summary>Streams asked for on a route that does not carry them (they never send anything).</summary>
    public int MisroutedStreams;

    private static bool Carries(StreamRoute route, string stream) =>
        stream.Contains("@depth", StringComparison.Ordinal) ? route == StreamRoute.Public : route == StreamRoute.Market;

    public int WeightLimit { get; }

    /// <summary>Requests that arrived when the minute's weight was already used up (the client overspent).</summary>
    public int Violations;

    public int MaxWeightSeen;

    public int MalformedSent;

    public int Connections;

    /// <summary>The most streams any one connection asked for in its URL.</summary>
    public int MaxStreamsPerConnection;

    public int Drops;

    public int KlineRequests;

    /// <summary>While set, streams stay open but send nothing.</summary>
    public volatile bool Silent;

    /// <summary>Every n-th push loop of a connection also sends a malformed frame (0 = never).</summary>
    public volatile int MalformedEvery;

    public string RestUrl { get; private set; } = "";

    public string StreamUrl { get; private set; } = "";

    public async Task StartAsync()
    {
        await _app.StartAsync();
        var address = _app.Urls.First();
        RestUrl = address;
        StreamUrl = address.Replace("http://", "ws://", StringComparison.Ordinal);
    }

    /// <summary>Aborts every open stream connection, as a network drop would; returns how many it cut.</summary>
    public int DropAll()
    {
        var cut = 0;
        foreach (var ws in _sockets.Keys)
        {
            ws.Abort();
            _sockets.TryRemove(ws, out _);
            cut++;
        }
        Interlocked.Add(ref Drops, cut);
        return cut;
    }

    public int OpenConnections => _sockets.Count;

    /// <summary>The closed 1m kline of a symbol at a minute (Unix minutes): deterministic.</summary>
    public static (double Open, double High, double Low, double Close, double Volume, double Quote, long Trades) Kline(string symbol, long minute, bool forming = false)
    {
        var s = symbol.Sum(c => c) % 97;
        var open = 100 + s + 10 * Math.Sin(minute / 37.0 + s);
        var close = 100 + s + 10 * Math.Sin((minute + 1) / 37.0 + s);
        if (forming)
        {
            close = (open + close) / 2 + 0.123;
        }
        var high = Math.Max(open, close) + 0.5 + (minute % 5) * 0.1;
        var low = Math.Min(open, close) - 0.5 - (minute % 3) * 0.1;
        var volume = 1000 + (minute * 7 + s) % 500;
        return (Math.Round(open, 4), Math.Round(high, 4), Math.Round(low, 4), Math.Round(close, 4), volume, Math.Round(volume * close, 2), 100 + minute % 50);
    }

    private bool Charge(HttpContext http, int weight)
    {
        lock (_weightGate)
        {
            var minute = _clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
            if (minute != _weightMinute)
            {
                _weightMinute = minute;
                _weightUsed = 0;
            }
            if (_weightUsed + weight > WeightLimit)
            {
                Violations++;
                http.Response.Headers["X-MBX-USED-WEIGHT-1M"] = _weightUsed.ToString(CultureInfo.InvariantCulture);
                http.Response.Headers.RetryAfter = "1";
                return false;
            }
            _weightUsed += weight;
            MaxWeightSeen = Math.Max(MaxWeightSeen, _weightUsed);
            http.Response.Headers["X-MBX-USED-WEIGHT-1M"] = _weightUsed.ToString(CultureInfo.InvariantCulture);
            return true;
        }
    }

    private IResult ExchangeInfo(HttpContext http)
    {
        if (!Charge(http, 1))
        {
            return Results.StatusCode(429);
        }
        var symbols = _symbols.Select(s => new { symbol = s, pair = s, contractType = "PERPETUAL", status = "TRADING", quoteAsset = "USDT" })
            .Append(new { symbol = "BTCUSDC", pair = "BTCUSDC", contractType = "PERPETUAL", status = "TRADING", quoteAsset = "USDC" })
            .Append(new { symbol = "OLDUSDT", pair = "OLDUSDT", contractType = "PERPETUAL", status = "SETTLING", quoteAsset = "USDT" })
            .Append(new { symbol = "BTCUSDT_261225", pair = "BTCUSDT", contractType = "CURRENT_QUARTER", status = "TRADING", quoteAsset = "USDT" });
        return Results.Json(new
        {
            timezone = "UTC",
            serverTime = _clock.GetUtcNow().ToUnixTimeMilliseconds(),
            rateLimits = new object[]
            {
                new { rateLimitType = "REQUEST_WEIGHT", interval = "MINUTE", intervalNum = 1, limit = WeightLimit },
                new { rateLimitType = "ORDERS", interval = "MINUTE", intervalNum = 1, limit = 1200 },
            },
            symbols,
        });
    }

    private IResult Klines(HttpContext http, string symbol, string interval, long? startTime, long? endTime, int? limit)
    {
        var n = Math.Clamp(limit ?? 500, 1, 1500);
        var weight = n < 100 ? 1 : n < 500 ? 2 : n <= 1000 ? 5 : 10;
        if (!Charge(http, weight))
        {
            return Results.StatusCode(429);
        }
        Interlocked.Increment(ref KlineRequests);
        if (!_symbols.Contains(symbol) || interval is not ("1m" or "4h"))
        {
            return Results.Json(new { code = -1121, msg = "Invalid symbol." }, statusCode: 400);
        }
        if (interval == "4h")
        {
            return FourHourKlines(symbol, endTime, n);
        }
        if (Interlocked.Decrement(ref FailOneMinuteRequests) >= 0)
        {
            return Results.Json(new { code = -1003, msg = "Failing as asked." }, statusCode: 400);
        }
        var nowMinute = _clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        var last = Math.Min(nowMinute, (endTime ?? long.MaxValue / 2) / 60_000);
        var first = startTime is { } st ? (st + 59_999) / 60_000 : last - n + 1;
        var rows = new List<object[]>();
        for (var m = first; m <= last && rows.Count < n; m++)
        {
            var k = Kline(symbol, m, forming: m == nowMinute);
            rows.Add([m * 60_000, S(k.Open), S(k.High), S(k.Low), S(k.Close), S(k.Volume), m * 60_000 + 59_999, S(k.Quote), k.Trades, S(k.Volume / 2), S(k.Quote / 2), "0"]);
        }
        return Results.Json(rows);
    }

    /// <summary>Symbols listed this many 4h bars before now (older ones: all the history asked for).</summary>
    public Dictionary<string, int> ListedFourHourBarsAgo { get; } = new(StringComparer.Ordinal);

    public int FourHourRequests;

    /// <summary>The next this many 1m kline requests fail with a 400 (the feed fails and is run again).</summary>
    public int FailOneMinuteRequests;

    /// <summary>
    /// The 4h kline of a symbol opening at a 4h boundary (Unix ms): the 240 1m klines of <see cref="Kline"/> aggregated,
    /// the last one forming when the bar is.
    /// </summary>
    public (double Open, double High, double Low, double Close, double Volume, double Quote, long Trades) FourHourKline(string symbol, long openTime)
    {
        var nowMinute = _clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        var first = openTime / 60_000;
        double open = 0, high = double.MinValue, low = double.MaxValue, close = 0, volume = 0, quote = 0;
        long trades = 0;
        for (var m = first; m < first + 240 && m <= nowMinute; m++)
        {
            var k = Kline(symbol, m, forming: m == nowMinute);
            if (m == first)
            {
                open = k.Open;
            }
            high = Math.Max(high, k.High);
            low = Math.Min(low, k.Low);
            close = k.Close;
            volume += k.Volume;
            quote += k.Quote;
            trades += k.Trades;
        }
        return (open, high, low, close, volume, Math.Round(quote, 2), trades);
    }

    private IResult FourHourKlines(string symbol, long? endTime, int n)
    {
        Interlocked.Increment(ref FourHourRequests);
        const long Bar = 4 * 3_600_000;
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var last = Math.Min(now, endTime ?? long.MaxValue / 2) / Bar * Bar;
        var listed = ListedFourHourBarsAgo.TryGetValue(symbol, out var ago) ? now / Bar * Bar - (ago * Bar) : long.MinValue;
        var rows = new List<object[]>();
        for (var t = last - ((n - 1) * Bar); t <= last; t += Bar)
        {
            if (t < listed)
            {
                continue;
            }
            var k = FourHourKline(symbol, t);
            rows.Add([t, S(k.Open), S(k.High), S(k.Low), S(k.Close), S(k.Volume), t + Bar - 1, S(k.Quote), k.Trades, S(k.Volume / 2), S(k.Quote / 2), "0"]);
        }
        return Results.Json(rows);
    }

    private static string S(double v) => v.ToString("0.########", CultureInfo.InvariantCulture);

    private async Task Stream(HttpContext http, StreamRoute route)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = 400;
            return;
        }
        var asked = (http.Request.Query["streams"].ToString()).Split('/', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        lock (_weightGate)
        {
            MaxStreamsPerConnection = Math.Max(MaxStreamsPerConnection, asked.Count);
        }
        Interlocked.Add(ref MisroutedStreams, asked.Count(s => !Carries(route, s)));
        var streams = asked.Where(s => Carries(route, s)).ToHashSet();
        using var ws = await http.WebSockets.AcceptWebSocketAsync();
        _sockets[ws] = 0;
        Interlocked.Increment(ref Connections);
        var depth = new ConcurrentDictionary<string, byte>();
        foreach (var s in streams.Where(s => s.Contains("@depth", StringComparison.Ordinal)))
        {
            depth[s] = 0;
        }
        var receive = ReceiveControlAsync(ws, route, depth, http.RequestAborted);
        var derivatives = new DerivativesCursor(streams, this);
        var sentMinute = _clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        var loop = 0;
        try
        {
            while (ws.State == WebSocketState.Open && !http.RequestAborted.IsCancellationRequested)
            {
                await Task.Delay(40);
                if (Silent)
                {
                    continue;
                }
                loop++;
                var minute = _clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
                foreach (var stream in streams.Where(s => s.EndsWith("@kline_1m", StringComparison.Ordinal)))
                {
                    var symbol = stream[..stream.IndexOf('@')].ToUpperInvariant();
                    if (minute > sentMinute)
                    {
                        await SendAsync(ws, KlineFrame(stream, symbol, minute - 1, closed: true));
                    }
                    await SendAsync(ws, KlineFrame(stream, symbol, minute, closed: false));
                }
                sentMinute = minute;
                if (streams.Contains("!miniTicker@arr"))
                {
                    var tickers = _symbols.Select(s => new Dictionary<string, object?>
                    {
                        ["e"] = "24hrMiniTicker", ["E"] = 0L, ["s"] = s, ["c"] = S(Kline(s, minute, true).Close), ["o"] = "1", ["h"] = "2", ["l"] = "0.5", ["v"] = "10", ["q"] = "100",
                    }).ToList();
                    await SendAsync(ws, Frame("!miniTicker@arr", tickers));
                }
                await SendDerivativesAsync(ws, derivatives);
                foreach (var d in depth.Keys)
                {
                    var symbol = d[..d.IndexOf('@')].ToUpperInvariant();
                    var mid = Kline(symbol, minute, true).Close;
                    var bids = Enumerable.Range(1, 20).Select(i => new[] { S(Math.Round(mid - i * 0.01, 2)), S(i) });
                    var asks = Enumerable.Range(1, 20).Select(i => new[] { S(Math.Round(mid + i * 0.01, 2)), S(i) });
                    await SendAsync(ws, Frame(d, new Dictionary<string, object?>
                    {
                        ["e"] = "depthUpdate", ["E"] = _clock.GetUtcNow().ToUnixTimeMilliseconds(), ["s"] = symbol, ["b"] = bids.ToList(), ["a"] = asks.ToList(),
                    }));
                }
                // Counted across connections, so frequent drops cannot keep a connection from reaching its turn.
                if (MalformedEvery > 0 && Interlocked.Increment(ref _pushes) % MalformedEvery == 0)
                {
                    await SendAsync(ws, loop % 2 == 0 ? "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"k\":{\"t\":\"oops\"" : "{\"stream\":\"xyzusdt@kline_1m\",\"data\":{\"k\":{}}}");
                    Interlocked.Increment(ref MalformedSent);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _sockets.TryRemove(ws, out _);
            try { await receive; } catch (Exception) { }
        }
    }

    private static string KlineFrame(string stream, string symbol, long minute, bool closed)
    {
        var k = Kline(symbol, minute, forming: !closed);
        return Frame(stream, new Dictionary<string, object?>
        {
            ["e"] = "kline", ["E"] = minute * 60_000 + 1, ["s"] = symbol,
            ["k"] = new Dictionary<string, object?>
            {
                ["t"] = minute * 60_000, ["T"] = minute * 60_000 + 59_999, ["s"] = symbol, ["i"] = "1m", ["f"] = 1, ["L"] = 2,
                ["o"] = S(k.Open), ["c"] = S(k.Close), ["h"] = S(k.High), ["l"] = S(k.Low), ["v"] = S(k.Volume), ["n"] = k.Trades, ["x"] = closed,
                ["q"] = S(k.Quote), ["V"] = S(k.Volume / 2), ["Q"] = S(k.Quote / 2), ["B"] = "0",
            },
        });
    }

    /// <summary>
    /// A combined-stream frame. Payloads are dictionaries: Binance's names differ only in case (<c>e</c>/<c>E</c>,
    /// <c>t</c>/<c>T</c>), which System.Text.Json refuses for anonymous types (their constructor parameters bind by
    /// name whatever the case), so a frame built from one threw instead of being sent.
    /// </summary>
    private static string Frame(string stream, object data) => JsonSerializer.Serialize(new Dictionary<string, object> { ["stream"] = stream, ["data"] = data });

    private async Task ReceiveControlAsync(WebSocket ws, StreamRoute route, ConcurrentDictionary<string, byte> depth, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        while (ws.State == WebSocketState.Open)
        {
            var r = await ws.ReceiveAsync(buffer, cancellationToken);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count));
            var method = doc.RootElement.GetProperty("method").GetString();
            foreach (var p in doc.RootElement.GetProperty("params").EnumerateArray())
            {
                if (method == "SUBSCRIBE" && !Carries(route, p.GetString()!)) Interlocked.Increment(ref MisroutedStreams);
                else if (method == "SUBSCRIBE") depth[p.GetString()!] = 0;
                else depth.TryRemove(p.GetString()!, out _);
            }
            await SendAsync(ws, JsonSerializer.Serialize(new { result = (object?)null, id = doc.RootElement.GetProperty("id").GetInt32() }));
        }
    }

    private static readonly SemaphoreSlim SendGate = new(1, 1);

    private static async Task SendAsync(WebSocket ws, string text)
    {
        await SendGate.WaitAsync();
        try
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            SendGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ws in _sockets.Keys)
        {
            ws.Abort();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
