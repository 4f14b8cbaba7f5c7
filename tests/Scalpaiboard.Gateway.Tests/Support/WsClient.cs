using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Scalpaiboard.Gateway.Tests.Support;

/// <summary>A /ws test client: JSON in and out, pings skipped unless asked for.</summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[1 << 20];

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<WsClient> ConnectAsync(GatewayFactory gateway)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(gateway.WebSocketUri, CancellationToken.None);
        return new WsClient(socket);
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message as text (null when the server closed), skipping pings unless <paramref name="includePings"/>.</summary>
    public async Task<string?> ReceiveTextAsync(TimeSpan? timeout = null, bool includePings = false)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await Socket.ReceiveAsync(_buffer.AsMemory(count), cts.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                count += result.Count;
            }
            while (!result.EndOfMessage);
            var text = Encoding.UTF8.GetString(_buffer, 0, count);
            if (!includePings && text == "{\"type\":\"ping\"}")
            {
                continue;
            }
            return text;
        }
    }

    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null, bool includePings = false)
    {
        var text = await ReceiveTextAsync(timeout, includePings) ?? throw new InvalidOperationException(
            $"the server closed the connection: {Socket.CloseStatus} {Socket.CloseStatusDescription}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Subscribes and waits for the acknowledgement.</summary>
    public async Task<JsonElement> SubscribeAsync(params string[] channels)
    {
        await SendAsync(new { type = "subscribe", channels });
        return await ReceiveJsonAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // already gone
            }
        }
        Socket.Dispose();
    }
}
