using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scalpaiboard.Testing;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system";
}

/// <summary>One resource as the AppHost reports it (state, health, process id, restarts by the AppHost).</summary>
public sealed record ResourceState(string Name, string State, string Health, int? Pid, int Restarts);

/// <summary>
/// The whole system, started once for the assembly through Aspire.Hosting.Testing: the real AppHost (its resources,
/// PostgreSQL and redis-server from the machine's binaries, the five services) on free ports and a fresh data
/// folder, ingest replaying the shared sample klines at a fast multiple of real time, an operator webhook pointing
/// at <see cref="Webhook"/>. Ready when every resource is Healthy, the replay is completed and the signal count has
/// settled.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public static readonly string[] ResourceNames = ["postgres", "redis", "ingest", "alerts", "ai", "gateway", "web"];
    public const string WebhookSecret = "e2e-webhook-secret";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromMinutes(8);

    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "scalpaiboard-e2e", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
    private DistributedApplication? app;
    private StreamWriter? log;
    private readonly Lock logLock = new();
    private IReadOnlyList<int>? leftAfterStop;

    public int GatewayPort { get; } = NextPort();
    public int WebPort { get; } = NextPort();

    public string GatewayUrl => $"http://127.0.0.1:{GatewayPort}";
    public string WebUrl => $"http://127.0.0.1:{WebPort}";

    public WebhookReceiver Webhook { get; } = new();

    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>Frames of `signals` and `tickers` a WebSocket client got while the replay ran.</summary>
    public LiveCollector Live { get; private set; } = null!;

    /// <summary>The sample data: 1m klines per symbol.</summary>
    public KlineSample Sample { get; } = KlineSample.Load(Locations.KlinesSample);

    /// <summary>`candlesIngested` of /api/feed/status once the replay completed.</summary>
    public long CandlesIngested { get; private set; }

    public string LogPath { get; } = Path.Combine(Locations.TestResults, "e2e-apphost.log");

    /// <summary>The AppHost's data folder (PostgreSQL data, Redis's append-only file, secrets).</summary>
    public string DataPath => dataPath;

    /// <summary>A connection string the AppHost hands its services (<c>postgres</c>, <c>redis</c>).</summary>
    public async Task<string> ConnectionStringAsync(string name) =>
        await (app ?? throw new InvalidOperationException("The AppHost is not running.")).GetConnectionStringAsync(name)
        ?? throw new InvalidOperationException($"No connection string '{name}'.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Locations.TestResults);
        log = new StreamWriter(LogPath, append: false) { AutoFlush = true };
        Gateway = new HttpClient { BaseAddress = new Uri(GatewayUrl), Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await StartAppHostAsync();
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
        Webhook.Dispose();
        lock (logLock)
        {
            log?.Dispose();
            log = null;
        }
        try { Directory.Delete(dataPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Every resource's current state as the AppHost's notification service has it.</summary>
    public Task<IReadOnlyList<ResourceState>> ResourcesAsync(CancellationToken cancellationToken = default)
    {
        var notifications = app?.Services.GetRequiredService<ResourceNotificationService>()
            ?? throw new InvalidOperationException("The AppHost is not running.");
        var states = new List<ResourceState>();
        foreach (var name in ResourceNames)
        {
            if (!notifications.TryGetCurrentState(name, out var current))
            {
                continue;
            }
            var snapshot = current.Snapshot;
            int? pid = snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
                && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            var restarts = snapshot.Properties.FirstOrDefault(p => p.Name == "scalpaiboard.restarts")?.Value is { } r
                ? Convert.ToInt32(r, CultureInfo.InvariantCulture) : 0;
            states.Add(new ResourceState(name, snapshot.State?.Text ?? "", snapshot.HealthStatus?.ToString() ?? "", pid, restarts));
        }
        return Task.FromResult<IReadOnlyList<ResourceState>>(states);
    }

    /// <summary>The URLs the Aspire dashboard shows for a resource: (display text, URL).</summary>
    public IReadOnlyList<(string DisplayText, string Url)> ResourceUrls(string name)
    {
        var notifications = app?.Services.GetRequiredService<ResourceNotificationService>()
            ?? throw new InvalidOperationException("The AppHost is not running.");
        return notifications.TryGetCurrentState(name, out var current)
            ? [.. current.Snapshot.Urls.Select(u => (u.DisplayProperties.DisplayName, u.Url))]
            : [];
    }

    public async Task<JsonObject> FeedStatusAsync(CancellationToken cancellationToken = default) =>
        await Gateway.GetFromJsonAsync<JsonObject>("/api/feed/status", cancellationToken)
        ?? throw new InvalidOperationException("/api/feed/status answered null");

    /// <summary>
    /// Stops the AppHost as Ctrl+C does (the application's stop: DCP stops every resource) and returns the pids of the
    /// resources still alive 40 s later (then kills them).
    /// </summary>
    public async Task<IReadOnlyList<int>> StopAsync()
    {
        if (leftAfterStop is not null || app is null)
        {
            return leftAfterStop ?? [];
        }
        var pids = (await ResourcesAsync()).Where(r => r.Pid is > 0).SelectMany(r => Posix.Tree(r.Pid!.Value)).Distinct().ToList();
        Write($"fixture: stopping the AppHost; resource pids {string.Join(' ', pids)}");
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await app.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Write("fixture: the AppHost did not stop within 60 s");
            }
        }
        await app.DisposeAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (DateTime.UtcNow < deadline && pids.Any(Posix.IsAlive))
        {
            await Task.Delay(250);
        }
        var left = pids.Where(Posix.IsAlive).ToList();
        foreach (var pid in left)
        {
            try { Posix.Kill(pid, Posix.SigKill); } catch (InvalidOperationException) { }
        }
        Write($"fixture: AppHost stopped; left alive after stop: [{string.Join(' ', left)}]");
        leftAfterStop = left;
        return left;
    }

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

    private async Task StartAppHostAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["Ingest:Feed"] = "replay",
            ["Ingest:Replay:Path"] = Locations.KlinesSample,
            ["Ingest:Replay:Speed"] = Environment.GetEnvironmentVariable("SCALPAIBOARD_E2E_SPEED") ?? "2880",
            // The replayed data lies in the past: keep it, whatever the retention clock says.
            ["Ingest:RetentionDays"] = "3650",
            ["Alerts:RetentionHours"] = "87600",
            ["Alerts:Webhooks:0:Url"] = Webhook.Url,
            ["Alerts:Webhooks:0:Kind"] = "generic",
            ["Alerts:Webhooks:0:Secret"] = WebhookSecret,
            ["Gateway:RateLimit:PermitsPerMinute"] = "100000",
            ["Ai:Provider"] = "local",
        };
        string[] args =
        [
            "--gateway-port", Invariant(GatewayPort), "--web-port", Invariant(WebPort), "--data", dataPath,
            .. settings.Select(kv => $"--{kv.Key}={kv.Value}"),
        ];
        Write($"fixture: AppHost {string.Join(' ', args)}");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Scalpaiboard_AppHost>(args);
        builder.Services.AddLogging(logging => logging.AddProvider(new FixtureLoggerProvider(this)));
        app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(timeout.Token);
        foreach (var name in ResourceNames)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }
        Write("fixture: all seven resources Running+Healthy");
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

    private static int NextPort()
    {
        while (true)
        {
            var port = ServerProcess.FreePort();
            if (port is not (18888 or 18889 or 18890 or 8080 or 5000))
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

/// <summary>The AppHost's own log lines (resource states, restarts) into the fixture's log file.</summary>
internal sealed class FixtureLoggerProvider(SystemFixture fixture) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(fixture, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(SystemFixture fixture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            fixture.Write($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
    }
}
