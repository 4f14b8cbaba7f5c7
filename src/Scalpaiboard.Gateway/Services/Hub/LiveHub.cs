using System.Buffers;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Gateway.Services.Accounts;
using Scalpaiboard.Infrastructure.Events;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>
/// The /ws endpoint (CONTRACT.md "WebSocket /ws"): accepts a connection, then reads client messages (auth,
/// subscribe, unsubscribe, pong) while the client's writer loop sends frames. A bad message (not JSON, unknown
/// type or channel, too large, binary) is answered with an error frame and the connection stays usable.
/// </summary>
public sealed partial class LiveHub(SubscriptionRegistry registry, LiveFanout fanout, AccessTokenValidator tokens, ClientAddress clientAddress, IOptions<GatewayOptions> options,
    TimeProvider time, ILogger<LiveHub> logger, IMeterFactory meters)
{
    private const int InitialBufferSize = 4096;

    private readonly Model.WebSocketOptions _options = options.Value.WebSocket;
    private readonly UpDownCounter<long> _connections = meters.Create("Scalpaiboard.Gateway")
        .CreateUpDownCounter<long>("scalpaiboard.gateway.ws.connections", description: "Open /ws connections");
    private readonly Counter<long> _cutOff = meters.Create("Scalpaiboard.Gateway")
        .CreateCounter<long>("scalpaiboard.gateway.ws.closed_by_server", description: "Connections closed by the Gateway (too slow, idle, shutdown)");

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem("Connect with a WebSocket upgrade request.", statusCode: StatusCodes.Status400BadRequest,
                title: "WebSocket required").ExecuteAsync(context);
            return;
        }
        var address = clientAddress.Of(context);
        if (!registry.TryReserve(address, _options.MaxConnectionsPerClient))
        {
            context.Response.Headers.RetryAfter = "10";
            await TypedResults.Problem($"At most {_options.MaxConnectionsPerClient} WebSocket connections per client address (Gateway__WebSocket__MaxConnectionsPerClient).",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many connections").ExecuteAsync(context);
            return;
        }
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var client = new HubClient(socket, address, _options.QueueCapacity, _options.SendTimeout, time, context.RequestAborted);
            if (context.User.Identity?.IsAuthenticated == true)
            {
                client.UserId = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
            }
            registry.Add(client);
            _connections.Add(1);
            var writer = client.RunWriterAsync();
            try
            {
                await ReadLoopAsync(client, socket);
            }
            finally
            {
                registry.Remove(client);
                client.Complete();
                await writer;
                _connections.Add(-1);
                if (client.CloseReason is { } reason)
                {
                    _cutOff.Add(1);
                    LogClosedByServer(logger, address, reason);
                }
                if (socket.State == WebSocketState.CloseReceived)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                    }
                    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
                    {
                        // gone already
                    }
                }
                client.DisposeLifetime();
            }
        }
        finally
        {
            registry.Release(address);
        }
    }

    private async Task ReadLoopAsync(HubClient client, WebSocket socket)
    {
        var max = _options.MaxMessageBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, max));
        try
        {
            while (true)
            {
                var count = 0;
                var tooLarge = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (!tooLarge && count == Math.Min(buffer.Length, max))
                    {
                        if (buffer.Length >= max)
                        {
                            tooLarge = true;
                        }
                        else
                        {
                            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max));
                            buffer.AsSpan(0, count).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }
                    }
                    // Past the limit the rest of the message is read into the buffer and thrown away.
                    var target = tooLarge ? buffer.AsMemory() : buffer.AsMemory(count, Math.Min(buffer.Length, max) - count);
                    result = await socket.ReceiveAsync(target, client.Lifetime);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    if (!tooLarge)
                    {
                        count += result.Count;
                    }
                }
                while (!result.EndOfMessage);

                client.MarkSeen();
                if (client.CloseReason is not null)
                {
                    // Closing: waiting only for the client's close frame.
                    continue;
                }
                if (tooLarge)
                {
                    client.Send(HubFrames.Error($"message too large: the limit is {max} bytes"));
                }
                else if (result.MessageType != WebSocketMessageType.Text)
                {
                    client.Send(HubFrames.Error("binary frames are not accepted; send JSON text frames"));
                }
                else
                {
                    await HandleAsync(client, buffer.AsMemory(0, count));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The connection ended (client left, or the writer cut it off).
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal async Task HandleAsync(HubClient client, ReadOnlyMemory<byte> message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException ex)
        {
            client.Send(HubFrames.Error("invalid JSON: " + ex.Message));
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                client.Send(HubFrames.Error("a message is a JSON object with a string 'type': auth, subscribe, unsubscribe or pong"));
                return;
            }
            switch (typeElement.GetString())
            {
                case "pong":
                    return;
                case "ping":
                    client.Send(HubFrames.Pong);
                    return;
                case "auth":
                    await AuthenticateAsync(client, root);
                    return;
                case "subscribe":
                    await SubscribeAsync(client, root, subscribe: true);
                    return;
                case "unsubscribe":
                    await SubscribeAsync(client, root, subscribe: false);
                    return;
                case var other:
                    client.Send(HubFrames.Error($"unknown message type '{Shorten(other)}'; use auth, subscribe, unsubscribe or pong"));
                    return;
            }
        }
    }

    private async Task AuthenticateAsync(HubClient client, JsonElement root)
    {
        var token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var userId = await tokens.ValidateUserIdAsync(token);
        if (userId is null)
        {
            client.Send(HubFrames.Error("auth: the token is missing, invalid or expired; log in again"));
            return;
        }
        if (client.UserId != userId && client.Channels.Contains(EventNames.Alerts))
        {
            // Another account on the same connection: alerts now follow the new user.
            if (client.UserId is not null)
            {
                registry.Unsubscribe(client, SubscriptionRegistry.LiveKey(EventNames.Alerts, client.UserId));
            }
            var key = SubscriptionRegistry.LiveKey(EventNames.Alerts, userId);
            if (Listen(client, key, out var confirmed))
            {
                await confirmed;
            }
            else
            {
                client.Channels.Remove(EventNames.Alerts);
                client.Send(HubFrames.Error(TooManyChannels(EventNames.Alerts)));
            }
        }
        client.UserId = userId;
        client.Send(HubFrames.Authenticated(userId));
    }

    private async Task SubscribeAsync(HubClient client, JsonElement root, bool subscribe)
    {
        var verb = subscribe ? "subscribe" : "unsubscribe";
        if (!root.TryGetProperty("channels", out var channels) || channels.ValueKind != JsonValueKind.Array)
        {
            client.Send(HubFrames.Error($"{verb}: 'channels' must be an array of channel names"));
            return;
        }
        var done = new List<string>();
        var listening = new List<Task>();
        foreach (var element in channels.EnumerateArray())
        {
            var name = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
            if (!LiveChannelNames.TryNormalize(name, out var channel, out var error))
            {
                client.Send(HubFrames.Error($"{verb}: {error}"));
                continue;
            }
            if (!subscribe)
            {
                if (client.Channels.Remove(channel) && (channel != EventNames.Alerts || client.UserId is not null))
                {
                    registry.Unsubscribe(client, SubscriptionRegistry.LiveKey(channel, client.UserId));
                }
                done.Add(channel);
                continue;
            }
            if (channel == EventNames.Alerts && client.UserId is null)
            {
                client.Send(HubFrames.Error("subscribe: channel 'alerts' needs authentication; send {\"type\":\"auth\",\"token\":...} first"));
                continue;
            }
            if (!client.Channels.Contains(channel) && client.Channels.Count >= _options.MaxSubscriptionsPerClient)
            {
                client.Send(HubFrames.Error($"subscribe: at most {_options.MaxSubscriptionsPerClient} channels per connection; '{channel}' not added"));
                continue;
            }
            var key = SubscriptionRegistry.LiveKey(channel, client.UserId);
            if (!Listen(client, key, out var confirmed))
            {
                client.Send(HubFrames.Error("subscribe: " + TooManyChannels(channel)));
                continue;
            }
            client.Channels.Add(channel);
            listening.Add(confirmed);
            done.Add(channel);
        }
        // "subscribed" goes out once Redis has confirmed the channels (at most 2 s): from then on frames flow.
        await Task.WhenAll(listening);
        if (done.Count > 0)
        {
            client.Send(HubFrames.Subscriptions(subscribe ? "subscribed" : "unsubscribed", done));
        }
    }

    /// <summary>
    /// Registers the client for a live key, then has the fan-out listen to it (<see cref="LiveFanout.TryListen"/>);
    /// false, with the registration taken back, when the Gateway listens to <see cref="Model.WebSocketOptions.MaxLiveChannels"/> channels already.
    /// </summary>
    private bool Listen(HubClient client, string key, out Task confirmed)
    {
        registry.Subscribe(client, key);
        if (fanout.TryListen(key, out confirmed))
        {
            return true;
        }
        registry.Unsubscribe(client, key);
        return false;
    }

    private string TooManyChannels(string channel) =>
        $"this Gateway already listens to {_options.MaxLiveChannels} different channels (Gateway__WebSocket__MaxLiveChannels); '{channel}' not added";

    private static string Shorten(string? s) => s is null ? "" : s.Length <= 40 ? s : s[..40] + "...";

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed WebSocket client {Address}: {Reason}")]
    private static partial void LogClosedByServer(ILogger logger, string address, string reason);
}
