using System.Net.Sockets;
using System.Text;

namespace Scalpaiboard.AppHost.Health;

/// <summary>Healthy when the server answers PING with PONG (after AUTH when a password is set).</summary>
public sealed class RedisPingProbe(string host, int port, string? password = null) : IHealthProbe
{
    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(host, port, cancellationToken);
            var stream = client.GetStream();
            var request = new StringBuilder();
            if (!string.IsNullOrEmpty(password))
            {
                request.Append(Command("AUTH", password));
            }
            request.Append(Command("PING"));
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
            var buffer = new byte[256];
            var received = new StringBuilder();
            var expectedReplies = string.IsNullOrEmpty(password) ? 1 : 2;
            while (CountLines(received) < expectedReplies)
            {
                var n = await stream.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    return false;
                }
                received.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            return received.ToString().Contains("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Command(params string[] parts)
    {
        var sb = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }
        return sb.ToString();
    }

    private static int CountLines(StringBuilder sb)
    {
        var count = 0;
        for (var i = 0; i < sb.Length; i++)
        {
            if (sb[i] == '\n')
            {
                count++;
            }
        }
        return count;
    }
}
