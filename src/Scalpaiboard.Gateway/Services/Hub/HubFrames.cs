using System.Text.Json;

namespace Scalpaiboard.Gateway.Services.Hub;

/// <summary>Frames the hub itself writes (data frames come ready-made from pub/sub).</summary>
internal static class HubFrames
{
    public static readonly byte[] Ping = """{"type":"ping"}"""u8.ToArray();
    public static readonly byte[] Pong = """{"type":"pong"}"""u8.ToArray();

    public static byte[] Error(string message) => Write(w =>
    {
        w.WriteString("type", "error");
        w.WriteString("message", message);
    });

    public static byte[] Authenticated(string userId) => Write(w =>
    {
        w.WriteString("type", "authenticated");
        w.WriteString("userId", userId);
    });

    public static byte[] Subscriptions(string type, IEnumerable<string> channels) => Write(w =>
    {
        w.WriteString("type", type);
        w.WriteStartArray("channels");
        foreach (var c in channels)
        {
            w.WriteStringValue(c);
        }
        w.WriteEndArray();
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
