using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

/// <summary>
/// A tiny TCP server on 127.0.0.1 that plays a scripted part per accepted connection (answer garbage, close,
/// stay silent, or answer PINGs properly), to prove the client fails pending calls instead of hanging.
/// </summary>
internal sealed class FakeRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, NetworkStream, CancellationToken, Task> _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _connections;

    public FakeRedisServer(Func<int, NetworkStream, CancellationToken, Task> behaviour)
    {
        _behaviour = behaviour;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string ConnectionString(int syncTimeoutMs = 5000) => $"127.0.0.1:{Port},syncTimeout={syncTimeoutMs},connectTimeout=2000";

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var index = Interlocked.Increment(ref _connections);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await _behaviour(index, client.GetStream(), _stop.Token);
                        }
                        catch (Exception)
                        {
                            // the client went away or the test is over
                        }
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Reads until <paramref name="count"/> commands named <paramref name="command"/> have arrived.</summary>
    public static async Task WaitForCommandsAsync(NetworkStream stream, string command, int count, CancellationToken cancellationToken)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        var marker = $"${command.Length}\r\n{command}\r\n";
        while (CountOf(seen.ToString(), marker) < count)
        {
            var n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                throw new IOException("client closed");
            }
            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    /// <summary>Answers every PING with +PONG until the client leaves.</summary>
    public static async Task AnswerPingsAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var pending = "";
        const string marker = "$4\r\nPING\r\n";
        while (true)
        {
            var n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                return;
            }
            pending += Encoding.ASCII.GetString(buffer, 0, n);
            int at;
            while ((at = pending.IndexOf(marker, StringComparison.Ordinal)) >= 0)
            {
                pending = pending[(at + marker.Length)..];
                await stream.WriteAsync("+PONG\r\n"u8.ToArray(), cancellationToken);
            }
        }
    }

    private static int CountOf(string text, string marker)
    {
        var count = 0;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
