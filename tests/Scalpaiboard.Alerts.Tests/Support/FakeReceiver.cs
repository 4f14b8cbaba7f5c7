using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Alerts.Tests.Support;

public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, port 0) standing in for a webhook receiver, Discord or Telegram.
/// <see cref="Respond"/> decides each answer (status, body, headers); every request is recorded.
/// </summary>
public sealed class FakeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>(request number from 1, request) -> (status, body, extra headers).</summary>
    public Func<int, ReceivedRequest, (int Status, string? Body, IDictionary<string, string>? Headers)> Respond { get; set; } = (_, _) => (200, null, null);

    private int _count;

    private FakeReceiver(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<FakeReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new FakeReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUri = new Uri(app.Urls.First());
        return receiver;
    }

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    private async Task HandleAsync(HttpContext context)
    {
        using var ms = new MemoryStream();
        await context.Request.Body.CopyToAsync(ms);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new ReceivedRequest(context.Request.Path.Value ?? "", headers, ms.ToArray(), DateTimeOffset.UtcNow);
        var n = Interlocked.Increment(ref _count);
        Requests.Enqueue(request);
        var (status, body, extra) = Respond(n, request);
        context.Response.StatusCode = status;
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            context.Response.Headers[k] = v;
        }
        if (body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
