using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MimeKit;

namespace Scalpaiboard.Alerts.Tests.Support;

/// <summary>One message as the fake SMTP server received it, with how the session got there.</summary>
public sealed record ReceivedMail(string MailFrom, IReadOnlyList<string> RcptTo, byte[] Data, bool Tls, string? AuthUser, string? AuthPassword,
    bool AuthBeforeTls)
{
    public MimeMessage Parse() => MimeMessage.Load(new MemoryStream(Data));
}

/// <summary>
/// A small SMTP server on 127.0.0.1 over a real socket for the tests: EHLO (advertising STARTTLS and AUTH PLAIN LOGIN
/// even before TLS, so a client that authenticates in the clear would be seen), STARTTLS with a self-signed
/// certificate made here, AUTH PLAIN/LOGIN, MAIL/RCPT/DATA (dot-unstuffing), RSET, NOOP, QUIT; or TLS from the first
/// byte (<c>implicitTls</c>, as on port 465). It can be stopped and started again on the same port (an outage).
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly X509Certificate2 _certificate;
    private bool _implicitTls;

    /// <summary>Recipients (the RCPT TO argument) answered with 550.</summary>
    public Func<string, bool> RejectRecipient { get; set; } = _ => false;
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    public ConcurrentQueue<ReceivedMail> Messages { get; } = new();

    /// <summary>Every AUTH seen, with whether the session was under TLS then.</summary>
    public ConcurrentQueue<(string Mechanism, bool Tls)> Auths { get; } = new();

    public int Port { get; private set; }

    /// <summary>The certificate's SHA-256 fingerprint (hex), for <c>Notifications:Smtp:CertificateSha256</c>.</summary>
    public string CertificateSha256 => Convert.ToHexString(SHA256.HashData(_certificate.RawData));

    private FakeSmtpServer()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=fake-smtp.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _certificate = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    public static FakeSmtpServer Start(bool implicitTls = false)
    {
        var server = new FakeSmtpServer { _implicitTls = implicitTls };
        server.Listen(0);
        return server;
    }

    /// <summary>Stops listening and drops the port (connections are refused) until <see cref="Resume"/>.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        await _accepting;
    }

    /// <summary>Listens again on the same port.</summary>
    public void Resume()
    {
        _stop = new CancellationTokenSource();
        Listen(Port);
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var token = _stop.Token;
        _accepting = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(() => ServeAsync(client, token));
            }
        });
    }

    private async Task ServeAsync(TcpClient client, CancellationToken token)
    {
        using var _ = client;
        Stream stream = client.GetStream();
        var tls = false;
        string? user = null, password = null;
        var authBeforeTls = false;
        string? from = null;
        var rcpt = new List<string>();
        try
        {
            if (_implicitTls)
            {
                var implicitSsl = new SslStream(stream, leaveInnerStreamOpen: false);
                await implicitSsl.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                stream = implicitSsl;
                tls = true;
            }
            var io = new LineIo(stream);
            await io.WriteAsync("220 fake-smtp.test ESMTP ready");
            while (!token.IsCancellationRequested)
            {
                var line = await io.ReadLineAsync();
                if (line is null)
                {
                    return;
                }
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                var arg = line.Length > verb.Length ? line[(verb.Length + 1)..] : "";
                switch (verb)
                {
                    case "EHLO":
                        await io.WriteAsync("250-fake-smtp.test" + (tls ? "" : "\r\n250-STARTTLS") + "\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760");
                        break;
                    case "HELO":
                        await io.WriteAsync("250 fake-smtp.test");
                        break;
                    case "STARTTLS":
                        await io.WriteAsync("220 go ahead");
                        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                        await ssl.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                        stream = ssl;
                        io = new LineIo(stream);
                        tls = true;
                        break;
                    case "AUTH":
                        var parts = arg.Split(' ');
                        var mechanism = parts[0].ToUpperInvariant();
                        Auths.Enqueue((mechanism, tls));
                        authBeforeTls |= !tls;
                        if (mechanism == "PLAIN")
                        {
                            var b64 = parts.Length > 1 ? parts[1] : await PromptAsync(io, "");
                            var fields = Encoding.UTF8.GetString(Convert.FromBase64String(b64 ?? "")).Split('\0');
                            (user, password) = (fields[1], fields[2]);
                        }
                        else if (mechanism == "LOGIN")
                        {
                            var u = parts.Length > 1 ? parts[1] : await PromptAsync(io, "VXNlcm5hbWU6");
                            var p = await PromptAsync(io, "UGFzc3dvcmQ6");
                            user = Encoding.UTF8.GetString(Convert.FromBase64String(u ?? ""));
                            password = Encoding.UTF8.GetString(Convert.FromBase64String(p ?? ""));
                        }
                        else
                        {
                            await io.WriteAsync("504 unrecognized authentication type");
                            break;
                        }
                        await io.WriteAsync("235 2.7.0 authentication successful");
                        break;
                    case "MAIL":
                        from = arg;
                        rcpt.Clear();
                        await io.WriteAsync("250 2.1.0 ok");
                        break;
                    case "RCPT":
                        if (RejectRecipient(arg))
                        {
                            await io.WriteAsync("550 5.1.1 no such mailbox");
                            break;
                        }
                        rcpt.Add(arg);
                        await io.WriteAsync("250 2.1.5 ok");
                        break;
                    case "DATA":
                        await io.WriteAsync("354 end data with <CR><LF>.<CR><LF>");
                        var data = await io.ReadDataAsync();
                        Messages.Enqueue(new ReceivedMail(from ?? "", rcpt.ToList(), data, tls, user, password, authBeforeTls));
                        await io.WriteAsync("250 2.0.0 queued");
                        break;
                    case "RSET":
                        from = null;
                        rcpt.Clear();
                        await io.WriteAsync("250 ok");
                        break;
                    case "NOOP":
                        await io.WriteAsync("250 ok");
                        break;
                    case "QUIT":
                        await io.WriteAsync("221 bye");
                        return;
                    default:
                        await io.WriteAsync("502 command not implemented");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // the client went away
        }
    }

    private static async Task<string?> PromptAsync(LineIo io, string challenge)
    {
        await io.WriteAsync("334 " + challenge);
        return await io.ReadLineAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _certificate.Dispose();
    }

    /// <summary>CRLF lines over a stream, byte by byte (so nothing is read past a STARTTLS).</summary>
    private sealed class LineIo(Stream stream)
    {
        public async Task WriteAsync(string reply)
        {
            var bytes = Encoding.ASCII.GetBytes(reply + "\r\n");
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }

        public async Task<string?> ReadLineAsync()
        {
            var bytes = await ReadRawLineAsync();
            return bytes is null ? null : Encoding.UTF8.GetString(bytes).TrimEnd('\r', '\n');
        }

        /// <summary>The DATA section up to the lone dot, with leading dots unstuffed.</summary>
        public async Task<byte[]> ReadDataAsync()
        {
            using var ms = new MemoryStream();
            while (await ReadRawLineAsync() is { } line)
            {
                if (line.Length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n')
                {
                    break;
                }
                var start = line.Length > 0 && line[0] == '.' ? 1 : 0;
                ms.Write(line, start, line.Length - start);
            }
            return ms.ToArray();
        }

        private async Task<byte[]?> ReadRawLineAsync()
        {
            var buffer = new List<byte>(128);
            var one = new byte[1];
            while (true)
            {
                var n = await stream.ReadAsync(one);
                if (n == 0)
                {
                    return buffer.Count == 0 ? null : buffer.ToArray();
                }
                buffer.Add(one[0]);
                if (one[0] == '\n')
                {
                    return buffer.ToArray();
                }
            }
        }
    }
}
