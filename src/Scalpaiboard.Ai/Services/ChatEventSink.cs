using System.Text.Json;
using System.Text.Json.Serialization;
using Scalpaiboard.Ai.Model;

namespace Scalpaiboard.Ai.Services;

/// <summary>Where a chat's events go, in order; safe to call from concurrent tool tasks.</summary>
public interface IChatEventSink
{
    ValueTask WriteAsync(ChatEvent chatEvent, CancellationToken cancellationToken);
}

/// <summary>Server-sent events on an HTTP response: <c>data: {json}\n\n</c>, flushed after every event.</summary>
public sealed class ServerSentEventSink(HttpResponse response) : IChatEventSink
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask WriteAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(chatEvent, Json);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await response.Body.WriteAsync("data: "u8.ToArray(), cancellationToken);
            await response.Body.WriteAsync(payload, cancellationToken);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
