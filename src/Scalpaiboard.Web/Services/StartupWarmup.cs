using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Scalpaiboard.Web.Services;

/// <summary>
/// Renders a few pages once right after start-up so the first visitor does not pay for JIT-compiling the
/// component renderer, the Gateway client and its pipeline (seconds on a small machine, ~100 ms once warm).
/// Failures are ignored: it is only a head start.
/// </summary>
public sealed partial class StartupWarmup(IServer server, IHostApplicationLifetime lifetime, ILogger<StartupWarmup> logger) : BackgroundService
{
    private static readonly string[] Paths = ["/login", "/screener", "/"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var baseUri))
        {
            return;
        }
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(15) };
        foreach (var path in Paths)
        {
            try
            {
                using var response = await http.GetAsync(path, stoppingToken);
                LogWarmed(logger, path, (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                LogWarmupFailed(logger, path, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warm-up {Path}: {Status}")]
    private static partial void LogWarmed(ILogger logger, string path, int status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warm-up {Path} failed: {Error}")]
    private static partial void LogWarmupFailed(ILogger logger, string path, string error);
}
