using System.Text.Json.Nodes;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>The Gateway's /ws hub with a plain ClientWebSocket.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(45)]
public sealed class WebSocketTests(SystemFixture system, ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_subscribed_during_the_replay_got_tickers_and_signals_with_numeric_ts()
    {
        var frames = system.Live.Frames;
        Assert.True(system.Live.Failure is null, $"the collecting socket failed: {system.Live.Failure}");
        var data = frames.Where(f => (string?)f["type"] is not ("error" or "subscribed" or "unsubscribed")).ToList();
        var tickers = data.Where(f => (string?)f["channel"] == "tickers").ToList();
        Assert.True(tickers.Count > 0, $"no tickers frame while the replay ran; {frames.Count} frames: {Sample(frames)}");
        foreach (var f in data.Where(f => f["channel"] is not null))
        {
            Assert.True(IsUnixMs(f["ts"]), $"frame without a numeric ts: {f.ToJsonString()}");
            Assert.Equal((string?)f["channel"] == "tickers" ? "tickers" : "signals", (string?)f["type"]);
        }
        var ticker = tickers[^1]["data"]!.AsArray();
        Assert.NotEmpty(ticker);
        Assert.All(ticker, t => Assert.Contains((string)t!["symbol"]!, system.Sample.Symbols));

        // Every signal frame is one of the stored signals.
        var signals = data.Where(f => (string?)f["channel"] == "signals").ToList();
        output.WriteLine($"during the replay: {tickers.Count} tickers frames, {signals.Count} signals frames, {frames.Count} frames in all");
        var stored = (await Api.GetAsync(system.Gateway, "/api/signals?limit=10000"))["signals"]!.AsArray()
            .Select(s => s!["id"]!.ToJsonString()).ToHashSet();
        Assert.All(signals, f => Assert.Contains(f["data"]!["id"]!.ToJsonString(), stored));
    }

    [Fact]
    public async Task Order_book_of_a_watched_symbol_streams_frames_with_numeric_ts()
    {
        var symbol = system.Sample.Symbols[3];
        await Api.GetAsync(system.Gateway, $"/api/coins/{symbol}/orderbook?depth=20"); // watch it
        using var socket = await LiveSocket.ConnectAsync(system.GatewayUrl, CancellationToken.None);
        await socket.SendAsync(new JsonObject { ["type"] = "subscribe", ["channels"] = new JsonArray($"orderbook:{symbol}") }, CancellationToken.None);
        var frames = await socket.ReceiveUntilAsync(f => (string?)f["channel"] == $"orderbook:{symbol}", TimeSpan.FromSeconds(15));
        var book = frames.LastOrDefault(f => (string?)f["channel"] == $"orderbook:{symbol}");
        Assert.True(book is not null, $"no orderbook:{symbol} frame in 15 s: {Sample(frames)}");
        Assert.Equal("orderbook", (string?)book!["type"]);
        Assert.True(IsUnixMs(book["ts"]), book.ToJsonString());
        Assert.Equal(symbol, (string?)book["data"]!["symbol"]);
        Assert.NotEmpty(book["data"]!["bids"]!.AsArray());
        Assert.NotEmpty(book["data"]!["asks"]!.AsArray());
    }

    [Fact]
    public async Task Unknown_channel_is_answered_with_an_error_message()
    {
        using var socket = await LiveSocket.ConnectAsync(system.GatewayUrl, CancellationToken.None);
        await socket.SendAsync(new JsonObject { ["type"] = "subscribe", ["channels"] = new JsonArray("no-such-channel") }, CancellationToken.None);
        var frames = await socket.ReceiveUntilAsync(f => (string?)f["type"] == "error", TimeSpan.FromSeconds(10));
        var error = frames.LastOrDefault(f => (string?)f["type"] == "error");
        Assert.True(error is not null, $"no error frame for an unknown channel: {Sample(frames)}");
        Assert.Contains("no-such-channel", (string?)error!["message"] ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_channel_without_auth_is_refused()
    {
        using var socket = await LiveSocket.ConnectAsync(system.GatewayUrl, CancellationToken.None);
        await socket.SendAsync(new JsonObject { ["type"] = "subscribe", ["channels"] = new JsonArray("alerts") }, CancellationToken.None);
        var frames = await socket.ReceiveUntilAsync(f => (string?)f["type"] == "error", TimeSpan.FromSeconds(10));
        Assert.True(frames.Any(f => (string?)f["type"] == "error"), $"subscribing to alerts anonymously should be an error: {Sample(frames)}");
    }

    private static bool IsUnixMs(JsonNode? ts) =>
        ts is JsonValue v && v.TryGetValue<long>(out var ms) && ms > 1_500_000_000_000 && ms < 4_000_000_000_000;

    private static string Sample(IReadOnlyList<JsonObject> frames) =>
        string.Join(" | ", frames.Take(5).Select(f => f.ToJsonString()[..Math.Min(200, f.ToJsonString().Length)]));
}
