using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Gateway.Tests.Support;

/// <summary>
/// Endpoints of the downstream stand-in used by the forwarding tests, all under prefixes the Gateway forwards.
/// Gates (<see cref="TaskCompletionSource"/>) let a test hold a response mid-stream to prove it is not buffered.
/// </summary>
public sealed class FakeService
{
    public TaskCompletionSource SseGate { get; private set; } = NewGate();
    public TaskCompletionSource DownloadGate { get; private set; } = NewGate();
    public TaskCompletionSource UploadFirstChunk { get; private set; } = NewGate();
    public TaskCompletionSource HangStarted { get; private set; } = NewGate();
    public TaskCompletionSource HangAborted { get; private set; } = NewGate();

    public static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResetGates()
    {
        SseGate = NewGate();
        DownloadGate = NewGate();
        UploadFirstChunk = NewGate();
        HangStarted = NewGate();
        HangAborted = NewGate();
    }

    public void Map(WebApplication app)
    {
        // What arrived: method, path, query, headers, and the user the service authenticated (if any).
        static IResult Echo(HttpContext c) => Results.Json(new
        {
            method = c.Request.Method,
            path = c.Request.Path.Value,
            query = c.Request.QueryString.Value,
            headers = c.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            user = c.User.Identity?.IsAuthenticated == true ? c.User.UserId() : null,
        });
        app.Map("/api/signals/echo/{**rest}", Echo);
        // The ai service's MCP endpoint (Streamable HTTP at /mcp); anonymous calls answered too, so only the Gateway refuses them.
        app.Map("/mcp", Echo);
        app.Map("/mcp/{**rest}", Echo);

        // Per-user data: anonymous gets 401 from the service's own authentication.
        app.MapGet("/api/alerts", (ClaimsPrincipal user) => Results.Json(new { user = user.UserId() })).RequireAuthorization();

        app.MapGet("/api/signals/status/{code:int}", (int code, HttpContext c) =>
        {
            c.Response.Headers["X-Downstream"] = "yes";
            return code == 302 ? Results.Redirect("/somewhere-else") : Results.StatusCode(code);
        });

        // Reads the body as it streams in, signalling the first megabyte, and answers its length and hash.
        app.MapPost("/api/signals/upload", async (HttpContext c) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await c.Request.Body.ReadAsync(buffer, c.RequestAborted)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
                if (total >= 1024 * 1024)
                {
                    UploadFirstChunk.TrySetResult();
                }
            }
            return Results.Json(new { length = total, sha256 = Convert.ToHexString(hash.GetHashAndReset()) });
        });

        // Writes size bytes (i % 251): the first megabyte, then waits for the test to release the rest.
        app.MapGet("/api/signals/download", async (long size, HttpContext c) =>
        {
            c.Response.ContentType = "application/octet-stream";
            var chunk = new byte[64 * 1024];
            long sent = 0;
            var released = false;
            while (sent < size)
            {
                var n = (int)Math.Min(chunk.Length, size - sent);
                for (var i = 0; i < n; i++)
                {
                    chunk[i] = (byte)((sent + i) % 251);
                }
                await c.Response.Body.WriteAsync(chunk.AsMemory(0, n), c.RequestAborted);
                sent += n;
                if (!released && sent >= 1024 * 1024)
                {
                    await c.Response.Body.FlushAsync(c.RequestAborted);
                    await DownloadGate.Task.WaitAsync(TimeSpan.FromSeconds(30), c.RequestAborted);
                    released = true;
                }
            }
        });

        // Server-sent events: one event, then wait for the test, then a second one.
        app.MapPost("/api/ai/chat", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"type\":\"content\",\"content\":\"first\"}\n\n", c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            await SseGate.Task.WaitAsync(TimeSpan.FromSeconds(30), c.RequestAborted);
            await c.Response.WriteAsync("data: {\"type\":\"done\"}\n\n", c.RequestAborted);
        });

        // Streams until the client goes away; records that the abort reached the service.
        app.MapGet("/api/ai/hang", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: started\n\n");
            await c.Response.Body.FlushAsync();
            HangStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, c.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                HangAborted.TrySetResult();
            }
        });

        // Answers only after a long time: the Gateway's response-headers timeout fires first.
        app.MapGet("/api/coins/slow", async (HttpContext c) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), c.RequestAborted);
            return Results.Ok();
        });
    }
}
