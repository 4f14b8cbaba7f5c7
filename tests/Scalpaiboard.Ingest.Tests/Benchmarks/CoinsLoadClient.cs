using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// A lean closed-loop HTTP/1.1 load generator (like wrk): one keep-alive socket per caller, the GET requests
/// pre-built as bytes, responses read with Content-Length or chunked framing and discarded. It spends far less CPU
/// per request than HttpClient, so on a 2-core machine more of it is left to the server being measured. With
/// <c>gzip</c> it sends <c>Accept-Encoding: gzip</c>, insists on a gzip answer and decompresses each body (into a
/// reused buffer, discarded), as a real caller would (<c>inflate: false</c>: it skips the compressed bytes, to see
/// the service's side alone, as for a caller on another machine).
/// </summary>
public static class CoinsLoadClient
{
    /// <summary>
    /// <paramref name="callers"/> connections, each sending <paramref name="rounds"/> requests one after the other
    /// (caller c, round r: <c>paths[(c + r) % paths.Length]</c>); returns every request's latency in ms and the wall time.
    /// </summary>
    public static async Task<(List<double> LatenciesMs, TimeSpan Wall)> RunAsync(IPEndPoint server, string[] paths, int callers, int rounds, bool gzip = false, bool inflate = true)
    {
        var acceptEncoding = gzip ? "Accept-Encoding: gzip\r\n" : "";
        var requests = paths.Select(p => Encoding.ASCII.GetBytes($"GET {p} HTTP/1.1\r\nHost: {server}\r\n{acceptEncoding}\r\n")).ToArray();
        var sockets = new Socket[callers];
        for (var c = 0; c < callers; c++)
        {
            sockets[c] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await sockets[c].ConnectAsync(server);
        }
        var perCaller = new double[callers][];
        var wall = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
            {
                var socket = sockets[c];
                var buffer = new byte[256 * 1024];
                var reader = new ResponseReader(socket, buffer, gzip, inflate);
                var latencies = new double[rounds];
                for (var r = 0; r < rounds; r++)
                {
                    var t = Stopwatch.GetTimestamp();
                    await socket.SendAsync(requests[(c + r) % requests.Length], SocketFlags.None);
                    var status = await reader.ReadResponseAsync();
                    if (status != 200)
                    {
                        throw new InvalidOperationException($"HTTP {status} for {paths[(c + r) % paths.Length]}");
                    }
                    latencies[r] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                }
                perCaller[c] = latencies;
            })));
        }
        finally
        {
            foreach (var s in sockets)
            {
                s.Dispose();
            }
        }
        return (perCaller.SelectMany(l => l).ToList(), wall.Elapsed);
    }

    /// <summary>Reads one HTTP/1.1 response after another from a keep-alive connection.</summary>
    private sealed class ResponseReader(Socket socket, byte[] buffer, bool gzip, bool inflate)
    {
        private readonly byte[] _inflated = new byte[64 * 1024];
        private byte[] _body = new byte[256 * 1024];
        private int _start;
        private int _end;

        /// <summary>Reads one whole response (headers and body) and returns its status code.</summary>
        public async Task<int> ReadResponseAsync()
        {
            int headerEnd;
            while ((headerEnd = buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                await FillAsync();
            }
            var head = Encoding.ASCII.GetString(buffer, _start, headerEnd);
            _start += headerEnd + 4;
            var status = int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
            long contentLength = -1;
            var chunked = false;
            var gzipped = false;
            foreach (var line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("gzip", StringComparison.OrdinalIgnoreCase))
                {
                    gzipped = true;
                }
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    contentLength = long.Parse(line.AsSpan(15).Trim(), provider: System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = true;
                }
            }
            if (chunked)
            {
                while (true)
                {
                    int lineEnd;
                    while ((lineEnd = buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
                    {
                        await FillAsync();
                    }
                    var size = long.Parse(Encoding.ASCII.GetString(buffer, _start, lineEnd).Split(';')[0], System.Globalization.NumberStyles.HexNumber,
                        System.Globalization.CultureInfo.InvariantCulture);
                    _start += lineEnd + 2;
                    await SkipAsync(size + 2);
                    if (size == 0)
                    {
                        break;
                    }
                }
            }
            else if (gzip && status == 200)
            {
                if (!gzipped || contentLength < 0)
                {
                    throw new InvalidOperationException("asked for gzip, got a plain (or unframed) answer");
                }
                if (inflate)
                {
                    await InflateAsync((int)contentLength);
                }
                else
                {
                    await SkipAsync(contentLength);
                }
            }
            else if (contentLength > 0)
            {
                await SkipAsync(contentLength);
            }
            return status;
        }

        private async Task InflateAsync(int count)
        {
            if (_body.Length < count)
            {
                _body = new byte[count];
            }
            var at = 0;
            while (at < count)
            {
                if (_start == _end)
                {
                    await FillAsync();
                }
                var n = Math.Min(count - at, _end - _start);
                Buffer.BlockCopy(buffer, _start, _body, at, n);
                _start += n;
                at += n;
            }
            using var inflater = new System.IO.Compression.GZipStream(new MemoryStream(_body, 0, count, writable: false), System.IO.Compression.CompressionMode.Decompress);
            while (inflater.Read(_inflated) > 0)
            {
            }
        }

        private async Task SkipAsync(long count)
        {
            while (count > 0)
            {
                if (_start == _end)
                {
                    await FillAsync();
                }
                var n = (int)Math.Min(count, _end - _start);
                _start += n;
                count -= n;
            }
        }

        private async Task FillAsync()
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_end == buffer.Length)
            {
                Buffer.BlockCopy(buffer, _start, buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var n = await socket.ReceiveAsync(buffer.AsMemory(_end), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("connection closed by the server");
            }
            _end += n;
        }
    }
}
