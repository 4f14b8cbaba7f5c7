using System.Collections.Concurrent;
using System.Net;
using Scalpaiboard.Testing;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

/// <summary>One request the operator webhook received: the raw body and the headers that matter.</summary>
public sealed record WebhookDelivery(byte[] Body, string? IdempotencyKey, string? Signature, DateTimeOffset ReceivedAt);

/// <summary>An HTTP receiver on a free 127.0.0.1 port that acknowledges (200) and records every POST.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<WebhookDelivery> deliveries = new();
    private readonly Task loop;

    public WebhookReceiver()
    {
        Port = ServerProcess.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    public IReadOnlyList<WebhookDelivery> Deliveries => [.. deliveries];

    private async Task AcceptAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.HttpMethod == "POST")
                {
                    deliveries.Enqueue(new WebhookDelivery(body.ToArray(), context.Request.Headers["Idempotency-Key"],
                        context.Request.Headers["X-Scalpaiboard-Signature"], DateTimeOffset.UtcNow));
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // the sender went away; nothing to record
            }
        }
    }

    public void Dispose()
    {
        listener.Close();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
