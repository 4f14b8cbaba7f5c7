using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

/// <summary>A /ws client that subscribes to channels and records every frame it gets until stopped.</summary>
public sealed class LiveCollector
{
    private readonly ConcurrentQueue<JsonObject> frames = new();
    private readonly CancellationTokenSource stop = new();
    private Task? loop;

    public IReadOnlyList<JsonObject> Frames => [.. frames];

    public string? Failure { get; private set; }

    public static LiveCollector Start(string gatewayUrl, IReadOnlyList<string> channels)
    {
        var collector = new LiveCollector();
        collector.loop = Task.Run(() => collector.RunAsync(gatewayUrl, channels));
        return collector;
    }

    public async Task StopAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }
    }

    private async Task RunAsync(string gatewayUrl, IReadOnlyList<string> channels)
    {
        try
        {
            using var socket = await LiveSocket.ConnectAsync(gatewayUrl, stop.Token);
            await socket.SendAsync(new JsonObject { ["type"] = "subscribe", ["channels"] = new JsonArray([.. channels.Select(c => (JsonNode)c)]) }, stop.Token);
            while (!stop.IsCancellationRequested)
            {
                var frame = await socket.ReceiveAsync(stop.Token);
                if (frame is null)
                {
                    Failure = "the server closed the socket";
                    return;
                }
                frames.Enqueue(frame);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is WebSocketException or JsonException or IOException)
        {
            Failure = e.Message;
        }
    }
}

/// <summary>A thin JSON-frame wrapper over ClientWebSocket for the Gateway's /ws.</summary>
public sealed class LiveSocket : IDisposable
{
    private readonly ClientWebSocket socket = new();

    public static async Task<LiveSocket> ConnectAsync(string gatewayUrl, CancellationToken cancellationToken)
    {
        var live = new LiveSocket();
        await live.socket.ConnectAsync(new Uri(gatewayUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws"), cancellationToken);
        return live;
    }

    public Task SendAsync(JsonObject message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next JSON frame (answering pings), or null when the server closed the socket.</summary>
    public async Task<JsonObject?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            var frame = JsonNode.Parse(message.ToArray())?.AsObject() ?? throw new JsonException("empty frame");
            if ((string?)frame["type"] == "ping")
            {
                await SendAsync(new JsonObject { ["type"] = "pong" }, cancellationToken);
                continue;
            }
            return frame;
        }
    }

    /// <summary>Frames until <paramref name="done"/> holds for one of them or the time runs out.</summary>
    public async Task<List<JsonObject>> ReceiveUntilAsync(Func<JsonObject, bool> done, TimeSpan timeout)
    {
        var got = new List<JsonObject>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await ReceiveAsync(cts.Token) is { } frame)
            {
                got.Add(frame);
                if (done(frame))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
        return got;
    }

    public void Dispose() => socket.Dispose();
}
