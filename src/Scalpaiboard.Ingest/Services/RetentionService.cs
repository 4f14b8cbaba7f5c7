using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Deletes 1m candles and derivatives samples (the latest settled funding rate of a symbol is kept) older than
/// <c>Ingest:RetentionDays</c> (relative to TimeProvider now), every 10 minutes, from when the start-up rebuild is done, each time after the closed 4h/8h/1d bars have been recorded (so no bar is lost
/// with its candles; <c>ingest.bars</c> is kept).
/// </summary>
public sealed partial class RetentionService(CandleStore store, DerivativesStore derivatives, BarRecorder bars, IOptions<IngestOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await bars.Ready.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex.Message);
            }
            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await bars.RecordClosedAsync(cancellationToken);
        var cutoff = time.GetUtcNow().AddDays(-options.Value.RetentionDays).ToUnixTimeMilliseconds();
        var deleted = await store.DeleteOlderThanAsync(cutoff, cancellationToken);
        var samples = await derivatives.DeleteOlderThanAsync(cutoff, cancellationToken);
        if (samples > 0)
        {
            LogDeletedDerivatives(logger, samples, options.Value.RetentionDays);
        }
        if (deleted > 0)
        {
            LogDeleted(logger, deleted, options.Value.RetentionDays);
        }
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} candles older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} derivatives samples older than {Days} days")]
    private static partial void LogDeletedDerivatives(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention run failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
