using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Web.Tests.Fakes;

/// <summary>
/// Chromium's push service is Google's GCM/FCM, which this machine cannot reach: <c>pushManager.subscribe</c> waits for a
/// GCM check-in forever. Chromium lets its GCM endpoints be named on the command line (<c>--gcm-checkin-url</c>,
/// <c>--gcm-registration-url</c>, <c>--gcm-mcs-endpoint</c>), so this fake on 127.0.0.1 answers the two HTTP steps of a
/// subscription as GCM does: the check-in (a protobuf AndroidCheckinResponse with a device id and security token) and
/// the registration (form fields in, <c>token=...</c> out). Chromium then makes the subscription itself: its key
/// pair and auth secret, and the endpoint from its built-in FCM address and the token. The MCS connection that would
/// deliver messages to the browser is not served (it points at a closed port), so nothing reaches the browser this way.
/// </summary>
public sealed class FakeGcm : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeGcm(WebApplication app) => _app = app;

    /// <summary>
    /// Every registration request's form fields and the token it got (web push: <c>sender</c> is the VAPID public key,
    /// <c>X-subtype</c> names the site; the subscription's endpoint ends with the token).
    /// </summary>
    public ConcurrentQueue<(IReadOnlyDictionary<string, string> Fields, string? Token)> Registrations { get; } = new();

    private int _checkIns;

    public int CheckIns => _checkIns;

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<FakeGcm> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gcm = new FakeGcm(app);
        app.MapPost("/checkin", gcm.CheckInAsync);
        app.MapPost("/register", gcm.RegisterAsync);
        await app.StartAsync();
        gcm.BaseUri = new Uri(app.Urls.First());
        return gcm;
    }

    /// <summary>The Chromium switches that send its GCM traffic here (MCS to a port nothing listens on).</summary>
    public IEnumerable<string> ChromiumArguments(int closedPort) =>
    [
        $"--gcm-checkin-url={new Uri(BaseUri, "/checkin")}",
        $"--gcm-registration-url={new Uri(BaseUri, "/register")}",
        $"--gcm-mcs-endpoint=https://127.0.0.1:{closedPort}",
    ];

    private async Task CheckInAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Interlocked.Increment(ref _checkIns);
        // AndroidCheckinResponse: stats_ok (1) = true, time_msec (3), android_id (7, fixed64), security_token (8, fixed64).
        var response = new List<byte> { 0x08, 0x01, 0x18 };
        response.AddRange(Varint((ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        response.Add(0x39);
        response.AddRange(Fixed64(RandomId()));
        response.Add(0x41);
        response.AddRange(Fixed64(RandomId()));
        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(response.ToArray());
    }

    private async Task RegisterAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
        if (fields.ContainsKey("delete"))
        {
            Registrations.Enqueue((fields, null));
            await context.Response.WriteAsync("deleted=" + fields.GetValueOrDefault("app"));
            return;
        }
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(11)) + ":APA91b" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Registrations.Enqueue((fields, token));
        await context.Response.WriteAsync("token=" + token);
    }

    private static ulong RandomId() => BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) | 1;

    private static byte[] Fixed64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static IEnumerable<byte> Varint(ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            yield return value == 0 ? b : (byte)(b | 0x80);
        }
        while (value != 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
