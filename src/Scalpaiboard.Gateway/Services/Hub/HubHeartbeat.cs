using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>
/// Sends <c>{"type":"ping"}</c> to every client each ping interval (30 s), disconnects clients that have sent
/// nothing, not even a pong, for the idle timeout (90 s), and aborts connections whose current send has hung longer
/// than the send timeout (a client that stopped reading). On shutdown, closes every connection.
/// </summary>
public sealed class HubHeartbeat(SubscriptionRegistry registry, IOptions<GatewayOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.WebSocket;
        // Ticks often enough for the send watchdog; pings go out every PingInterval.
        var tick = TimeSpan.FromTicks(Math.Min(o.PingInterval.Ticks, Math.Max(TimeSpan.FromMilliseconds(50).Ticks, o.SendTimeout.Ticks / 4)));
        using var timer = new PeriodicTimer(tick, time);
        var nextPing = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var ping = time.GetElapsedTime(nextPing) >= o.PingInterval;
                if (ping)
                {
                    nextPing = time.GetTimestamp();
                }
                foreach (var client in registry.Clients)
                {
                    if (client.IsSendStuck)
                    {
                        client.Abort($"client stopped reading (a send took over {o.SendTimeout.TotalSeconds:0.#} s)");
                    }
                    else if (client.SilentFor > o.IdleTimeout)
                    {
                        client.RequestClose(WebSocketCloseStatus.PolicyViolation, $"no message for {o.IdleTimeout.TotalSeconds:0.#} s");
                    }
                    else if (ping)
                    {
                        client.Send(HubFrames.Ping);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            foreach (var client in registry.Clients)
            {
                client.RequestClose(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
            }
        }
    }
}
