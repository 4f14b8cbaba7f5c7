using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Ai.Tests.Fakes;

public sealed record LlmRequest(string? Authorization, JsonObject Body)
{
    public string Model => Body["model"]?.ToString() ?? "";
    public JsonArray Messages => Body["messages"] as JsonArray ?? [];
    public JsonArray Tools => Body["tools"] as JsonArray ?? [];
    public bool HasToolResult => Messages.Any(m => m?["role"]?.ToString() == "tool");
}

/// <summary>
/// An OpenAI-compatible chat completions server on 127.0.0.1 (Kestrel, port 0) that streams chunks exactly like
/// the acceptance script's FakeLlm. The request's model chooses the behaviour: <c>fake-model</c> (a filter_coins
/// call, then "FAKE-ANSWER-OK done"), <c>fake-gated</c> (pauses after the first word until <see cref="Gate"/> opens),
/// <c>fake-500</c>, <c>fake-fail-second</c> (500 in round two), <c>fake-break</c> (the stream breaks off after two words), <c>fake-hang</c> (never answers), <c>fake-badargs</c>, <c>fake-parallel</c>, <c>fake-loop</c>.
/// An API key <c>sk-status-NNN</c> makes the model listing answer status NNN with <see cref="PrivateBody"/> in its error.
/// Every request, of any path, is recorded in <see cref="Seen"/>.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public const string PrivateBody = "FAKE-PROVIDER-PRIVATE-BODY-51d2";

    public ConcurrentQueue<LlmRequest> Requests { get; } = new();

    /// <summary>(path, Authorization) of every request that reached the server.</summary>
    public ConcurrentQueue<(string Path, string Authorization)> Seen { get; } = new();

    public TaskCompletionSource Gate { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HangAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string BaseUrl { get; private set; } = "";

    private FakeLlmServer(WebApplication app) => _app = app;

    public IReadOnlyList<LlmRequest> RequestsFor(string model) => Requests.Where(r => r.Model == model).ToList();

    public void ResetGate() => Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<FakeLlmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeLlmServer(app);
        app.Use((context, next) =>
        {
            server.Seen.Enqueue((context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString()));
            return next(context);
        });
        app.MapGet("/v1/models", (HttpRequest request) =>
            request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer sk-status-", StringComparison.Ordinal)
                ? Results.Json(new { error = new { message = PrivateBody, type = "invalid_request_error", code = PrivateBody } },
                    statusCode: int.Parse(auth["Bearer sk-status-".Length..], System.Globalization.CultureInfo.InvariantCulture))
                : Results.Json(new { @object = "list", data = new[] { new { id = "fake-model", @object = "model" } } }));
        app.MapPost("/v1/chat/completions", server.CompleteAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
        return server;
    }

    private async Task CompleteAsync(HttpContext context)
    {
        var body = (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject)!;
        var request = new LlmRequest(context.Request.Headers.Authorization.ToString(), body);
        Requests.Enqueue(request);
        var response = context.Response;
        switch (request.Model)
        {
            case "fake-fail-second" when request.HasToolResult:
            case "fake-500":
                response.StatusCode = 500;
                await response.WriteAsJsonAsync(new { error = new { message = "fake upstream failure", type = "server_error" } });
                return;
            case "fake-break":
                // a few words, then the connection drops in the middle of the stream
                response.ContentType = "text/event-stream";
                await response.StartAsync();
                foreach (var word in new[] { "PARTIAL", "-WORDS" })
                {
                    await SendAsync(response, Base([new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = word }, ["finish_reason"] = null }]));
                }
                await Task.Delay(50);
                context.Abort();
                return;
            case "fake-hang":
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    HangAborted.TrySetResult();
                }
                return;
        }

        List<JsonObject> chunks;
        JsonObject usage;
        var toolChoiceNone = body["tool_choice"]?.ToString() == "none";
        if (!request.HasToolResult && !toolChoiceNone || request.Model == "fake-loop" && !toolChoiceNone)
        {
            var tools = request.Tools;
            List<JsonObject> calls = request.Model switch
            {
                "fake-badargs" => [Call(0, "call_1", ToolNamed(tools, "create_alert"), new JsonObject { ["symbol"] = "ETHUSDT", ["condition"] = "nonsense", ["value"] = 1 })],
                "fake-parallel" =>
                [
                    Call(0, "call_p", ToolNamed(tools, "get_portfolio"), []),
                    Call(1, "call_w", ToolNamed(tools, "add_to_watchlist"), new JsonObject { ["symbol"] = "BTC" }),
                ],
                "fake-loop" => [Call(0, "call_" + Requests.Count, ToolNamed(tools, "get_portfolio"), [])],
                _ => [Call(0, "call_1", ToolNamed(tools, "filter_coins"), RequiredArguments(tools, ToolNamed(tools, "filter_coins")))],
            };
            // Like real servers, split the first call's arguments over two chunks.
            chunks = [new JsonObject { ["delta"] = new JsonObject { ["role"] = "assistant", ["tool_calls"] = new JsonArray([.. calls]) }, ["finish_reason"] = null }];
            chunks.Add(new JsonObject { ["delta"] = new JsonObject(), ["finish_reason"] = "tool_calls" });
            usage = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 10, ["total_tokens"] = 110 };
        }
        else
        {
            string[] words = ["FAKE", "-ANSWER", "-OK", " done"];
            chunks = [new JsonObject { ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = "" }, ["finish_reason"] = null }];
            chunks.AddRange(words.Select(w => new JsonObject { ["delta"] = new JsonObject { ["content"] = w }, ["finish_reason"] = null }));
            chunks.Add(new JsonObject { ["delta"] = new JsonObject(), ["finish_reason"] = "stop" });
            usage = new JsonObject { ["prompt_tokens"] = 23, ["completion_tokens"] = 35, ["total_tokens"] = 58 };
        }

        response.ContentType = "text/event-stream";
        await response.StartAsync();
        var contentSent = 0;
        foreach (var c in chunks)
        {
            c["index"] = 0;
            await SendAsync(response, Base(new JsonArray(c)));
            if (c["delta"]?["content"] is { } text && text.ToString().Length > 0 && ++contentSent == 1 && request.Model == "fake-gated")
            {
                await Gate.Task.WaitAsync(TimeSpan.FromSeconds(20));
            }
            await Task.Delay(5);
        }
        var final = Base([]);
        final["usage"] = usage;
        await SendAsync(response, final);
        await response.WriteAsync("data: [DONE]\n\n");
    }

    private static JsonObject Call(int index, string id, string name, JsonObject args) => new()
    {
        ["index"] = index,
        ["id"] = id,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = name, ["arguments"] = args.ToJsonString() },
    };

    /// <summary>The offered tool named <paramref name="want"/> or with a plugin prefix (Screener_filter_coins), as the
    /// acceptance script's <c>tool_named</c> finds it.</summary>
    public static string ToolNamed(JsonArray tools, string want) =>
        tools.Select(t => t?["function"]?["name"]?.ToString() ?? "")
            .FirstOrDefault(n => n == want || n.Length > want.Length && n.EndsWith(want, StringComparison.Ordinal) && n[^(want.Length + 1)] is '-' or '.' or '_')
        ?? want;

    /// <summary>Fills every required parameter by its JSON type, as the acceptance script's fake does.</summary>
    private static JsonObject RequiredArguments(JsonArray tools, string name)
    {
        var fn = tools.Select(t => t?["function"]).FirstOrDefault(f => f?["name"]?.ToString() == name);
        var args = new JsonObject();
        var props = fn?["parameters"]?["properties"] as JsonObject;
        foreach (var required in fn?["parameters"]?["required"] as JsonArray ?? [])
        {
            var type = props?[required!.ToString()]?["type"];
            var t = type is JsonArray a ? a[0]!.ToString() : type?.ToString() ?? "string";
            args[required!.ToString()] = t switch
            {
                "number" => 0, "integer" => 10, "boolean" => false, "array" => new JsonArray(), "object" => new JsonObject(), _ => "",
            };
        }
        return args;
    }

    private static JsonObject Base(JsonArray choices) => new()
    {
        ["id"] = "chatcmpl-1",
        ["object"] = "chat.completion.chunk",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = "fake-model",
        ["choices"] = choices,
    };

    private static async Task SendAsync(HttpResponse response, JsonObject obj)
    {
        await response.WriteAsync("data: " + obj.ToJsonString() + "\n\n", Encoding.UTF8);
        await response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Gate.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
