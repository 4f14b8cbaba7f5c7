using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scalpaiboard.Gateway.Services.Hub;
using Scalpaiboard.Gateway.Tests.Support;

namespace Scalpaiboard.Gateway.Tests;

/// <summary>Slow clients, ticker coalescing, ping and idle disconnects: each with a Gateway of its own settings.</summary>
[Collection(nameof(SharedLiveChannels))]
public sealed class HubFlowControlTests
{
    private static string Padded(string channel, int n, int size) =>
        HubTests.Frame(channel, new { n, pad = new string('x', size) });

    private static int NumberOf(string frame) => JsonDocument.Parse(frame).RootElement.GetProperty("data").GetProperty("n").GetInt32();

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_and_the_others_get_everything()
    {
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:WebSocket:QueueCapacity"] = "32",
            ["Gateway:WebSocket:SendTimeout"] = "00:00:02",
        });
        await HubTests.WaitForFanoutAsync(gateway);
        var registry = gateway.Services.GetRequiredService<SubscriptionRegistry>();

        await using var slow = await WsClient.ConnectAsync(gateway);
        await slow.SubscribeAsync("signals");
        var fast = new List<WsClient>();
        for (var i = 0; i < 3; i++)
        {
            var c = await WsClient.ConnectAsync(gateway);
            await c.SubscribeAsync("signals");
            fast.Add(c);
        }
        Assert.Equal(4, registry.SubscriberCount("live:signals"));

        // 400 frames of 32 KB (about 13 MB): far more than the socket buffers of a client that never reads. The
        // publisher waits every 8 frames for the readers (a busy test machine must not make them look slow too).
        const int count = 400;
        var progress = new int[fast.Count];
        var readers = fast.Select(async (c, i) =>
        {
            var seen = new List<int>();
            while (seen.Count < count)
            {
                var frame = await c.ReceiveTextAsync(TimeSpan.FromSeconds(20));
                Assert.True(frame is not null, $"fast client {i} was closed: {c.Socket.CloseStatusDescription}");
                seen.Add(NumberOf(frame));
                Volatile.Write(ref progress[i], seen.Count);
            }
            return seen;
        }).ToArray();
        for (var n = 0; n < count; n++)
        {
            await HubTests.PublishAsync(gateway, "live:signals", Padded("signals", n, 32 * 1024));
            if (n % 8 == 7)
            {
                var waitUntil = DateTime.UtcNow.AddSeconds(20);
                while (progress.Any(p => p < n + 1) && !readers.Any(r => r.IsFaulted))
                {
                    Assert.True(DateTime.UtcNow < waitUntil, "fast clients stalled");
                    await Task.Delay(1);
                }
            }
        }
        foreach (var seen in await Task.WhenAll(readers))
        {
            Assert.Equal(Enumerable.Range(0, count), seen);
        }

        // The slow client is gone from the hub; reading now shows the close (or a reset) instead of all the data.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (registry.SubscriberCount("live:signals") != 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the slow client was not cut off");
            await Task.Delay(50);
        }
        var received = 0;
        try
        {
            while (await slow.ReceiveTextAsync(TimeSpan.FromSeconds(10)) is not null)
            {
                received++;
            }
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, slow.Socket.CloseStatus);
            Assert.Equal("client too slow", slow.Socket.CloseStatusDescription);
        }
        catch (WebSocketException)
        {
            // The close frame could not get through the full socket; the connection was aborted instead.
        }
        Assert.True(received < count, $"the slow client received all {received} frames");
        foreach (var c in fast)
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Tickers_for_a_client_that_lags_are_coalesced_to_the_latest_instead_of_disconnecting()
    {
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:WebSocket:QueueCapacity"] = "16",
            ["Gateway:WebSocket:SendTimeout"] = "00:00:30",
        });
        await HubTests.WaitForFanoutAsync(gateway);
        await using var lagging = await WsClient.ConnectAsync(gateway);
        await lagging.SubscribeAsync("tickers");

        // Not reading while 300 ticker batches of 64 KB (about 19 MB) are published.
        const int count = 300;
        for (var n = 0; n < count; n++)
        {
            await HubTests.PublishAsync(gateway, "live:tickers", Padded("tickers", n, 64 * 1024));
        }
        var seen = new List<int>();
        while (seen.Count == 0 || seen[^1] != count - 1)
        {
            var frame = await lagging.ReceiveTextAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(frame);
            seen.Add(NumberOf(frame));
        }
        Assert.True(seen.Count < count, "older ticker batches should have been dropped");
        Assert.Equal(seen.OrderBy(n => n), seen);
        // Still connected and usable.
        Assert.Equal("subscribed", (await lagging.SubscribeAsync("signals")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Server_pings_and_disconnects_clients_that_stay_silent()
    {
        await using var gateway = await GatewayFactory.StartAsync(new Dictionary<string, string?>
        {
            // Margins wide enough for a loaded 2-core CI machine: the talker answers within the
            // idle timeout even when its task is scheduled late.
            ["Gateway:WebSocket:PingInterval"] = "00:00:00.300",
            ["Gateway:WebSocket:IdleTimeout"] = "00:00:03",
        });
        await using var talker = await WsClient.ConnectAsync(gateway);
        await using var silent = await WsClient.ConnectAsync(gateway);

        var ping = await talker.ReceiveJsonAsync(includePings: true);
        Assert.Equal("ping", ping.GetProperty("type").GetString());

        // The talker answers every ping for 6 s; the silent client only listens.
        var talking = Task.Run(async () =>
        {
            var until = DateTime.UtcNow.AddSeconds(6);
            while (DateTime.UtcNow < until)
            {
                var m = await talker.ReceiveJsonAsync(includePings: true);
                if (m.GetProperty("type").GetString() == "ping")
                {
                    await talker.SendAsync(new { type = "pong" });
                }
            }
        });
        string? last;
        do
        {
            last = await silent.ReceiveTextAsync(TimeSpan.FromSeconds(10), includePings: true);
        }
        while (last is not null);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, silent.Socket.CloseStatus);
        await talking;
        Assert.Equal(WebSocketState.Open, talker.Socket.State);
    }
}
