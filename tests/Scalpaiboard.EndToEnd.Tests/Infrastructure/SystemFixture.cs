using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scalpaiboard.Testing;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system";
}

/// <summary>One resource of GET /api/resources on the dashboard.</summary>
public sealed record ResourceState(string Name, string State, string Health, int? Pid, int Restarts);

/// <summary>
/// The whole system, started once for the assembly as a user starts it: the AppHost as its own process on free
/// ports and a fresh data folder, ingest replaying the shared sample klines at a fast multiple of real time, an
/// operator webhook pointing at <see cref="Webhook"/>. Ready when all seven resources are Running+Healthy, the
/// replay is completed and the signal count has settled.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public static readonly string[] ResourceNames = ["postgres", "redis", "ingest", "alerts", "ai", "gateway", "web"];
    public const string WebhookSecret = "e2e-webhook-secret";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromMinutes(8);

    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "scalpaiboard-e2e", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
    private Process? appHost;
    private StreamWriter? log;
    private readonly Lock logLock = new();
    private IReadOnlyList<int>? leftAfterStop;

    public int DashboardPort { get; } = NextPort();
    public int GatewayPort { get; } = NextPort();
    public int WebPort { get; } = NextPort();

    public string DashboardUrl => $"http://127.0.0.1:{DashboardPort}";
    public string GatewayUrl => $"http://127.0.0.1:{GatewayPort}";
    public string WebUrl => $"http://127.0.0.1:{WebPort}";

    public WebhookReceiver Webhook { get; } = new();

    public HttpClient Gateway { get; private set; } = null!;
    public HttpClient Dashboard { get; private set; } = null!;

    /// <summary>Frames of `signals` and `tickers` a WebSocket client got while the replay ran.</summary>
    public LiveCollector Live { get; private set; } = null!;

    /// <summary>The sample data: 1m klines per symbol.</summary>
    public KlineSample Sample { get; } = KlineSample.Load(Locations.KlinesSample);

    /// <summary>`candlesIngested` of /api/feed/status once the replay completed.</summary>
    public long CandlesIngested { get; private set; }

    public string LogPath { get; } = Path.Combine(Locations.TestResults, "e2e-apphost.log");

    public int AppHostPid => appHost?.Id ?? 0;

    /// <summary>The AppHost's data folder (PostgreSQL data, Redis working folder, pid file).</summary>
    public string DataPath => dataPath;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Locations.TestResults);
        log = new StreamWriter(LogPath, append: false) { AutoFlush = true };
        await EnsureBuiltAsync();
        Gateway = new HttpClient { BaseAddress = new Uri(GatewayUrl), Timeout = TimeSpan.FromSeconds(60) };
        Dashboard = new HttpClient { BaseAddress = new Uri(DashboardUrl), Timeout = TimeSpan.FromSeconds(10) };
        StartAppHost();
        try
        {
            await WaitAllHealthyAsync();
            Live = LiveCollector.Start(GatewayUrl, ["signals", "tickers"]);
            await WaitReplayCompletedAsync();
            await WaitSignalsSettledAsync();
            await Live.StopAsync();
        }
        catch (Exception e)
        {
            Write($"fixture: start failed: {e.Message}");
            await StopAsync();
            throw new InvalidOperationException($"{e.Message}\nAppHost output: {LogPath}\n{Tail(40)}", e);
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Gateway?.Dispose();
        Dashboard?.Dispose();
        Webhook.Dispose();
        lock (logLock)
        {
            log?.Dispose();
            log = null;
        }
        try { Directory.Delete(dataPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public async Task<IReadOnlyList<ResourceState>> ResourcesAsync(CancellationToken cancellationToken = default)
    {
        var array = await Dashboard.GetFromJsonAsync<JsonArray>("/api/resources", cancellationToken) ?? [];
        return [.. array.Select(r => new ResourceState(
            (string?)r?["name"] ?? "",
            (string?)r?["state"] ?? "",
            (string?)r?["health"] ?? "",
            r?["pid"] is JsonValue p && p.TryGetValue<int>(out var pid) ? pid : null,
            r?["restarts"] is JsonValue n && n.TryGetValue<int>(out var restarts) ? restarts : 0))];
    }

    public async Task<JsonObject> FeedStatusAsync(CancellationToken cancellationToken = default) =>
        await Gateway.GetFromJsonAsync<JsonObject>("/api/feed/status", cancellationToken)
        ?? throw new InvalidOperationException("/api/feed/status answered null");

    /// <summary>
    /// Stops the AppHost as Ctrl+C does (SIGINT; SIGTERM only when the process was started ignoring SIGINT) and
    /// returns the pids of the AppHost and of every resource that are still alive 40 s later (then kills them).
    /// </summary>
    public async Task<IReadOnlyList<int>> StopAsync()
    {
        if (leftAfterStop is not null || appHost is null)
        {
            return leftAfterStop ?? [];
        }
        var pids = new List<int> { appHost.Id };
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            pids.AddRange((await ResourcesAsync(cts.Token)).Where(r => r.Pid is > 0).Select(r => r.Pid!.Value));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            Write($"fixture: no resource list before stopping ({e.Message})");
        }
        if (!appHost.HasExited)
        {
            var signal = Posix.IgnoresSigInt(appHost.Id) ? Posix.SigTerm : Posix.SigInt;
            Write($"fixture: kill -{(signal == Posix.SigInt ? "INT" : "TERM")} {appHost.Id}; resource pids {string.Join(' ', pids.Skip(1))}");
            Posix.Kill(appHost.Id, signal);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (DateTime.UtcNow < deadline && (pids.Any(Posix.IsAlive) || !appHost.HasExited))
        {
            await Task.Delay(250);
        }
        var left = pids.Where(Posix.IsAlive).ToList();
        foreach (var pid in left)
        {
            try { Posix.Kill(pid, Posix.SigKill); } catch (InvalidOperationException) { }
        }
        if (!appHost.HasExited)
        {
            appHost.Kill(entireProcessTree: true);
        }
        await appHost.WaitForExitAsync();
        Write($"fixture: AppHost exited with {appHost.ExitCode}; left alive after stop: [{string.Join(' ', left)}]");
        leftAfterStop = left;
        return left;
    }

    public int? AppHostExitCode => appHost is { HasExited: true } p ? p.ExitCode : null;

    public string Tail(int lines)
    {
        lock (logLock)
        {
            try
            {
                using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var all = reader.ReadToEnd().Split('\n');
                return string.Join('\n', all.TakeLast(lines));
            }
            catch (IOException)
            {
                return "";
            }
        }
    }

    private void StartAppHost()
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Locations.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            Locations.AppHostDll, "--dashboard-port", Invariant(DashboardPort), "--gateway-port", Invariant(GatewayPort),
            "--web-port", Invariant(WebPort), "--data", dataPath, "--no-build",
        })
        {
            psi.ArgumentList.Add(arg);
        }
        // Our own servers, whatever the caller's environment says.
        psi.Environment.Remove("ConnectionStrings__postgres");
        psi.Environment.Remove("ConnectionStrings__redis");
        psi.Environment.Remove("Ai__Provider");
        var environment = new Dictionary<string, string>
        {
            ["Ingest__Feed"] = "replay",
            ["Ingest__Replay__Path"] = Locations.KlinesSample,
            ["Ingest__Replay__Speed"] = Environment.GetEnvironmentVariable("SCALPAIBOARD_E2E_SPEED") ?? "2880",
            // The replayed data lies in the past: keep it, whatever the retention clock says.
            ["Ingest__RetentionDays"] = "3650",
            ["Alerts__RetentionHours"] = "87600",
            ["Alerts__Webhooks__0__Url"] = Webhook.Url,
            ["Alerts__Webhooks__0__Kind"] = "generic",
            ["Alerts__Webhooks__0__Secret"] = WebhookSecret,
            ["Gateway__RateLimit__PermitsPerMinute"] = "100000",
        };
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }
        Write($"fixture: {psi.FileName} {string.Join(' ', psi.ArgumentList)}");
        Write($"fixture: environment {string.Join(' ', environment.Select(kv => kv.Key + "=" + kv.Value))}");
        appHost = Process.Start(psi) ?? throw new InvalidOperationException("The AppHost did not start.");
        appHost.OutputDataReceived += (_, e) => { if (e.Data is not null) Write(e.Data); };
        appHost.ErrorDataReceived += (_, e) => { if (e.Data is not null) Write("stderr: " + e.Data); };
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();
    }

    private async Task WaitAllHealthyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        IReadOnlyList<ResourceState> last = [];
        while (DateTime.UtcNow < deadline)
        {
            if (appHost!.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with code {appHost.ExitCode} while starting.");
            }
            try
            {
                last = await ResourcesAsync();
                if (AllHealthy(last))
                {
                    Write("fixture: all seven resources Running+Healthy");
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // the dashboard is not listening yet
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"Not all of {string.Join(',', ResourceNames)} Running+Healthy after {StartTimeout}: " +
            string.Join(", ", last.Select(r => $"{r.Name}={r.State}/{r.Health}")));
    }

    public static bool AllHealthy(IReadOnlyList<ResourceState> resources) =>
        ResourceNames.All(n => resources.Any(r => r.Name == n && r.State == "Running" && r.Health == "Healthy"));

    private async Task WaitReplayCompletedAsync()
    {
        var deadline = DateTime.UtcNow + ReplayTimeout;
        JsonObject? status = null;
        while (DateTime.UtcNow < deadline)
        {
            status = await FeedStatusAsync();
            var state = (string?)status["state"];
            if (state == "completed")
            {
                CandlesIngested = (long)status["candlesIngested"]!;
                Write($"fixture: replay completed: {status.ToJsonString()}");
                return;
            }
            if (state == "failed")
            {
                throw new InvalidOperationException($"The replay failed: {status.ToJsonString()}");
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"The replay did not complete in {ReplayTimeout}: {status?.ToJsonString()}");
    }

    /// <summary>Alerts evaluates the last batch shortly after ingest stored it: wait for the count to stay put.</summary>
    private async Task WaitSignalsSettledAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        long? last = null;
        var stable = 0;
        while (DateTime.UtcNow < deadline && stable < 4)
        {
            var body = await Gateway.GetFromJsonAsync<JsonObject>("/api/signals?limit=1");
            var total = (long?)body?["total"];
            stable = total == last ? stable + 1 : 0;
            last = total;
            await Task.Delay(1000);
        }
        Write($"fixture: signals settled at {last}");
    }

    private async Task EnsureBuiltAsync()
    {
        var stale = Staleness();
        if (stale is null)
        {
            return;
        }
        Write($"fixture: building the AppHost ({stale})");
        var psi = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Locations.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "build", "src/Scalpaiboard.AppHost", "-c", Locations.Configuration, "-v", "q", "--nologo" })
        {
            psi.ArgumentList.Add(arg);
        }
        using var build = Process.Start(psi) ?? throw new InvalidOperationException("dotnet build did not start");
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await build.WaitForExitAsync(cts.Token);
        Write(await stdout + await stderr);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build src/Scalpaiboard.AppHost failed ({build.ExitCode}):\n{await stdout}{await stderr}");
        }
    }

    /// <summary>Why the AppHost and the services need building (null: their outputs are newer than every source file).</summary>
    private static string? Staleness()
    {
        if (!File.Exists(Locations.AppHostDll))
        {
            return $"{Locations.AppHostDll} is missing";
        }
        var src = Path.Combine(Locations.RepositoryRoot, "src");
        var outputs = new[] { "AppHost", "Ingest", "Alerts", "Ai", "Gateway", "Web" }
            .Select(p => Path.Combine(src, "Scalpaiboard." + p, "bin", Locations.Configuration, "net10.0"))
            .ToList();
        if (outputs.FirstOrDefault(o => !Directory.Exists(o)) is { } missing)
        {
            return $"{missing} is missing";
        }
        var built = outputs.Min(o => Directory.EnumerateFiles(o, "Scalpaiboard.*.dll").Select(File.GetLastWriteTimeUtc).DefaultIfEmpty(DateTime.MinValue).Max());
        string[] kinds = [".cs", ".razor", ".csproj", ".sql"];
        var newer = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Where(f => kinds.Contains(Path.GetExtension(f)) && !IsGenerated(f))
            .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > built);
        return newer is null ? null : $"{Path.GetRelativePath(Locations.RepositoryRoot, newer)} is newer than the build";
    }

    private static bool IsGenerated(string path)
    {
        var sep = Path.DirectorySeparatorChar;
        return path.Contains($"{sep}bin{sep}", StringComparison.Ordinal) || path.Contains($"{sep}obj{sep}", StringComparison.Ordinal)
            || path.Contains($"{sep}node_modules{sep}", StringComparison.Ordinal) || path.Contains($"{sep}wwwroot{sep}lib{sep}", StringComparison.Ordinal);
    }

    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static int NextPort()
    {
        while (true)
        {
            var port = ServerProcess.FreePort();
            if (port is not (18888 or 8080 or 5000))
            {
                return port;
            }
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public void Write(string line)
    {
        lock (logLock)
        {
            log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
    }
}
