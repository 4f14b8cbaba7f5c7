using System.Threading.Channels;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Stores the derivatives samples the feeds deliver (<see cref="DerivativesStore"/>) off the feed's thread, in
/// batches. A failed write (PostgreSQL away) is retried with the same batch until it succeeds, so nothing is lost
/// while the feed goes on; what is queued at shutdown is written before the service stops.
/// </summary>
public sealed partial class DerivativesRecorder(DerivativesStore store, TimeProvider time, ILogger<DerivativesRecorder> logger) : BackgroundService
{
    private const int MaxBatch = 5000;

    private readonly Channel<DerivativesUpdate> _queue = Channel.CreateUnbounded<DerivativesUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private long _enqueued;
    private long _written;

    /// <summary>Samples waiting to be stored.</summary>
    public long Pending => Interlocked.Read(ref _enqueued) - Interlocked.Read(ref _written);

    /// <summary>Queues the samples worth storing (mark-price updates are live state only).</summary>
    public void Enqueue(IReadOnlyList<DerivativesUpdate> updates)
    {
        foreach (var u in updates)
        {
            if (u.Kind != DerivativesKind.MarkPrice && _queue.Writer.TryWrite(u))
            {
                Interlocked.Increment(ref _enqueued);
            }
        }
    }

    /// <summary>Waits until everything queued before the call is stored.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (Interlocked.Read(ref _written) < target)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DerivativesUpdate>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var u))
                {
                    batch.Add(u);
                }
                await WriteAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: store what is queued (the host's shutdown timeout bounds it).
            while (reader.TryRead(out var u))
            {
                batch.Add(u);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await WriteAsync(batch, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                LogDropped(logger, batch.Count);
            }
        }
    }

    private async Task WriteAsync(List<DerivativesUpdate> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; batch.Count > 0; attempt++)
        {
            try
            {
                await store.WriteAsync(batch, cancellationToken);
                Interlocked.Add(ref _written, batch.Count);
                batch.Clear();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogWriteFailed(logger, batch.Count, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt)), time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} derivatives samples could not be stored before shutdown (PostgreSQL unreachable)")]
    private static partial void LogDropped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} derivatives samples failed (attempt {Attempt}), retrying: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, string error);
}
