using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>
/// Sends <c>{"type":"ping"}</c> to every client each ping interval (30 s) and disconnects clients that have sent
/// nothing, not even a pong, for the idle timeout (90 s). On shutdown, closes every connection with "going away".
/// </summary>
public sealed class HubHeartbeat(SubscriptionRegistry registry, IOptions<GatewayOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.WebSocket;
        using var timer = new PeriodicTimer(o.PingInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var client in registry.Clients)
                {
                    if (client.SilentFor > o.IdleTimeout)
                    {
                        client.RequestClose(WebSocketCloseStatus.PolicyViolation, $"no message for {o.IdleTimeout.TotalSeconds:0.#} s");
                    }
                    else
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
